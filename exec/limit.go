package exec

import (
	"context"
	"io"

	"github.com/apache/arrow-go/v18/arrow"
)

// limitOp skips offset rows and passes n, then stops pulling its input.
type limitOp struct {
	input     Operator
	offset, n int64
}

func (l *limitOp) Schema() *arrow.Schema { return l.input.Schema() }
func (l *limitOp) Partitions() int       { return l.input.Partitions() }

func (l *limitOp) Execute(ctx context.Context, tc *TaskContext, p int) (Stream, error) {
	if l.n == 0 {
		return &emptyStream{schema: l.Schema()}, nil
	}
	in, err := l.input.Execute(ctx, tc, p)
	if err != nil {
		return nil, err
	}
	return &limitStream{in: in, skip: l.offset, left: l.n}, nil
}

type limitStream struct {
	in         Stream
	skip, left int64
}

func (s *limitStream) Schema() *arrow.Schema { return s.in.Schema() }

func (s *limitStream) Next(ctx context.Context) (arrow.RecordBatch, error) {
	for s.left > 0 {
		rec, err := s.in.Next(ctx)
		if err != nil {
			return nil, err
		}
		n := rec.NumRows()
		if s.skip >= n {
			s.skip -= n
			rec.Release()
			continue
		}
		start, end := s.skip, min(n, s.skip+s.left)
		s.skip = 0
		s.left -= end - start
		if start == 0 && end == n {
			return rec, nil
		}
		out := rec.NewSlice(start, end)
		rec.Release()
		return out, nil
	}
	return nil, io.EOF
}

func (s *limitStream) Close() error { return s.in.Close() }

// emptyStream yields no batches.
type emptyStream struct{ schema *arrow.Schema }

func (e *emptyStream) Schema() *arrow.Schema                           { return e.schema }
func (e *emptyStream) Next(context.Context) (arrow.RecordBatch, error) { return nil, io.EOF }
func (e *emptyStream) Close() error                                    { return nil }
