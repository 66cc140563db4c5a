// Package remote runs parts of physical plans on executor processes.
//
// # How a program gets executors
//
// An executor is the user's own program started again in executor mode:
// the coordinator runs os.Executable() with go-plugin's handshake cookie in
// the environment, and ServeIfExecutor, called first thing in main (and in
// TestMain), sees the cookie and serves instead of running the program. The
// executor therefore has the same sources and functions as the coordinator.
// An executor cannot start executors of its own.
//
// # Transport
//
// go-plugin over gRPC with a versioned handshake (Handshake). The service
// has one server-streaming call, Run, with a context: the request is a
// JSON fragment, the response the pieces of an Arrow IPC stream (LZ4 by
// default, zstd or none with Options.Compression). Every call is cancelled
// with its query.
//
// # What runs where
//
// Runner.Open looks for Coalesce nodes whose input is Scan(parquet) →
// [Filter] → [Project] → [HashAggregate partial]. Each scan partition
// becomes a fragment (the encoded subtree and that partition's tasks),
// sent round robin to the executors with at most Options.PerExecutor
// fragments per executor at once. The shipped subtree is replaced by a
// physical.Scan of a source whose tasks are the fragments, and the rest of
// the plan (final aggregation, sorts, joins, limits) is built by exec.Build
// and runs on the coordinator. Plans with no such part run on the local
// pool; Runner.Logf is told which parts stay local and why, and
// Runner.Stats counts fragments, retries and local plans. Executors read
// the Parquet files themselves: only fragment results cross the wire.
//
// # Failures and lifetime
//
// A fragment's result is received in full before its first batch goes up
// the plan, so a fragment whose executor dies (the process exited, or the
// connection failed) runs again on another executor, at most
// Options.Retries times; the dead executor is killed and a replacement is
// spawned. An error raised by the fragment itself is not retried. Pool.Close
// kills the executors; a runner made by NewRunner starts executors per
// query and kills them when the query's stream closes or its context ends.
// Cleanup kills every executor the process started (call it deferred in
// main). go-plugin does not stop a plugin whose host died, so an executor
// watches its parent process id and exits when it changes.
package remote
