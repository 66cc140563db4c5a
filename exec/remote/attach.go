package remote

import (
	"context"
	"crypto/tls"
	"fmt"
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
// executor found dead later is left out for the rest of the pool's life;
// Close disconnects and leaves the executors running.
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
	p := &Pool{opts: opts, attached: true}
	for _, addr := range addrs {
		cc, err := grpc.NewClient(addr, grpc.WithTransportCredentials(credentials.NewTLS(cfg)), opts.keepalive())
		if err != nil {
			p.Close()
			return nil, fmt.Errorf("%w: attach executor %s: %w", errs.ErrPlan, addr, err)
		}
		e := &executor{addr: addr, c: &client{cc: cc}, close: func() { cc.Close() }}
		if err := p.await(ctx, e); err != nil {
			cc.Close()
			p.Close()
			return nil, fmt.Errorf("%w: attach executor %s: %w", errs.ErrExec, addr, err)
		}
		if _, err := p.add(e); err != nil {
			return nil, err
		}
	}
	return p, nil
}

// await retries the health check until it succeeds, ctx ends or
// DialTimeout passes, so that executors still starting are waited for.
func (p *Pool) await(ctx context.Context, e *executor) error {
	ctx, cancel := context.WithTimeout(ctx, p.opts.DialTimeout)
	defer cancel()
	for {
		err := p.ping(e)
		if err == nil {
			return nil
		}
		select {
		case <-ctx.Done():
			return err
		case <-time.After(200 * time.Millisecond):
		}
	}
}
