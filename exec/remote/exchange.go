package remote

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"

	"github.com/apache/arrow-go/v18/arrow"

	"lakeframe/errs"
	"lakeframe/exec"
	"lakeframe/expr"
	"lakeframe/plan"
	"lakeframe/plan/physical"
)

// exchange moves the rows of a map plan into parts partitions by the hash
// of keys, holding them on the coordinator (shuffleStore) until reduce
// tasks take them. The map plan runs inside the reduce tasks of the stage
// it reads, when it reads one row by row; else on executors, one map task
// per partition of it, when it can be encoded; otherwise (it merges
// partitions, or reads a source executors cannot open) on the
// coordinator, which partitions its rows itself.
type exchange struct {
	desc   string
	schema *arrow.Schema
	keys   []expr.Node
	parts  int
	// byTask sends all of map task i's rows to partition i (sorted runs).
	byTask bool
	tasks  int
	// remote[i] is map task i's request; nil when the map runs locally.
	remote [][]byte
	local  exec.Operator
	// fused is the reduce stage whose tasks run the map plan, fusedReq
	// their request, when the map side reads that stage's output.
	fused    *reduceSource
	fusedReq []byte
	store    *shuffleStore
}

// newExchange plans the map side of an exchange over in. wrap, when set,
// is applied to each map task's plan (the sort of a sorted run).
func (q *query) newExchange(desc string, in physical.Node, keys []expr.Node, parts int, byTask bool, wrap func(physical.Node) physical.Node) (*exchange, error) {
	x := &exchange{desc: desc, keys: keys, parts: parts, byTask: byTask, tasks: in.Partitions()}
	if src, req, ok := q.fuseMaps(in, keys, parts, byTask, wrap); ok {
		x.fused, x.fusedReq, x.tasks = src, req, src.stage.exchanges[0].parts
		q.r.logf("remote: map side of %s runs in the reduce tasks of %s", desc, src.desc)
	} else if reqs, why := q.encodeMaps(in, keys, parts, byTask, wrap); why == "" {
		x.remote = reqs
	} else {
		if wrap != nil {
			return nil, fmt.Errorf("%w: map side of %s cannot run on executors: %s", errs.ErrInternal, desc, why)
		}
		q.r.logf("remote: map side of %s runs on the coordinator: %s", desc, why)
		local, _, err := q.r.rewrite(in, q.pool, q.tc)
		if err != nil {
			return nil, err
		}
		if x.local, err = exec.Build(local); err != nil {
			return nil, err
		}
	}
	if byTask {
		x.parts = x.tasks
	}
	x.store = newShuffleStore(x.parts, q.tc.MemoryBudget, q.tc.SpillDir, &q.r.Stats)
	q.stores = append(q.stores, x.store)
	if wrap != nil {
		in = wrap(in)
	}
	op, err := exec.Build(in)
	if err != nil {
		return nil, err
	}
	x.schema = op.Schema()
	return x, nil
}

// encodeMaps encodes one request per partition of in, or says why in
// stays on the coordinator. A plan holding a Coalesce runs whole on one
// executor per task, so it is left to the coordinator, which spreads its
// inputs over the executors as fragments.
func (q *query) encodeMaps(in physical.Node, keys []expr.Node, parts int, byTask bool, wrap func(physical.Node) physical.Node) ([][]byte, string) {
	if why := gathers(in); why != "" {
		return nil, why
	}
	kj, err := encodeExprs(keys)
	if err != nil {
		return nil, err.Error()
	}
	if byTask {
		parts = 1
	}
	reqs := make([][]byte, in.Partitions())
	for i := range reqs {
		n, p := slicePartition(in, i)
		if wrap != nil {
			n = wrap(n)
		}
		pj, err := encodeNode(n)
		if err != nil {
			return nil, err.Error()
		}
		b, err := json.Marshal(&mapRequest{Plan: pj, Partition: p, Keys: kj, Parts: parts,
			BatchSize: q.tc.BatchSize, Compression: q.pool.opts.Compression, MemoryBudget: q.tc.MemoryBudget})
		if err != nil {
			return nil, err.Error()
		}
		reqs[i] = b
	}
	return reqs, ""
}

