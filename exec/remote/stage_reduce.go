package remote

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/ipc"

	"lakeframe/errs"
	"lakeframe/exec"
	"lakeframe/plan"
	"lakeframe/plan/physical"
)

// reduceSource is a source whose task p runs the reduce plan on partition
// p of its stage's exchanges, on an executor. A physical.Scan over it, one
// partition per task, stands in for the subtree the stage replaced.
type reduceSource struct {
	runnerSource
	q     *query
	stage *shuffleStage
	// request is the reduce task, the same for every partition; plan is
	// what it runs, with exchangeInput leaves.
	request []byte
	plan    physical.Node
}

type reduceTask struct {
	p    int
	desc string
}

func (t *reduceTask) String() string        { return t.desc }
func (t *reduceTask) EstimatedBytes() int64 { return 0 }

var (
	_ exec.Scanner = (*reduceSource)(nil)
	_ plan.Task    = (*reduceTask)(nil)
)

// newReduce returns a scan running reduce on each partition of the
// stage's exchanges, whose data reduce reads through exchangeInput nodes
// numbered as stage.exchanges; estimate is the replaced subtree's size.
func (q *query) newReduce(desc string, stage *shuffleStage, reduce physical.Node, estimate int64) (*physical.Scan, error) {
	pj, err := encodeNode(reduce)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", desc, err)
	}
	req := &reduceRequest{Plan: pj, BatchSize: q.tc.BatchSize, Compression: q.pool.opts.Compression, MemoryBudget: q.tc.MemoryBudget}
	for _, x := range stage.exchanges {
		b, err := encodeSchema(x.schema)
		if err != nil {
			return nil, err
		}
		req.Inputs = append(req.Inputs, b)
	}
	data, err := json.Marshal(req)
	if err != nil {
		return nil, err
	}
	// Final aggregates and joins know their schema without exec.Build,
	// which has no operator for the exchange inputs.
	src := &reduceSource{runnerSource: runnerSource{kind: "shuffle", schema: reduce.Schema(), desc: desc}, q: q, stage: stage, request: data, plan: reduce}
	parts := stage.exchanges[0].parts
	tasks := make([]plan.Task, parts)
	groups := make([][]plan.Task, parts)
	for p := range tasks {
		tasks[p] = &reduceTask{p: p, desc: fmt.Sprintf("reduce partition %d of %s", p, desc)}
		groups[p] = []plan.Task{tasks[p]}
	}
	// The estimate of the replaced subtree, so that the plan above still
	// sizes its joins and aggregations.
	sp := &plan.ScanPlan{Tasks: tasks, Stats: plan.ScanStats{BytesToRead: estimate}}
	return &physical.Scan{Source: src, Logical: plan.NewScan(src), Plan: sp, Groups: groups}, nil
}

// Open runs the stage's map tasks if no reduce task has yet, then the
// reduce task on an executor, with the partition's data streamed in the
// request. The result is received in full, so a failed executor's task
// can run again elsewhere; the partition's data is freed once it is.
func (s *reduceSource) Open(ctx context.Context, tc *exec.TaskContext, task plan.Task) (exec.Stream, error) {
	rt, ok := task.(*reduceTask)
	if !ok {
		return nil, fmt.Errorf("%w: reduce source got task %T", errs.ErrInternal, task)
	}
	if err := s.stage.wait(ctx); err != nil {
		return nil, err
	}
	// Every reduce plan is keyed (a join, a grouped aggregation): no input
	// rows, no output rows.
	if s.empty(rt.p) {
		return &batchStream{schema: s.schema}, nil
	}
	var out []arrow.RecordBatch
	err := s.q.onExecutor(ctx, rt.desc, func(ctx context.Context, e *executor) error {
		batches, err := s.runOn(ctx, tc, e, rt.p)
		out = batches
		return err
	})
	if err != nil {
		return nil, err
	}
	s.release(rt.p)
	s.q.r.Stats.reduceTasks.Add(1)
	return &batchStream{schema: s.schema, batches: out}, nil
}

func (s *reduceSource) runOn(ctx context.Context, tc *exec.TaskContext, e *executor, p int) (out []arrow.RecordBatch, err error) {
	recv, err := s.send(ctx, e, s.request, p)
	if err != nil {
		return nil, err
	}
	rd, err := ipc.NewReader(&msgReader{recv: recv}, ipc.WithAllocator(tc.Mem), ipc.WithSchema(s.schema))
	if err != nil {
		return nil, err
	}
	defer rd.Release()
	defer func() {
		if err != nil {
			for _, b := range out {
				b.Release()
			}
			out = nil
		}
	}()
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

// send starts request on e with partition p of the stage's exchanges and
// returns the function reading the result's messages.
func (s *reduceSource) send(ctx context.Context, e *executor, request []byte, p int) (func() ([]byte, error), error) {
	send, done, recv, err := e.c.reduceTask(ctx)
	if err != nil {
		return nil, err
	}
	if err := send(request); err != nil {
		return nil, err
	}
	for i, x := range s.stage.exchanges {
		for j, st := range x.store.streams(p) {
			if err := x.store.read(st, func(b []byte) error { return sendTagged(send, b, i, j) }); err != nil {
				return nil, err
			}
		}
	}
	if err := done(); err != nil {
		return nil, err
	}
	return recv, nil
}

// empty says no exchange of the stage has data for partition p.
func (s *reduceSource) empty(p int) bool {
	for _, x := range s.stage.exchanges {
		if len(x.store.streams(p)) > 0 {
			return false
		}
	}
	return true
}

// release frees partition p of the stage's exchanges.
func (s *reduceSource) release(p int) {
	for _, x := range s.stage.exchanges {
		x.store.release(p)
	}
}
