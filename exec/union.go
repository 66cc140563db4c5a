package exec

import (
	"context"
	"fmt"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"

	"lakeframe/errs"
	"lakeframe/plan/physical"
)

// unionOp runs each of its partitions as one partition of one input. The
// inputs' batches carry the inputs' own schemas, which may differ from the
// union's in nullability and metadata, so each batch is relabelled with
// the union's schema; the columns are passed on untouched.
type unionOp struct {
	node   *physical.Union
	inputs []Operator
}

func (u *unionOp) Schema() *arrow.Schema { return u.node.Out }
func (u *unionOp) Partitions() int       { return u.node.Partitions() }

func (u *unionOp) Execute(ctx context.Context, tc *TaskContext, p int) (Stream, error) {
	i, part := u.node.Locate(p)
	if i < 0 {
		return nil, fmt.Errorf("%w: union has no partition %d", errs.ErrInternal, p)
	}
	in, err := u.inputs[i].Execute(ctx, tc, part)
	if err != nil {
		return nil, err
	}
	if in.Schema().Equal(u.node.Out) {
		return in, nil
	}
	return &relabelStream{in: in, schema: u.node.Out}, nil
}

// relabelStream gives its input's batches another schema of the same
// column types.
type relabelStream struct {
	in     Stream
	schema *arrow.Schema
}

func (s *relabelStream) Schema() *arrow.Schema { return s.schema }

func (s *relabelStream) Next(ctx context.Context) (arrow.RecordBatch, error) {
	rec, err := s.in.Next(ctx)
	if err != nil {
		return nil, err
	}
	out := array.NewRecordBatch(s.schema, rec.Columns(), rec.NumRows())
	rec.Release()
	return out, nil
}

func (s *relabelStream) Close() error { return s.in.Close() }
