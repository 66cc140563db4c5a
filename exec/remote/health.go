package remote

import (
	"context"
	"time"

	"github.com/hashicorp/go-plugin"
	healthpb "google.golang.org/grpc/health/grpc_health_v1"
)

// watch asks e every HealthInterval whether it is serving, busy or idle,
// and fails it when it does not answer in HealthTimeout: a process that
// was stopped, or whose network was cut, keeps its connection open and
// would otherwise hold its fragments until the gRPC keepalive, which
// cannot ping more often than every 10s, notices.
func (p *Pool) watch(e *executor) {
	defer p.watchers.Done()
	t := time.NewTicker(p.opts.HealthInterval)
	defer t.Stop()
	for {
		select {
		case <-e.stop:
			return
		case <-t.C:
		}
		err := p.ping(e)
		if err == nil {
			continue
		}
		select {
		case <-e.stop:
			return
		default:
		}
		p.opts.logf("remote: %s did not answer its health check: %v", e, err)
		// fail ends this loop by closing e.stop; it must not wait for it.
		p.watchers.Add(1)
		go func() {
			defer p.watchers.Done()
			p.fail(context.Background(), e)
		}()
		return
	}
}

// ping is one health check, the one go-plugin's own Ping makes.
func (p *Pool) ping(e *executor) error {
	ctx, cancel := context.WithTimeout(context.Background(), p.opts.HealthTimeout)
	defer cancel()
	_, err := healthpb.NewHealthClient(e.c.cc).Check(ctx, &healthpb.HealthCheckRequest{Service: plugin.GRPCServiceName})
	return err
}
