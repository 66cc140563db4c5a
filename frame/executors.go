package frame

import "lakeframe/exec/remote"

// WithExecutors runs the query's scans, filters, projections and partial
// aggregates on n executor processes (this program re-launched in executor
// mode: call remote.ServeIfExecutor first thing in main, and defer
// remote.Cleanup), and the rest on this process. The first query starts
// the executors; they stay up for the queries that follow and stop after
// remote.WarmIdle (5 minutes) without one, or at remote.Cleanup. Plans
// with nothing to ship run on the local pool.
func WithExecutors(n int) Option {
	return WithRunner(remote.NewWarmRunner(remote.Options{Executors: n}))
}
