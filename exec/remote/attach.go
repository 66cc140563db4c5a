package remote

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"net"
	"time"

	"google.golang.org/grpc"
	"google.golang.org/grpc/credentials"

	"lakeframe/errs"
)

// Attach connects to executors already serving on other hosts (ServeTCP,
// cmd/lakeframe-executor) at addrs, host:port each, with mutual TLS
// (opts.TLS), and returns a pool whose Runner is used like a local pool's.
// Each executor must answer a health check within opts.DialTimeout; the
// error names the address and the cause (a refused certificate, say). An
// executor found dead later is left out until it answers again; Close
// disconnects and leaves the executors running.
func Attach(ctx context.Context, addrs []string, opts Options) (*Pool, error) {
	if len(addrs) == 0 {
		return nil, fmt.Errorf("%w: attach: no executor address", errs.ErrPlan)
	}
	cfg, err := opts.TLS.clientConfig()
	if err != nil {
		return nil, err
	}
	return attach(ctx, addrs, opts, cfg)
}

func attach(ctx context.Context, addrs []string, opts Options, cfg *tls.Config) (*Pool, error) {
	opts.Executors = len(addrs)
	opts.defaults()
	p := &Pool{opts: opts, attached: true, tlsCfg: cfg, done: make(chan struct{})}
	p.changed.L = &p.mu
	for _, addr := range addrs {
		e, err := p.dial(addr)
		if err != nil {
			p.Close()
			return nil, err
		}
		if err := p.await(ctx, e); err != nil {
			e.close()
			p.Close()
			return nil, fmt.Errorf("%w: attach executor %s: %w", errs.ErrExec, addr, err)
		}
		if _, err := p.add(e); err != nil {
			return nil, err
		}
	}
	return p, nil
}

// dial makes a connection to addr; gRPC connects on first use.
func (p *Pool) dial(addr string) (*executor, error) {
	cc, err := grpc.NewClient(addr, grpc.WithTransportCredentials(credentials.NewTLS(p.tlsCfg)), p.opts.keepalive())
	if err != nil {
		return nil, fmt.Errorf("%w: attach executor %s: %w", errs.ErrPlan, addr, err)
	}
	return &executor{addr: addr, c: &client{cc: cc}, close: func() { cc.Close() }}, nil
}

// rejoin dials a failed executor every HealthInterval, on a new
// connection, until it answers its health check, and puts it back in the
// pool; a network cut that heals gives the executor back.
func (p *Pool) rejoin(addr string) {
	defer p.watchers.Done()
	t := time.NewTicker(p.opts.HealthInterval)
	defer t.Stop()
	for {
		select {
		case <-p.done:
			return
		case <-t.C:
		}
		e, err := p.dial(addr)
		if err != nil {
			return
		}
		if err := p.ping(e); err != nil {
			e.close()
			continue
		}
		if e, err := p.add(e); err == nil {
			p.opts.logf("remote: %s answers again", e)
		}
		return
	}
}

// await retries a TLS handshake and the health check until both succeed,
// ctx ends or DialTimeout passes, so that executors still starting are
// waited for.
func (p *Pool) await(ctx context.Context, e *executor) error {
	ctx, cancel := context.WithTimeout(ctx, p.opts.DialTimeout)
	defer cancel()
	var last error
	for {
		err := p.probeTLS(ctx, e.addr)
		if err == nil {
			err = p.ping(e)
		}
		switch {
		case err == nil:
			return nil
		case refused(err):
			return err
		case ctx.Err() != nil && last != nil:
			// The attempt cut short by the deadline says less than the
			// one before.
			return last
		}
		last = err
		select {
		case <-ctx.Done():
			return last
		case <-time.After(200 * time.Millisecond):
		}
	}
}

// refused says a TLS handshake failed for good: this side rejected the
// executor's certificate, or the executor sent an alert (it rejected
// ours), which trying again will not change.
func refused(err error) bool {
	var verr *tls.CertificateVerificationError
	var oerr *net.OpError
	return errors.As(err, &verr) || errors.As(err, &oerr) && oerr.Op == "remote error"
}

// probeTLS makes one TLS connection to addr and reads from it. An executor
// that refuses the coordinator's certificate says so with an alert after
// the handshake (in TLS 1.3 the client's handshake ends first), which
// gRPC, writing its preface at once, may see only as a broken pipe; an
// accepted coordinator gets the server's HTTP/2 settings.
func (p *Pool) probeTLS(ctx context.Context, addr string) error {
	host, _, err := net.SplitHostPort(addr)
	if err != nil {
		return err
	}
	cfg := p.tlsCfg.Clone()
	cfg.ServerName = host
	cfg.NextProtos = []string{"h2"}
	d := &tls.Dialer{Config: cfg}
	ctx, cancel := context.WithTimeout(ctx, p.opts.HealthTimeout)
	defer cancel()
	conn, err := d.DialContext(ctx, "tcp", addr)
	if err != nil {
		return err
	}
	defer conn.Close()
	if dl, ok := ctx.Deadline(); ok {
		conn.SetReadDeadline(dl)
	}
	if _, err := conn.Read(make([]byte, 1)); err != nil {
		return fmt.Errorf("after the TLS handshake: %w", err)
	}
	return nil
}
