package exec

import (
	"context"
	"io"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/scalar"

	"lakeframe/plan/physical"
)

// valuesOp emits the one row of a Values node.
type valuesOp struct{ node *physical.Values }

func (v *valuesOp) Schema() *arrow.Schema { return v.node.Schema() }
func (v *valuesOp) Partitions() int       { return 1 }

func (v *valuesOp) Execute(_ context.Context, tc *TaskContext, _ int) (Stream, error) {
	return &valuesStream{op: v, tc: tc}, nil
}

type valuesStream struct {
	op   *valuesOp
	tc   *TaskContext
	done bool
}

func (s *valuesStream) Schema() *arrow.Schema { return s.op.Schema() }

func (s *valuesStream) Next(context.Context) (arrow.RecordBatch, error) {
	if s.done {
		return nil, io.EOF
	}
	s.done = true
	cols := make([]arrow.Array, len(s.op.node.Row))
	for i, sc := range s.op.node.Row {
		col, err := scalar.MakeArrayFromScalar(sc, 1, s.tc.Mem)
		if err != nil {
			releaseAll(cols)
			return nil, err
		}
		cols[i] = col
	}
	defer releaseAll(cols)
	return array.NewRecordBatch(s.op.Schema(), cols, 1), nil
}

func (s *valuesStream) Close() error { return nil }
