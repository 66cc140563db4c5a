package frame

import "lakeframe/exec/remote"

// WithExecutors runs the query's scans, filters, projections and partial
// aggregates on n executor processes started for the query (this program
// re-launched in executor mode: call remote.ServeIfExecutor first thing in
// main), and the rest on this process. The executors are killed when the
// query ends. Plans with nothing to ship run on the local pool.
func WithExecutors(n int) Option {
	return WithRunner(remote.NewRunner(remote.Options{Executors: n}))
}
