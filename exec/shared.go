package exec

import (
	"context"
	"io"
	"sync"

	"github.com/apache/arrow-go/v18/arrow"
)

// sharedOp runs its input once, on the first Execute, and replays the
// batches to each of its consumers. The batches are released when the last
// consumer closes its stream; if a consumer never starts (an operator that
// skips an input it no longer needs), they are left to the garbage
// collector instead.
type sharedOp struct {
	input     Operator
	consumers int

	once    sync.Once
	batches []arrow.RecordBatch
	err     error

	mu     sync.Mutex
	closed int
}

func newSharedOp(input Operator, consumers int) *sharedOp {
	return &sharedOp{input: input, consumers: max(consumers, 1)}
}

func (s *sharedOp) Schema() *arrow.Schema { return s.input.Schema() }
func (s *sharedOp) Partitions() int       { return 1 }

func (s *sharedOp) Execute(ctx context.Context, tc *TaskContext, _ int) (Stream, error) {
	s.once.Do(func() { s.batches, s.err = s.materialize(ctx, tc) })
	if s.err != nil {
		s.close()
		return nil, s.err
	}
	return &sharedStream{op: s}, nil
}

func (s *sharedOp) materialize(ctx context.Context, tc *TaskContext) ([]arrow.RecordBatch, error) {
	st, err := s.input.Execute(ctx, tc, 0)
	if err != nil {
		return nil, err
	}
	defer st.Close()
	var out []arrow.RecordBatch
	for {
		rec, err := st.Next(ctx)
		if err == io.EOF {
			return out, nil
		}
		if err != nil {
			for _, r := range out {
				r.Release()
			}
			return nil, err
		}
		out = append(out, rec)
	}
}

// close counts one consumer as finished and frees the rows after the last.
func (s *sharedOp) close() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.closed++
	if s.closed == s.consumers {
		for _, r := range s.batches {
			r.Release()
		}
		s.batches = nil
	}
}

type sharedStream struct {
	op     *sharedOp
	next   int
	closed bool
}

func (s *sharedStream) Schema() *arrow.Schema { return s.op.Schema() }

func (s *sharedStream) Next(ctx context.Context) (arrow.RecordBatch, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	if s.closed || s.next >= len(s.op.batches) {
		return nil, io.EOF
	}
	rec := s.op.batches[s.next]
	s.next++
	rec.Retain()
	return rec, nil
}

func (s *sharedStream) Close() error {
	if !s.closed {
		s.closed = true
		s.op.close()
	}
	return nil
}
