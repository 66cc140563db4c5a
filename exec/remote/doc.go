// Package remote runs parts of physical plans on executor processes.
//
// # How a program gets executors
//
// An executor is the user's own program started again in executor mode:
// the coordinator runs os.Executable() with go-plugin's handshake cookie in
// the environment, and ServeIfExecutor, called first thing in main (and in
// TestMain), sees the cookie and serves instead of running the program. The
// executor therefore has the same sources and functions as the coordinator.
// An executor cannot start executors of its own. NewPool starts such
// executors; Attach connects to executors already running on other hosts
// (see Other hosts). Either way Pool.Runner is what frame.WithRunner takes.
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
// Runner.Open looks for Coalesce nodes whose input is Scan →
// [Filter] → [Project] → [HashAggregate partial] over a source with a
// codec (RegisterSourceCodec: Parquet and Iceberg register theirs; a
// source without one, or one its codec refuses, stays local with the
// reason logged), or a broadcast join: a subtree whose probe sides lead,
// through such steps and hash joins, to one partitioned scan, and whose
// joins' build sides are estimated under ShuffleOptions.BroadcastBytes
// and can be encoded whole. A broadcast fragment carries the subtree with
// its probe scan restricted to one partition; the executor reads the
// build sides itself and builds their hash tables per fragment. Joins
// that emit unmatched build rows (right or full outer joins building on
// their outer side, semi and anti joins building on their left) are
// never broadcast, since every fragment would emit them. Each scan
// partition becomes a fragment (the encoded subtree and that partition's
// tasks), sent round robin to the executors with at most
// Options.PerExecutor fragments per executor at once. The shipped subtree is replaced by a
// physical.Scan of a source whose tasks are the fragments, and the rest of
// the plan (final aggregation, sorts, joins, limits) is built by exec.Build
// and runs on the coordinator. Plans with no such part run on the local
// pool; Runner.Logf is told which parts stay local and why, and
// Runner.Stats counts fragments, retries and local plans. Executors open
// the source from its description (Parquet paths; an Iceberg table's
// metadata location, FileIO properties and snapshot), once per executor,
// and read the files themselves: only fragment results cross the wire.
//
// # Shuffles
//
// Some work cannot be split by scan partition: a join of two large
// inputs, a grouping with many groups, a sort of everything. Runner.Open
// first rewrites those (Runner.Shuffle says which, from the physical
// plan's size estimates) into stages, bottom up, then ships the remaining
// scan chains as above.
//
//   - Map: each partition of the input runs on an executor (the Map call)
//     and its rows are hash-partitioned by the exchange keys into P
//     partitions (P is the executors' slots by default). The hash is
//     FNV-1a with a fixed seed, so every process agrees on it. The
//     partitions come back over the same connection as separate Arrow IPC
//     streams, each message tagged with its partition. An input that
//     executors cannot run (it reads another stage's output, or a source
//     without a codec) runs on the coordinator, which partitions it itself.
//   - The coordinator keeps every map task's streams per partition,
//     compressed as they came, up to TaskContext.MemoryBudget per
//     exchange, and appends the rest to a spill file in
//     TaskContext.SpillDir, removed when the query's stream closes.
//   - Reduce: once every map task has finished, partition p's reduce task
//     goes to an executor (the Reduce call, streaming both ways) with the
//     partition's data in the request; the executor runs the reduce plan
//     over it and streams the result back.
//   - Stages chain: when the next exchange's map side reads a reduce
//     stage's output through row-by-row nodes (a filter, a projection, a
//     partial aggregate, the probe of a join with a small build side),
//     each reduce task runs that map plan too and sends its result back
//     already split for the next exchange.
//
// Joins whose two sides are both estimated above ShuffleOptions.JoinBytes
// are partitioned on their keys and joined partition by partition (every
// join type: a NULL key hashes to one partition, where the join emits the
// row unmatched, as it would locally); smaller build sides are still built
// whole. Grouped aggregations whose partial results are large send them
// to a final aggregation per key partition. Sorts run differently: each
// partition is sorted on an executor and the sorted runs are merged on
// the coordinator, with the same comparator as the local sort, so ties
// come out as they do locally. Merging k runs is O(n log k) and needs no
// sampling pass; range partitioning would spread the merge too but costs
// a second read of the input, or a sample taken before the input is known.
//
// Why through the coordinator rather than executor to executor: an
// executor holds nothing another task needs, so a failed map or reduce
// task runs again alone, on another executor (with the retries and slots
// of fragments), and executors stay disposable; they also need no
// addresses of each other. The cost is that shuffled data crosses the
// wire twice, executor to coordinator and back, and the coordinator's
// network and disk bound the shuffle's throughput. A reduce task's
// executor holds its partition in memory, so P should make partitions
// that fit, and the coordinator receives a reduce task's result in full
// before passing it up, as it does a fragment's, so that the task can run
// again. Runner.Stats counts exchanges, map and reduce tasks and shuffled
// and spilled bytes; Runner.Logf is told the plan the coordinator runs.
//
// # Other hosts
//
// An executor for other hosts listens on TCP: ServeTCP(ctx, addr, tls) in
// the user's own program (so that its sources and functions exist there),
// the same program with LAKEFRAME_EXECUTOR_LISTEN and the TLS file
// variables set (ServeIfExecutor then serves on TCP), or
// cmd/lakeframe-executor, which knows the built-in sources only. The
// coordinator calls Attach(ctx, addrs, Options{TLS: ...}). The service and
// the fragments are the same as for local executors: a fragment carries
// what the executor needs to open its source again, the paths above all,
// so an executor must see the same files or object store under the same
// names. Parquet fragments do not carry S3 settings yet: an executor reads
// s3:// paths with those of its own AWS environment (AWS_ENDPOINT_URL_S3,
// AWS_REGION, AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY).
//
// Both sides authenticate: TLS 1.3 only, each side's certificate checked
// against the CA it was given, and the executor requires a client
// certificate. A coordinator without one, or with one from another CA,
// fails in Attach with an error naming the address and the TLS cause; the
// executor logs the refused connection and goes on serving. ThrowawayTLS
// makes a CA and certificates for tests and examples.
//
// # Failures and lifetime
//
// A fragment's result is received in full before its first batch goes up
// the plan, so a fragment whose executor fails runs again on another
// executor, at most Options.Retries times, after which the query fails
// with an error naming the executor (pid or address) and the fragment. An
// executor has failed when its process exited, its connection broke, or
// it stopped answering: every executor, busy or idle, gets a gRPC health
// check (go-plugin's Ping) every Options.HealthInterval and must answer
// within Options.HealthTimeout (2s each by default); the connections also
// have a gRPC keepalive (Options.KeepaliveTime, which gRPC does not allow
// below 10s, and KeepaliveTimeout). A process stopped with SIGSTOP, or a
// host whose network is cut, keeps its connection open and is found this
// way. The failed executor's connection is closed, which cancels its
// fragments in flight; a local one is SIGKILLed (a stopped process never
// answers a polite shutdown) and a replacement is spawned (fragments that
// find no live executor wait for it), while an attached one is dialled
// again every HealthInterval and rejoins the pool once it answers. An
// error raised by the fragment itself is not retried.
//
// Pool.Close kills the local executors, or disconnects from attached ones
// and leaves them running; a runner made by NewRunner starts executors per
// query and kills them when the query's stream closes or its context ends.
// Cleanup kills every executor the process started (call it deferred in
// main). go-plugin does not stop a plugin whose host died, so a local
// executor watches its parent process id and exits when it changes; an
// executor on TCP does so only with LAKEFRAME_EXECUTOR_EXIT_WITH_PARENT=1,
// and otherwise serves until SIGINT or SIGTERM.
package remote
