package frame

import (
	"context"
	"time"

	"github.com/apache/arrow-go/v18/arrow/memory"

	"lakeframe/exec"
	"lakeframe/exec/bufpool"
	"lakeframe/plan"
	"lakeframe/plan/physical"
)

// Option tunes how a query runs.
type Option func(*runConfig)

// Progress is one operator's figures while a query runs.
type Progress = exec.OpSnapshot

type runConfig struct {
	parallelism int
	batchSize   int
	mem         memory.Allocator
	optimizer   plan.Config
	progress    func([]Progress)
	every       time.Duration
	quiet       bool
	scans       func(ScanReport)
	budget      int64
	spillDir    string
	// runner executes a physical plan; nil means the local goroutine pool.
	runner Runner
}

// Runner executes a physical plan and returns its result as one stream.
// The local goroutine pool is the default; other runners (executor
// processes) plug in with WithRunner.
type Runner interface {
	Open(ctx context.Context, tc *exec.TaskContext, root physical.Node) (exec.Stream, error)
}

// WithRunner runs the query with r instead of the local goroutine pool.
func WithRunner(r Runner) Option { return func(c *runConfig) { c.runner = r } }

func newRunConfig(opts []Option) *runConfig {
	cfg := &runConfig{mem: bufpool.Default, batchSize: exec.DefaultBatchSize, every: 200 * time.Millisecond}
	for _, o := range opts {
		o(cfg)
	}
	return cfg
}

// WithParallelism bounds how many partitions run at once (default
// GOMAXPROCS).
func WithParallelism(n int) Option { return func(c *runConfig) { c.parallelism = n } }

// WithBatchSize sets the number of rows operators aim for per batch.
func WithBatchSize(n int) Option {
	return func(c *runConfig) {
		if n > 0 {
			c.batchSize = n
		}
	}
}

// WithAllocator allocates every Arrow buffer of the query from mem.
func WithAllocator(mem memory.Allocator) Option { return func(c *runConfig) { c.mem = mem } }

// WithoutRules turns off optimizer rules by name (e.g. "push_down_filter").
func WithoutRules(names ...string) Option {
	return func(c *runConfig) {
		if c.optimizer.Disabled == nil {
			c.optimizer.Disabled = map[string]bool{}
		}
		for _, n := range names {
			c.optimizer.Disabled[n] = true
		}
	}
}

// WithProgress calls fn with every operator's rows and bytes so far, every
// interval while the query runs and once at the end.
func WithProgress(every time.Duration, fn func([]Progress)) Option {
	return func(c *runConfig) {
		c.progress = fn
		if every > 0 {
			c.every = every
		}
	}
}

// WithoutProgressDisplay keeps the live progress lines off even when stderr
// is a terminal.
func WithoutProgressDisplay() Option { return func(c *runConfig) { c.quiet = true } }

// ScanReport tells what one scan of a query reads: the source, and the
// files, row groups, manifests and bytes its pushdowns kept.
type ScanReport struct {
	Kind   string // "parquet", "iceberg", ...
	Source string
	Stats  plan.ScanStats
}

// WithScanReport calls fn once per scan when the query has been planned,
// before it runs, with what the scan will read.
func WithScanReport(fn func(ScanReport)) Option { return func(c *runConfig) { c.scans = fn } }

// WithMemoryBudget bounds the bytes one hash join's build side keeps in
// memory; past it, both sides are partitioned to disk and joined partition
// by partition (default 1 GiB).
func WithMemoryBudget(bytes int64) Option { return func(c *runConfig) { c.budget = bytes } }

// WithSpillDir sets where spilled partitions are written (default: the
// system's temporary directory).
func WithSpillDir(dir string) Option { return func(c *runConfig) { c.spillDir = dir } }