// gathers names a node of n that merges partitions, if any.
func gathers(n physical.Node) string {
	switch x := n.(type) {
	case *physical.Coalesce, *physical.Shared:
		return n.String() + " merges partitions"
	case *physical.HashJoin:
		// One that keeps several partitions shares its build-row marks
		// between them, so no partition of it can run alone.
		if x.NeedsAllProbeRows() && x.Partitions() > 1 {
			return n.String() + " needs every probe partition"
		}
	}
	for _, c := range n.Children() {
		if why := gathers(c); why != "" {
			return why
		}
	}
	return ""
}

// slicePartition narrows n to its partition i where that partition reads
// one scan partition through per-partition nodes, so a map task carries
// its own scan tasks only; it returns the node and the partition to run.
func slicePartition(n physical.Node, i int) (physical.Node, int) {
	out, ok := rewriteRowSpine(n, false, func(x *physical.Scan) (physical.Node, bool) {
		if i >= len(x.Groups) {
			return nil, false
		}
		c := *x
		c.Groups = [][]plan.Task{x.Groups[i]}
		return &c, true
	})
	if ok {
		return out, 0
	}
	return n, i
}

// rewriteRowSpine follows n down through nodes that work on each
// partition's rows alone (filters, projections, limits and top-k per
// partition, partial aggregates, probe sides of joins that need not see
// every probe row, and Coalesce when throughCoalesce, which it drops) to a
// scan, which leaf replaces; the nodes above are copied onto the result.
// It fails on any other node, or when leaf does.
func rewriteRowSpine(n physical.Node, throughCoalesce bool, leaf func(*physical.Scan) (physical.Node, bool)) (physical.Node, bool) {
	var in physical.Node
	switch x := n.(type) {
	case *physical.Scan:
		return leaf(x)
	case *physical.Coalesce:
		if !throughCoalesce {
			return nil, false
		}
		return rewriteRowSpine(x.Input, throughCoalesce, leaf)
	case *physical.Filter, *physical.Project, *physical.Limit, *physical.TopK:
		in = n.Children()[0]
	case *physical.HashAggregate:
		if x.Mode != physical.AggPartial {
			return nil, false
		}
		in = x.Input
	case *physical.HashJoin:
		if x.NeedsAllProbeRows() {
			return nil, false
		}
		in = x.Probe
	default:
		return nil, false
	}
	c, ok := rewriteRowSpine(in, throughCoalesce, leaf)
	if !ok {
		return nil, false
	}
	var out physical.Node
	var err error
	if j, isJoin := n.(*physical.HashJoin); isJoin {
		out, err = n.WithChildren(c, j.Build)
	} else {
		out, err = n.WithChildren(c)
	}
	return out, err == nil
}

// fuseMaps recognizes a map side that reads the output of another
// stage's reduce tasks through nodes that work row by row (filters,
// projections, partial aggregates, probes of joins that emit no unmatched
// build rows, and Coalesce, which only moves rows). Those reduce tasks
// then run the map plan over their result and split it for this
// exchange, so the rows go to the coordinator once instead of coming back
// whole to be split there. It returns the stage's source and the reduce
// request.
func (q *query) fuseMaps(in physical.Node, keys []expr.Node, parts int, byTask bool, wrap func(physical.Node) physical.Node) (*reduceSource, []byte, bool) {
	var src *reduceSource
	fused, ok := rewriteRowSpine(in, true, func(x *physical.Scan) (physical.Node, bool) {
		rs, ok := x.Source.(*reduceSource)
		if !ok {
			return nil, false
		}
		src = rs
		return rs.plan, true
	})
	if !ok {
		return nil, nil, false
	}
	if wrap != nil {
		fused = wrap(fused)
	}
	pj, err := encodeNode(fused)
	if err != nil {
		return nil, nil, false
	}
	kj, err := encodeExprs(keys)
	if err != nil {
		return nil, nil, false
	}
	if byTask {
		parts = 1
	}
	req := &reduceRequest{Plan: pj, Keys: kj, Parts: parts, BatchSize: q.tc.BatchSize, Compression: q.pool.opts.Compression, MemoryBudget: q.tc.MemoryBudget}
	for _, x := range src.stage.exchanges {
		b, err := encodeSchema(x.schema)
		if err != nil {
			return nil, nil, false
		}
		req.Inputs = append(req.Inputs, b)
	}
	data, err := json.Marshal(req)
	if err != nil {
		return nil, nil, false
	}
	return src, data, true
}

