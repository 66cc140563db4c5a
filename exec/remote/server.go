package remote

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"time"

	"github.com/apache/arrow-go/v18/arrow/ipc"
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
	var buf bytes.Buffer
	opts := []ipc.Option{ipc.WithSchema(st.Schema())}
	switch f.Compression {
	case "lz4":
		opts = append(opts, ipc.WithLZ4())
	case "zstd":
		opts = append(opts, ipc.WithZstd())
	case "":
	default:
		return fmt.Errorf("unknown compression %q", f.Compression)
	}
	w := ipc.NewWriter(&buf, opts...)
	flush := func() error {
		if buf.Len() == 0 {
			return nil
		}
		err := send(buf.Bytes())
		buf.Reset()
		return err
	}
	for {
		rec, err := st.Next(ctx)
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return err
		}
		err = w.Write(rec)
		rec.Release()
		if err != nil {
			return err
		}
		if err := flush(); err != nil {
			return err
		}
	}
	if err := w.Close(); err != nil {
		return err
	}
	return flush()
}
