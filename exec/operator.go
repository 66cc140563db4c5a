package exec

import (
	"context"

	"github.com/apache/arrow-go/v18/arrow"
)

// Operator is an executable physical node. Each partition runs as its own
// stream, on the goroutine that pulls it; Coalesce is the only operator that
// starts goroutines, one per input partition.
type Operator interface {
	Schema() *arrow.Schema
	Partitions() int
	// Execute starts partition p.
	Execute(ctx context.Context, tc *TaskContext, p int) (Stream, error)
}
