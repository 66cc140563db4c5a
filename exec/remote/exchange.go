package remote

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"

	"github.com/apache/arrow-go/v18/arrow"

	"lakeframe/exec"
	"lakeframe/expr"
	"lakeframe/plan"
	"lakeframe/plan/physical"
)

// exchange moves the rows of a map plan into parts partitions by the hash
// of keys, holding them on the coordinator (shuffleStore) until reduce
// tasks take them. The map plan runs on executors, one map task per
// partition of it, when it can be encoded; otherwise (it reads the output
// of another exchange, or a source executors cannot open) it runs on the
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
	store  *shuffleStore
}

// newExchange plans the map side of an exchange over in.
func (q *query) newExchange(desc string, in physical.Node, keys []expr.Node, parts int, byTask bool, wrap func(physical.Node) physical.Node) (*exchange, error) {
	x := &exchange{desc: desc, keys: keys, parts: parts, byTask: byTask, tasks: in.Partitions()}
	if byTask {
		x.parts = x.tasks
	}
	x.store = newShuffleStore(x.parts, q.tc.MemoryBudget, q.tc.SpillDir, &q.r.Stats)
	q.stores = append(q.stores, x.store)
	if reqs, why := q.encodeMaps(in, keys, parts, byTask, wrap); why == "" {
		x.remote = reqs
	} else {
		q.r.logf("remote: map side of %s runs on the coordinator: %s", desc, why)
		local, _, err := q.r.rewrite(in, q.pool, q.tc)
		if err != nil {
			return nil, err
		}
		if wrap != nil {
			return nil, fmt.Errorf("map side of %s cannot run on executors: %s", desc, why)
		}
		if x.local, err = exec.Build(local); err != nil {
			return nil, err
		}
	}
	op, err := exec.Build(in)
	if err != nil {
		return nil, err
	}
	x.schema = op.Schema()
	if wrap != nil {
		x.schema = wrap(in).Schema()
	}
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
			BatchSize: q.tc.BatchSize, Compression: q.pool.opts.Compression})
		if err != nil {
			return nil, err.Error()
		}
		reqs[i] = b
	}
	return reqs, ""
}

// gathers names a node of n that merges partitions, if any.
func gathers(n physical.Node) string {
	switch n.(type) {
	case *physical.Coalesce, *physical.Shared:
		return n.String() + " merges partitions"
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
	var walk func(physical.Node) (physical.Node, bool)
	walk = func(n physical.Node) (physical.Node, bool) {
		switch x := n.(type) {
		case *physical.Scan:
			if i >= len(x.Groups) {
				return nil, false
			}
			c := *x
			c.Groups = [][]plan.Task{x.Groups[i]}
			return &c, true
		case *physical.Filter, *physical.Project, *physical.Limit, *physical.TopK:
			in, ok := walk(n.Children()[0])
			if !ok {
				return nil, false
			}
			out, err := n.WithChildren(in)
			return out, err == nil
		case *physical.HashAggregate:
			if x.Mode != physical.AggPartial {
				return nil, false
			}
			in, ok := walk(x.Input)
			if !ok {
				return nil, false
			}
			out, err := n.WithChildren(in)
			return out, err == nil
		case *physical.HashJoin:
			if x.EmitsUnmatchedBuild() {
				return nil, false
			}
			in, ok := walk(x.Probe)
			if !ok {
				return nil, false
			}
			out, err := n.WithChildren(in, x.Build)
			return out, err == nil
		}
		return nil, false
	}
	if out, ok := walk(n); ok {
		return out, 0
	}
	return n, i
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
		err := func() error {
			recv, err := e.c.mapTask(ctx, x.remote[i])
			if err != nil {
				return err
			}
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
		}()
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
	for {
		rec, err := st.Next(ctx)
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return err
		}
		err = w.write(ctx, rec)
		rec.Release()
		if err != nil {
			return err
		}
	}
	return w.close()
}
