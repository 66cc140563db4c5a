package remote

import (
	"context"
	"errors"
	"fmt"
	"sync"

	"lakeframe/errs"
	"lakeframe/exec"
)

// query is what one Runner.Open call plans and runs: its shuffle stages
// and their stores, removed when the query's stream closes.
type query struct {
	r      *Runner
	pool   *Pool
	tc     *exec.TaskContext
	stores []*shuffleStore
}

// close frees every exchange's data and spill file.
func (q *query) close() error {
	var errList []error
	for _, s := range q.stores {
		errList = append(errList, s.close())
	}
	return errors.Join(errList...)
}

// onExecutor runs call on an executor, holding one of its slots, and runs
// it again on another executor when the executor (not the task) failed,
// at most Options.Retries times, as fragments are.
func (q *query) onExecutor(ctx context.Context, desc string, call func(context.Context, *executor) error) error {
	var prev *executor
	var lastErr error
	for attempt := 0; attempt <= q.pool.opts.Retries; attempt++ {
		if err := ctx.Err(); err != nil {
			return err
		}
		e, err := q.pool.pick(prev)
		if err != nil {
			if lastErr != nil {
				err = fmt.Errorf("%w; before that: %w", err, lastErr)
			}
			return err
		}
		err = withSlot(ctx, e, call)
		if err == nil {
			return nil
		}
		if ctx.Err() != nil {
			return ctx.Err()
		}
		if !executorFault(e, err) {
			return fmt.Errorf("%w: %s, %s: %w", errs.ErrExec, e, desc, err)
		}
		lastErr = fmt.Errorf("%s failed running %s: %w", e, desc, err)
		q.r.Stats.retries.Add(1)
		q.pool.fail(ctx, e)
		prev = e
	}
	return fmt.Errorf("%w: giving up after %d retries: %w", errs.ErrExec, q.pool.opts.Retries, lastErr)
}

func withSlot(ctx context.Context, e *executor, call func(context.Context, *executor) error) error {
	select {
	case e.slots <- struct{}{}:
	case <-ctx.Done():
		return ctx.Err()
	}
	defer func() { <-e.slots }()
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	return call(ctx, e)
}

// shuffleStage is the map side of the exchanges one reduce stage reads
// (a partitioned join has two). It runs once, when the first reduce task
// starts: every map task must have finished before any partition is
// complete.
type shuffleStage struct {
	q         *query
	exchanges []*exchange
	once      sync.Once
	err       error
}

func (s *shuffleStage) wait(ctx context.Context) error {
	s.once.Do(func() { s.err = s.run(ctx) })
	return s.err
}

func (s *shuffleStage) run(ctx context.Context) error {
	q := s.q
	limit := max(q.pool.opts.Executors*q.pool.opts.PerExecutor, q.tc.Parallelism, 1)
	g, gctx := exec.NewGroup(ctx, limit)
	for _, x := range s.exchanges {
		for i := range x.tasks {
			g.Go(func() error { return q.runMap(gctx, x, i) })
		}
	}
	if err := g.Wait(); err != nil {
		return err
	}
	q.r.Stats.exchanges.Add(int64(len(s.exchanges)))
	return nil
}
