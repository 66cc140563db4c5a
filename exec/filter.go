package exec

import (
	"context"
	"fmt"

	"github.com/apache/arrow-go/v18/arrow"

	"lakeframe/exec/eval"
	"lakeframe/exec/kernel"
	"lakeframe/expr"
)

// filterOp keeps the rows where the predicate is true.
type filterOp struct {
	input Operator
	pred  expr.Node
}

func (f *filterOp) Schema() *arrow.Schema { return f.input.Schema() }
func (f *filterOp) Partitions() int       { return f.input.Partitions() }

func (f *filterOp) Execute(ctx context.Context, tc *TaskContext, p int) (Stream, error) {
	in, err := f.input.Execute(ctx, tc, p)
	if err != nil {
		return nil, err
	}
	m := tc.Metrics.Register("filter")
	return &mapStream{in: in, schema: f.Schema(), fn: func(ctx context.Context, rec arrow.RecordBatch) (arrow.RecordBatch, error) {
		mask, err := eval.EvalPredicate(ctx, tc.Mem, f.pred, rec)
		if err != nil {
			return nil, fmt.Errorf("filter %s: %w", f.pred, err)
		}
		defer mask.Release()
		out, err := kernel.Filter(tc.Mem, rec, mask)
		if err != nil {
			return nil, fmt.Errorf("filter %s: %w", f.pred, err)
		}
		countOut(m, out)
		return out, nil
	}}, nil
}

// mapStream applies fn to each input batch, skipping empty results. fn must
// not release its input; the stream does.
type mapStream struct {
	in     Stream
	schema *arrow.Schema
	fn     func(context.Context, arrow.RecordBatch) (arrow.RecordBatch, error)
}

func (s *mapStream) Schema() *arrow.Schema { return s.schema }

func (s *mapStream) Next(ctx context.Context) (arrow.RecordBatch, error) {
	for {
		rec, err := s.in.Next(ctx)
		if err != nil {
			return nil, err
		}
		out, err := s.fn(ctx, rec)
		rec.Release()
		if err != nil {
			return nil, err
		}
		if out.NumRows() == 0 {
			out.Release()
			continue
		}
		return out, nil
	}
}

func (s *mapStream) Close() error { return s.in.Close() }
