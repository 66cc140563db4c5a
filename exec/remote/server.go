package remote

import (
	"context"
	"os"
	"time"

	"github.com/hashicorp/go-hclog"
	"github.com/hashicorp/go-plugin"
	"google.golang.org/grpc"

	"lakeframe/exec"
	"lakeframe/exec/bufpool"
)

// ServeIfExecutor serves as an executor, and never returns, when the
// process was started by a coordinator; otherwise it returns at once. Call
// it first thing in main (and in TestMain), so the executor is the same
// program with the same sources and functions. With ListenEnv set it
// serves coordinators on other hosts instead (see ServeTCP).
func ServeIfExecutor() {
	if addr := os.Getenv(ListenEnv); addr != "" {
		serveTCPFromEnv(addr) // never returns
	}
	if !IsExecutor() {
		return
	}
	go exitWithParent(os.Getppid())
	plugin.Serve(&plugin.ServeConfig{
		HandshakeConfig: Handshake,
		Plugins:         plugin.PluginSet{pluginName: &executorPlugin{srv: newServer()}},
		GRPCServer: func(opts []grpc.ServerOption) *grpc.Server {
			return grpc.NewServer(append(opts, serverOptions()...)...)
		},
		Logger: hclog.New(&hclog.LoggerOptions{Level: hclog.Error, Output: os.Stderr}),
	})
	os.Exit(0)
}

// IsExecutor says the process was started as an executor.
func IsExecutor() bool {
	return os.Getenv(Handshake.MagicCookieKey) == Handshake.MagicCookieValue || os.Getenv(ListenEnv) != ""
}

// exitWithParent ends the executor when its coordinator dies: the process
// is then re-parented, so its parent id changes. go-plugin itself does not
// watch the host.
func exitWithParent(ppid int) {
	for range time.Tick(200 * time.Millisecond) {
		if os.Getppid() != ppid {
			os.Exit(1)
		}
	}
}

// server runs fragments; it keeps the sources it has opened (Parquet
// footers, Iceberg tables and their FileIO), which it then reads once.
type server struct {
	sources sourceCache
}

func newServer() *server { return &server{} }

func (s *server) open(ctx context.Context, kind string, desc []byte) (exec.Scanner, error) {
	return s.sources.open(ctx, kind, desc)
}

func (s *server) run(ctx context.Context, data []byte, send func([]byte) error) (err error) {
	root, f, err := decodeFragment(ctx, data, s.open)
	if err != nil {
		return err
	}
	// Buffers from the pool the coordinator's local runs use: Go-allocated
	// ones cost their zeroing and the GC, half again the CPU of a TPC-H
	// Q1 fragment.
	tc := &exec.TaskContext{Mem: bufpool.Default, BatchSize: f.BatchSize, Parallelism: 1}
	st, err := exec.Open(ctx, tc, root)
	if err != nil {
		return err
	}
	defer func() {
		if cerr := st.Close(); err == nil {
			err = cerr
		}
	}()
	return sendIPC(ctx, st, f.Compression, send)
}
