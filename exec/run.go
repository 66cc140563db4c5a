package exec

import (
	"context"
	"errors"
	"io"

	"github.com/apache/arrow-go/v18/arrow"

	"lakeframe/plan/physical"
)

// Open builds a physical plan and starts it as one stream; a plan with
// several output partitions is coalesced.
func Open(ctx context.Context, tc *TaskContext, root physical.Node) (Stream, error) {
	op, err := Build(root)
	if err != nil {
		return nil, err
	}
	if op.Partitions() > 1 {
		op = &coalesceOp{input: op}
	}
	return op.Execute(ctx, tc, 0)
}

// Collect runs a physical plan to the end and returns every batch; the
// caller releases them.
func Collect(ctx context.Context, tc *TaskContext, root physical.Node) (batches []arrow.RecordBatch, err error) {
	st, err := Open(ctx, tc, root)
	if err != nil {
		return nil, err
	}
	defer func() {
		if cerr := st.Close(); err == nil && cerr != nil {
			err = cerr
		}
		if err != nil {
			for _, b := range batches {
				b.Release()
			}
			batches = nil
		}
	}()
	for {
		rec, err := st.Next(ctx)
		if errors.Is(err, io.EOF) {
			return batches, nil
		}
		if err != nil {
			return batches, err
		}
		batches = append(batches, rec)
	}
}
