package remote

import (
	"context"
	"fmt"
	"os"
	osexec "os/exec"
	"sync"
	"time"

	"github.com/hashicorp/go-hclog"
	"github.com/hashicorp/go-plugin"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	"lakeframe/errs"
)

// Options configure a Pool.
type Options struct {
	// Executors is how many executor processes run (default 2).
	Executors int
	// PerExecutor bounds the fragments one executor runs at once
	// (default 2).
	PerExecutor int
	// Retries is how many times a fragment runs again after its executor
	// died (default 3).
	Retries int
	// Compression of the batches sent back: "lz4" (default), "zstd" or
	// "none".
	Compression string
	// Command starts an executor; nil re-launches this program
	// (os.Executable), which must call ServeIfExecutor first thing.
	Command func() *osexec.Cmd
}

// Pool owns executor processes on this machine. Close kills them.
type Pool struct {
	opts Options

	mu     sync.Mutex
	execs  []*executor
	next   int
	nextID int
	closed bool
}

// executor is one running process.
type executor struct {
	id     int
	pc     *plugin.Client
	c      *client
	slots  chan struct{}
	failed bool
}

// Pid is the executor's process id (tests use it to kill one).
func (e *executor) Pid() int {
	if rc := e.pc.ReattachConfig(); rc != nil {
		return rc.Pid
	}
	return 0
}

// NewPool starts opts.Executors executor processes.
func NewPool(ctx context.Context, opts Options) (*Pool, error) {
	if IsExecutor() {
		return nil, fmt.Errorf("%w: an executor cannot start executors: call remote.ServeIfExecutor at the start of main", errs.ErrPlan)
	}
	if opts.Executors <= 0 {
		opts.Executors = 2
	}
	if opts.PerExecutor <= 0 {
		opts.PerExecutor = 2
	}
	if opts.Retries <= 0 {
		opts.Retries = 3
	}
	switch opts.Compression {
	case "":
		opts.Compression = "lz4"
	case "none":
		opts.Compression = ""
	}
	p := &Pool{opts: opts}
	for range opts.Executors {
		if _, err := p.spawn(ctx); err != nil {
			p.Close()
			return nil, err
		}
	}
	return p, nil
}

func (p *Pool) command() (*osexec.Cmd, error) {
	if p.opts.Command != nil {
		return p.opts.Command(), nil
	}
	self, err := os.Executable()
	if err != nil {
		return nil, fmt.Errorf("%w: find this program to start executors: %w", errs.ErrExec, err)
	}
	return osexec.Command(self), nil
}

// spawn starts one executor and adds it to the pool.
func (p *Pool) spawn(ctx context.Context) (*executor, error) {
	cmd, err := p.command()
	if err != nil {
		return nil, err
	}
	pc := plugin.NewClient(&plugin.ClientConfig{
		HandshakeConfig:  Handshake,
		Plugins:          plugin.PluginSet{pluginName: &executorPlugin{}},
		Cmd:              cmd,
		AllowedProtocols: []plugin.Protocol{plugin.ProtocolGRPC},
		Managed:          true,
		StartTimeout:     15 * time.Second,
		Logger:           hclog.New(&hclog.LoggerOptions{Level: hclog.Error, Output: os.Stderr}),
	})
	fail := func(err error) (*executor, error) {
		pc.Kill()
		return nil, fmt.Errorf("%w: start executor %s (does it call remote.ServeIfExecutor first in main?): %w", errs.ErrExec, cmd.Path, err)
	}
	if err := ctx.Err(); err != nil {
		return fail(err)
	}
	rpc, err := pc.Client()
	if err != nil {
		return fail(err)
	}
	raw, err := rpc.Dispense(pluginName)
	if err != nil {
		return fail(err)
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.closed {
		pc.Kill()
		return nil, fmt.Errorf("%w: executor pool closed", errs.ErrExec)
	}
	p.nextID++
	e := &executor{id: p.nextID, pc: pc, c: raw.(*client), slots: make(chan struct{}, p.opts.PerExecutor)}
	p.execs = append(p.execs, e)
	return e, nil
}

// Executors lists the live executors' process ids.
func (p *Pool) Executors() []int {
	p.mu.Lock()
	defer p.mu.Unlock()
	var out []int
	for _, e := range p.execs {
		if !e.failed {
			out = append(out, e.Pid())
		}
	}
	return out
}

// pick chooses the next live executor, round robin, skipping avoid.
func (p *Pool) pick(avoid *executor) (*executor, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.closed {
		return nil, fmt.Errorf("%w: executor pool closed", errs.ErrExec)
	}
	var fallback *executor
	for range len(p.execs) {
		e := p.execs[p.next%len(p.execs)]
		p.next++
		if e.failed || e.pc.Exited() {
			continue
		}
		if e == avoid {
			fallback = e
			continue
		}
		return e, nil
	}
	if fallback != nil {
		return fallback, nil
	}
	return nil, fmt.Errorf("%w: no live executor", errs.ErrExec)
}

// fail marks e dead, kills it and starts a replacement.
func (p *Pool) fail(ctx context.Context, e *executor) {
	p.mu.Lock()
	if e.failed || p.closed {
		p.mu.Unlock()
		return
	}
	e.failed = true
	live := p.execs[:0]
	for _, x := range p.execs {
		if x != e {
			live = append(live, x)
		}
	}
	p.execs = live
	p.mu.Unlock()
	e.pc.Kill()
	// A failed replacement leaves the others to carry on.
	_, _ = p.spawn(ctx)
}

// executorFault says err came from the executor or its connection rather
// than from the fragment itself.
func executorFault(e *executor, err error) bool {
	if e.pc.Exited() {
		return true
	}
	switch status.Code(err) {
	// Canceled without the query being cancelled: go-plugin closed the
	// connection of an executor that exited.
	case codes.Unavailable, codes.Internal, codes.DeadlineExceeded, codes.Canceled:
		return true
	}
	return false
}

// Close kills every executor of the pool and waits for them to exit.
func (p *Pool) Close() error {
	p.mu.Lock()
	execs := p.execs
	p.execs, p.closed = nil, true
	p.mu.Unlock()
	for _, e := range execs {
		e.pc.Kill()
	}
	return nil
}

// Cleanup kills every executor this process started; call it (deferred)
// in main so that none outlives the program.
func Cleanup() { plugin.CleanupClients() }
