package remote

import (
	"context"
	"sync"
	"time"
)

// WarmIdle is how long a warm pool (NewWarmRunner) keeps its executors
// after its last query ends.
var WarmIdle = 5 * time.Minute

// warm holds the process's warm pools, one per executor count.
var warm struct {
	mu    sync.Mutex
	pools map[int]*warmPool
}

// warmPool is a pool shared by the queries of NewWarmRunner runners with
// the same executor count, started by the first and closed after WarmIdle
// without queries, or by Cleanup.
type warmPool struct {
	pool  *Pool
	users int
	idle  *time.Timer
}

// NewWarmRunner returns a runner whose queries share a process-wide pool
// of opts.Executors executors: the first query starts it, later ones find
// it running (process start-up is paid once, not per query), and it is
// closed once WarmIdle passes without a query, or by Cleanup.
func NewWarmRunner(opts Options) *Runner { return &Runner{opts: opts, warm: true} }

// acquireWarm returns the warm pool for opts, starting it if needed, and
// the function that gives it back when the query ends.
func acquireWarm(ctx context.Context, opts Options) (*Pool, func(), error) {
	opts.defaults()
	warm.mu.Lock()
	defer warm.mu.Unlock()
	if warm.pools == nil {
		warm.pools = map[int]*warmPool{}
	}
	w := warm.pools[opts.Executors]
	if w != nil && w.pool.isClosed() {
		delete(warm.pools, opts.Executors)
		w = nil
	}
	if w == nil {
		p, err := NewPool(ctx, opts)
		if err != nil {
			return nil, nil, err
		}
		w = &warmPool{pool: p}
		warm.pools[opts.Executors] = w
	}
	if w.idle != nil {
		w.idle.Stop()
		w.idle = nil
	}
	w.users++
	var once sync.Once
	return w.pool, func() { once.Do(func() { releaseWarm(opts.Executors, w) }) }, nil
}

func releaseWarm(n int, w *warmPool) {
	warm.mu.Lock()
	defer warm.mu.Unlock()
	w.users--
	if w.users > 0 {
		return
	}
	w.idle = time.AfterFunc(WarmIdle, func() {
		warm.mu.Lock()
		if w.users > 0 || warm.pools[n] != w {
			warm.mu.Unlock()
			return
		}
		delete(warm.pools, n)
		warm.mu.Unlock()
		w.pool.Close()
	})
}

// closeWarm closes every warm pool.
func closeWarm() {
	warm.mu.Lock()
	pools := warm.pools
	warm.pools = nil
	warm.mu.Unlock()
	for _, w := range pools {
		if w.idle != nil {
			w.idle.Stop()
		}
		w.pool.Close()
	}
}

// WarmExecutors returns the process ids of the warm pool of n executors,
// nil when none is running.
func WarmExecutors(n int) []int {
	warm.mu.Lock()
	defer warm.mu.Unlock()
	if w := warm.pools[n]; w != nil && !w.pool.isClosed() {
		return w.pool.Executors()
	}
	return nil
}
