package remote

import (
	"bytes"
	"context"
	"crypto/tls"
	"fmt"
	"io"
	"os"
	osexec "os/exec"
	"sync"
	"sync/atomic"
	"time"

	"github.com/hashicorp/go-hclog"
	"github.com/hashicorp/go-plugin"
	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/keepalive"
	"google.golang.org/grpc/status"

	"lakeframe/errs"
)

// Options configure a Pool.
type Options struct {
	// Executors is how many executor processes run (default 2). Attach
	// sets it to the number of addresses.
	Executors int
	// PerExecutor bounds the fragments one executor runs at once
	// (default 2).
	PerExecutor int
	// Retries is how many times a fragment runs again after its executor
	// died or stopped answering (default 3).
	Retries int
	// Compression of the batches sent back: "lz4" (default), "zstd" or
	// "none".
	Compression string
	// Command starts an executor; nil re-launches this program
	// (os.Executable), which must call ServeIfExecutor first thing.
	Command func() *osexec.Cmd

	// HealthInterval is how often each executor is asked whether it is
	// serving (default 2s), and HealthTimeout how long it has to answer
	// (default 2s). One that does not answer is dead: its fragments are
	// cancelled and run elsewhere.
	HealthInterval, HealthTimeout time.Duration
	// KeepaliveTime and KeepaliveTimeout are the gRPC keepalive of the
	// connections to executors (defaults 10s, the least gRPC allows, and
	// 2s): a connection whose pings go unanswered fails its calls.
	KeepaliveTime, KeepaliveTimeout time.Duration

	// TLS is the coordinator's identity for Attach.
	TLS TLS
	// DialTimeout bounds how long Attach waits for each executor to
	// answer (default 10s).
	DialTimeout time.Duration

	// Logf, when set, is told when an executor is found dead.
	Logf func(format string, args ...any)
}

func (o *Options) defaults() {
	if o.Executors <= 0 {
		o.Executors = 2
	}
	if o.PerExecutor <= 0 {
		o.PerExecutor = 2
	}
	if o.Retries <= 0 {
		o.Retries = 3
	}
	switch o.Compression {
	case "":
		o.Compression = "lz4"
	case "none":
		o.Compression = ""
	}
	if o.HealthInterval <= 0 {
		o.HealthInterval = 2 * time.Second
	}
	if o.HealthTimeout <= 0 {
		o.HealthTimeout = 2 * time.Second
	}
	if o.KeepaliveTime <= 0 {
		o.KeepaliveTime = 10 * time.Second
	}
	if o.KeepaliveTimeout <= 0 {
		o.KeepaliveTimeout = 2 * time.Second
	}
	if o.DialTimeout <= 0 {
		o.DialTimeout = 10 * time.Second
	}
}

func (o *Options) keepalive() grpc.DialOption {
	return grpc.WithKeepaliveParams(keepalive.ClientParameters{
		Time: o.KeepaliveTime, Timeout: o.KeepaliveTimeout, PermitWithoutStream: true,
	})
}

func (o *Options) logf(format string, args ...any) {
	if o.Logf != nil {
		o.Logf(format, args...)
	}
}

// Pool owns executors: processes on this machine (NewPool), which Close
// kills, or executors on other hosts (Attach), which Close disconnects.
type Pool struct {
	opts Options
	// attached pools do not start replacements for dead executors; they
	// dial them again with tlsCfg until they answer.
	attached bool
	tlsCfg   *tls.Config
	// done is closed by Close.
	done chan struct{}
	// watchers are the executors' health loops; Close waits for them.
	watchers sync.WaitGroup

	mu     sync.Mutex
	execs  []*executor
	next   int
	nextID int
	closed bool
	// spawning counts replacements being started; changed is signalled
	// when one is done, so pick can wait for it rather than fail.
	spawning int
	changed  sync.Cond
}

// executor is one running process on this machine or one address.
type executor struct {
	id   int
	addr string         // set for executors on other hosts
	pc   *plugin.Client // set for local executors
	cmd  *osexec.Cmd
	c    *client
	// close ends the connection (and for a local executor the process) at
	// once, which fails the calls in flight.
	close func()
	slots chan struct{}
	// failed is set under the pool's lock; stop is closed with it and
	// ends the health loop.
	failed bool
	stop   chan struct{}
}

// Pid is the executor's process id, 0 for one on another host.
func (e *executor) Pid() int {
	if e.cmd != nil && e.cmd.Process != nil {
		return e.cmd.Process.Pid
	}
	return 0
}

// String names the executor in errors: its process id or its address.
func (e *executor) String() string {
	if e.addr != "" {
		return fmt.Sprintf("executor %d (%s)", e.id, e.addr)
	}
	return fmt.Sprintf("executor %d (pid %d)", e.id, e.Pid())
}

// exited says the local process is gone.
func (e *executor) exited() bool { return e.pc != nil && e.pc.Exited() }

