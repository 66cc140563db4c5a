package remote

import (
	"context"
	"errors"
	"fmt"
	"io"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/ipc"

	"lakeframe/errs"
	"lakeframe/exec"
	"lakeframe/plan"
)

// fragmentSource is a source whose tasks are fragments run by executors.
// A physical.Scan over it stands in for the shipped subtree, so the rest
// of the plan is built and run by exec.Build unchanged.
type fragmentSource struct {
	runnerSource
	pool  *Pool
	stats *Stats
}

// fragmentTask is one partition's fragment, encoded.
type fragmentTask struct {
	data  []byte
	desc  string
	bytes int64
}

func (t *fragmentTask) String() string        { return t.desc }
func (t *fragmentTask) EstimatedBytes() int64 { return t.bytes }

var (
	_ exec.Scanner = (*fragmentSource)(nil)
	_ plan.Task    = (*fragmentTask)(nil)
)

// Open runs the fragment on an executor. Its whole result is received
// before the first batch is returned, so that a fragment whose executor
// dies can run again elsewhere without repeating rows; fragments end in a
// partial aggregate or read one task group, which bounds that buffer
// (less so a broadcast join's, whose output may exceed its input).
func (s *fragmentSource) Open(ctx context.Context, tc *exec.TaskContext, task plan.Task) (exec.Stream, error) {
	ft, ok := task.(*fragmentTask)
	if !ok {
		return nil, fmt.Errorf("%w: remote source got task %T", errs.ErrInternal, task)
	}
	var prev *executor
	var lastErr error
	for attempt := 0; attempt <= s.pool.opts.Retries; attempt++ {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		e, err := s.pool.pick(prev)
		if err != nil {
			if lastErr != nil {
				err = fmt.Errorf("%w; before that: %w", err, lastErr)
			}
			return nil, err
		}
		batches, err := s.runOn(ctx, tc, e, ft)
		if err == nil {
			s.stats.fragments.Add(1)
			return &batchStream{schema: s.schema, batches: batches}, nil
		}
		if ctx.Err() != nil {
			return nil, ctx.Err()
		}
		if !executorFault(e, err) {
			return nil, fmt.Errorf("%w: %s, fragment %s: %w", errs.ErrExec, e, ft.desc, err)
		}
		lastErr = fmt.Errorf("%s failed running fragment %s: %w", e, ft.desc, err)
		s.stats.retries.Add(1)
		s.pool.fail(ctx, e)
		prev = e
	}
	return nil, fmt.Errorf("%w: giving up after %d retries: %w", errs.ErrExec, s.pool.opts.Retries, lastErr)
}

func (s *fragmentSource) runOn(ctx context.Context, tc *exec.TaskContext, e *executor, ft *fragmentTask) (out []arrow.RecordBatch, err error) {
	select {
	case e.slots <- struct{}{}:
	case <-ctx.Done():
		return nil, ctx.Err()
	}
	defer func() { <-e.slots }()
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	defer func() {
		if err != nil {
			for _, b := range out {
				b.Release()
			}
			out = nil
		}
	}()
	r, err := e.c.run(ctx, ft.data)
	if err != nil {
		return nil, err
	}
	rd, err := ipc.NewReader(r, ipc.WithAllocator(tc.Mem), ipc.WithSchema(s.schema))
	if err != nil {
		return nil, err
	}
	defer rd.Release()
	for rd.Next() {
		rec := rd.RecordBatch()
		rec.Retain()
		out = append(out, rec)
	}
	if err := rd.Err(); err != nil && !errors.Is(err, io.EOF) {
		return out, err
	}
	return out, nil
}

// batchStream returns batches received in full.
type batchStream struct {
	schema  *arrow.Schema
	batches []arrow.RecordBatch
}

func (b *batchStream) Schema() *arrow.Schema { return b.schema }

func (b *batchStream) Next(context.Context) (arrow.RecordBatch, error) {
	if len(b.batches) == 0 {
		return nil, io.EOF
	}
	rec := b.batches[0]
	b.batches[0] = nil
	b.batches = b.batches[1:]
	return rec, nil
}

func (b *batchStream) Close() error {
	for _, r := range b.batches {
		r.Release()
	}
	b.batches = nil
	return nil
}
