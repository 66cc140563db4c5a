package exec

import (
	"context"
	"io"
	"sync"

	"github.com/apache/arrow-go/v18/arrow"
)

// coalesceOp merges the partitions of its input into one stream: each input
// partition runs on its own supervised goroutine, at most Parallelism at
// once, and sends its batches through a small bounded channel, so fast
// producers wait for the consumer (backpressure).
type coalesceOp struct {
	input Operator
}

func (c *coalesceOp) Schema() *arrow.Schema { return c.input.Schema() }
func (c *coalesceOp) Partitions() int       { return 1 }

func (c *coalesceOp) Execute(ctx context.Context, tc *TaskContext, _ int) (Stream, error) {
	n := c.input.Partitions()
	if n == 1 {
		return c.input.Execute(ctx, tc, 0)
	}
	runCtx, cancel := context.WithCancel(ctx)
	g, gctx := NewGroup(runCtx, 0)
	out := make(chan arrow.RecordBatch, 2*n)
	s := &coalesceStream{schema: c.Schema(), out: out, cancel: cancel, g: g}
	sem := make(chan struct{}, tc.parallelism())
	for p := range n {
		g.Go(func() error {
			select {
			case sem <- struct{}{}:
			case <-gctx.Done():
				return gctx.Err()
			}
			defer func() { <-sem }()
			return drainInto(gctx, tc, c.input, p, out)
		})
	}
	// A watcher closes out once every producer is done, which tells the
	// consumer to read the group's error; Close waits for it too.
	s.watcher, _ = NewGroup(ctx, 0)
	s.watcher.Go(func() error {
		s.err = g.Wait()
		close(out)
		return nil
	})
	return s, nil
}

// drainInto runs one partition and sends its batches to out.
func drainInto(ctx context.Context, tc *TaskContext, op Operator, p int, out chan<- arrow.RecordBatch) error {
	st, err := op.Execute(ctx, tc, p)
	if err != nil {
		return err
	}
	defer st.Close()
	for {
		rec, err := st.Next(ctx)
		if err == io.EOF {
			return st.Close()
		}
		if err != nil {
			return err
		}
		select {
		case out <- rec:
		case <-ctx.Done():
			rec.Release()
			return ctx.Err()
		}
	}
}

type coalesceStream struct {
	schema  *arrow.Schema
	out     chan arrow.RecordBatch
	cancel  context.CancelFunc
	g       *Group
	watcher *Group
	err     error // set before out is closed
	once    sync.Once
}

func (s *coalesceStream) Schema() *arrow.Schema { return s.schema }

func (s *coalesceStream) Next(ctx context.Context) (arrow.RecordBatch, error) {
	select {
	case rec, ok := <-s.out:
		if !ok {
			if s.err != nil {
				return nil, s.err
			}
			return nil, io.EOF
		}
		return rec, nil
	case <-ctx.Done():
		return nil, ctx.Err()
	}
}

// Close cancels the producers, releases what they already sent, and waits
// for them to exit.
func (s *coalesceStream) Close() error {
	s.once.Do(func() {
		s.cancel()
		for rec := range s.out {
			rec.Release()
		}
		_ = s.watcher.Wait()
	})
	return nil
}