// drain adds the tagged map output messages recv returns to att, each to
// the partition target gives for its tag.
func drain(recv func() ([]byte, error), att *storeAttempt, target func(int) int) error {
	tag := []int{0}
	for {
		msg, err := recv()
		if errors.Is(err, io.EOF) {
			return nil
		}
		if err != nil {
			return err
		}
		b, err := untag(msg, tag)
		if err != nil {
			return err
		}
		if err := att.add(target(tag[0]), b); err != nil {
			return err
		}
	}
}

// runFusedMap runs map task i inside reduce task i of the stage it reads.
func (q *query) runFusedMap(ctx context.Context, x *exchange, i int, desc string, target func(int) int) error {
	src := x.fused
	if err := src.stage.wait(ctx); err != nil {
		return err
	}
	if !src.empty(i) {
		err := q.onExecutor(ctx, desc, func(ctx context.Context, e *executor) error {
			att := x.store.begin()
			recv, err := src.send(ctx, e, x.fusedReq, i)
			if err == nil {
				err = drain(recv, att, target)
			}
			if err != nil {
				att.discard()
				return err
			}
			att.commit()
			return nil
		})
		if err != nil {
			return err
		}
	}
	src.release(i)
	q.r.Stats.reduceTasks.Add(1)
	q.r.Stats.mapTasks.Add(1)
	return nil
}

// runMap runs map task i, on an executor or locally, into the store.
func (q *query) runMap(ctx context.Context, x *exchange, i int) error {
	target := func(p int) int {
		if x.byTask {
			return i
		}
		return p
	}
	desc := fmt.Sprintf("map task %d of %s", i, x.desc)
	if x.fused != nil {
		return q.runFusedMap(ctx, x, i, desc, target)
	}
	if x.remote == nil {
		att := x.store.begin()
		if err := q.runLocalMap(ctx, x, i, att); err != nil {
			att.discard()
			return fmt.Errorf("%s: %w", desc, err)
		}
		att.commit()
		q.r.Stats.mapTasks.Add(1)
		return nil
	}
	err := q.onExecutor(ctx, desc, func(ctx context.Context, e *executor) error {
		att := x.store.begin()
		recv, err := e.c.mapTask(ctx, x.remote[i])
		if err == nil {
			err = drain(recv, att, target)
		}
		if err != nil {
			att.discard()
			return err
		}
		att.commit()
		return nil
	})
	if err == nil {
		q.r.Stats.mapTasks.Add(1)
	}
	return err
}

func (q *query) runLocalMap(ctx context.Context, x *exchange, i int, att *storeAttempt) (err error) {
	st, err := x.local.Execute(ctx, q.tc, i)
	if err != nil {
		return err
	}
	defer func() {
		if cerr := st.Close(); err == nil {
			err = cerr
		}
	}()
	parts := x.parts
	if x.byTask {
		parts = 1
	}
	w, err := newShuffleWriter(q.tc.Mem, x.schema, x.keys, parts, q.pool.opts.Compression, func(p int, b []byte) error {
		if x.byTask {
			p = i
		}
		return att.add(p, b)
	})
	if err != nil {
		return err
	}
	if err := eachBatch(ctx, st, func(rec arrow.RecordBatch) error { return w.write(ctx, rec) }); err != nil {
		return err
	}
	return w.close()
}
