package display

import (
	"context"
	"sync"
	"time"

	"lakeframe/exec"
)

// DefaultProgressInterval is how often progress is sampled when no
// interval is given: a few times per second, enough to look live.
const DefaultProgressInterval = 250 * time.Millisecond

// ProgressFunc receives the per-operator figures of a running query. It is
// never called concurrently with itself.
type ProgressFunc func(ops []exec.OpSnapshot)

// Poll calls cb with snapshot() every interval (DefaultProgressInterval if
// every <= 0) on a supervised goroutine, and a last time when ctx ends or
// stop is called, so cb sees the final figures. stop waits for the
// goroutine to exit; it returns an error only if snapshot or cb panicked.
// stop may be called more than once.
func Poll(ctx context.Context, snapshot func() []exec.OpSnapshot, every time.Duration, cb ProgressFunc) (stop func() error) {
	if snapshot == nil || cb == nil {
		return func() error { return nil }
	}
	if every <= 0 {
		every = DefaultProgressInterval
	}
	ctx, cancel := context.WithCancel(ctx)
	g, gctx := exec.NewGroup(ctx, 0)
	g.Go(func() error {
		tick := time.NewTicker(every)
		defer tick.Stop()
		for {
			select {
			case <-gctx.Done():
				cb(snapshot())
				return nil
			case <-tick.C:
				cb(snapshot())
			}
		}
	})
	var (
		once sync.Once
		err  error
	)
	return func() error {
		once.Do(func() {
			cancel()
			err = g.Wait()
		})
		return err
	}
}