// NewPool starts opts.Executors executor processes.
func NewPool(ctx context.Context, opts Options) (*Pool, error) {
	if IsExecutor() {
		return nil, fmt.Errorf("%w: an executor cannot start executors: call remote.ServeIfExecutor at the start of main", errs.ErrPlan)
	}
	opts.defaults()
	p := &Pool{opts: opts, done: make(chan struct{})}
	p.changed.L = &p.mu
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
	// go-plugin logs every executor exit as an error; one the pool
	// killed itself is no news.
	var killed atomic.Bool
	logOut := &exitLogFilter{killed: &killed, w: os.Stderr}
	pc := plugin.NewClient(&plugin.ClientConfig{
		HandshakeConfig:  Handshake,
		Plugins:          plugin.PluginSet{pluginName: &executorPlugin{}},
		Cmd:              cmd,
		AllowedProtocols: []plugin.Protocol{plugin.ProtocolGRPC},
		Managed:          true,
		StartTimeout:     15 * time.Second,
		GRPCDialOptions:  []grpc.DialOption{p.opts.keepalive()},
		Logger:           hclog.New(&hclog.LoggerOptions{Level: hclog.Error, Output: logOut}),
	})
	// A stopped process never answers go-plugin's polite shutdown, so the
	// process is killed first.
	kill := func() {
		killed.Store(true)
		if cmd.Process != nil {
			_ = cmd.Process.Kill()
		}
		pc.Kill()
	}
	fail := func(err error) (*executor, error) {
		kill()
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
	return p.add(&executor{pc: pc, cmd: cmd, c: raw.(*client), close: kill})
}

// exitLogFilter drops go-plugin's "plugin process exited" lines once the
// pool has killed the executor on purpose.
type exitLogFilter struct {
	killed *atomic.Bool
	w      io.Writer
}

func (f *exitLogFilter) Write(p []byte) (int, error) {
	if f.killed.Load() && bytes.Contains(p, []byte("plugin process exited")) {
		return len(p), nil
	}
	return f.w.Write(p)
}

// add puts e in the pool and starts watching its health.
func (p *Pool) add(e *executor) (*executor, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.closed {
		e.close()
		return nil, fmt.Errorf("%w: executor pool closed", errs.ErrExec)
	}
	p.nextID++
	e.id = p.nextID
	e.slots = make(chan struct{}, p.opts.PerExecutor)
	e.stop = make(chan struct{})
	p.execs = append(p.execs, e)
	p.watchers.Add(1)
	go p.watch(e)
	return e, nil
}

// Executors lists the live local executors' process ids.
func (p *Pool) Executors() []int {
	p.mu.Lock()
	defer p.mu.Unlock()
	var out []int
	for _, e := range p.execs {
		if !e.failed && e.addr == "" {
			out = append(out, e.Pid())
		}
	}
	return out
}

// Addrs lists the addresses of the live executors on other hosts.
func (p *Pool) Addrs() []string {
	p.mu.Lock()
	defer p.mu.Unlock()
	var out []string
	for _, e := range p.execs {
		if !e.failed && e.addr != "" {
			out = append(out, e.addr)
		}
	}
	return out
}

// pick chooses the next live executor, round robin, skipping avoid. With
// none live it waits for the replacements being started.
func (p *Pool) pick(avoid *executor) (*executor, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	for {
		if p.closed {
			return nil, fmt.Errorf("%w: executor pool closed", errs.ErrExec)
		}
		e, err := p.pickLocked(avoid)
		if err == nil || p.spawning == 0 {
			return e, err
		}
		p.changed.Wait()
	}
}

func (p *Pool) pickLocked(avoid *executor) (*executor, error) {
	var fallback *executor
	for range len(p.execs) {
		e := p.execs[p.next%len(p.execs)]
		p.next++
		if e.failed || e.exited() {
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

// fail marks e dead and closes it, which fails its calls in flight; a
// local executor is killed and replaced, an attached one dialled again
// until it answers.
func (p *Pool) fail(ctx context.Context, e *executor) {
	p.mu.Lock()
	if e.failed || p.closed {
		p.mu.Unlock()
		return
	}
	e.failed = true
	close(e.stop)
	if p.attached {
		p.watchers.Add(1)
		go p.rejoin(e.addr)
	}
	live := p.execs[:0]
	for _, x := range p.execs {
		if x != e {
			live = append(live, x)
		}
	}
	p.execs = live
	if !p.attached {
		p.spawning++
	}
	p.mu.Unlock()
	e.close()
	if p.attached {
		return
	}
	// A failed replacement leaves the others to carry on.
	_, err := p.spawn(context.WithoutCancel(ctx))
	p.mu.Lock()
	p.spawning--
	p.changed.Broadcast()
	closed := p.closed
	p.mu.Unlock()
	if err != nil && !closed {
		p.opts.logf("remote: replace %s: %v", e, err)
	}
}

// executorFault says err came from the executor or its connection rather
// than from the fragment itself.
func executorFault(e *executor, err error) bool {
	if e.exited() {
		return true
	}
	switch status.Code(err) {
	// Canceled without the query being cancelled: the connection was
	// closed, because the executor exited or was found dead.
	case codes.Unavailable, codes.Internal, codes.DeadlineExceeded, codes.Canceled:
		return true
	}
	return false
}

// Close kills every local executor of the pool, or disconnects from the
// executors on other hosts, and waits until that is done.
func (p *Pool) Close() error {
	p.mu.Lock()
	execs := p.execs
	if !p.closed {
		close(p.done)
	}
	p.execs, p.closed = nil, true
	p.changed.Broadcast()
	for _, e := range execs {
		e.failed = true
		close(e.stop)
	}
	p.mu.Unlock()
	var wg sync.WaitGroup
	for _, e := range execs {
		wg.Go(e.close)
	}
	wg.Wait()
	p.watchers.Wait()
	return nil
}

// Cleanup closes the warm pools and kills every executor this process
// started; call it (deferred) in main so that none outlives the program.
func Cleanup() {
	closeWarm()
	plugin.CleanupClients()
}

// isClosed says whether Close was called.
func (p *Pool) isClosed() bool {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.closed
}
