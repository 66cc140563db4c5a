// Package exec runs physical plans: vectorized operators over Arrow record
// batches, the sources and sinks of file formats, and the local runner.
package exec

import (
	"context"
	"runtime"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/memory"

	"lakeframe/plan"
)

// Stream yields record batches. Next returns io.EOF after the last batch;
// the caller owns each batch it receives and must Release it. Close stops
// the stream early or after the end, and has released everything the
// stream holds (and stopped its goroutines) by the time it returns.
type Stream interface {
	Schema() *arrow.Schema
	Next(ctx context.Context) (arrow.RecordBatch, error)
	Close() error
}

// TaskContext is what running operators need besides ctx.
type TaskContext struct {
	// Mem allocates every Arrow buffer of the query.
	Mem memory.Allocator
	// BatchSize is the number of rows operators aim for per batch.
	BatchSize int
	// Metrics receives rows and bytes per operator; it may be nil.
	Metrics *Metrics
	// Parallelism bounds how many partitions run at once; zero means
	// GOMAXPROCS.
	Parallelism int
	// MemoryBudget bounds the bytes one hash join's build side holds in
	// memory before it spills partitions to disk; zero means 1 GiB.
	MemoryBudget int64
	// SpillDir is where spilled partitions go; empty means os.TempDir().
	SpillDir string
}

// DefaultBatchSize is the number of rows per batch when none is set.
const DefaultBatchSize = 64 * 1024

// Scanner is a plan.Source that can read its own tasks. Tasks carry
// everything pushed into them (columns, filters, limits), so a task read
// on another machine needs only the task.
type Scanner interface {
	plan.Source
	// Open starts reading one task. The stream's schema is the scan's
	// projected schema.
	Open(ctx context.Context, tc *TaskContext, task plan.Task) (Stream, error)
}

func (tc *TaskContext) parallelism() int {
	if tc.Parallelism > 0 {
		return tc.Parallelism
	}
	return runtime.GOMAXPROCS(0)
}

// joinBudget is the build-side memory a hash join may use.
func (tc *TaskContext) joinBudget() int64 {
	if tc.MemoryBudget > 0 {
		return tc.MemoryBudget
	}
	return joinMemoryBudget
}
