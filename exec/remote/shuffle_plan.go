package remote

import (
	"github.com/apache/arrow-go/v18/arrow"

	"lakeframe/exec"
	"lakeframe/expr"
	"lakeframe/plan/physical"
)

// ShuffleOptions say when a Runner repartitions data across executors
// instead of gathering it on the coordinator. Sizes are the physical
// plan's estimates (physical.EstimateBytes); zero means the default, a
// negative value never.
type ShuffleOptions struct {
	// JoinBytes: a hash join whose two sides are both estimated at least
	// this large joins partition by partition on the executors, both sides
	// hash-partitioned on the join keys. A join with a smaller side keeps
	// building it whole (default 256 MiB).
	JoinBytes int64
	// AggBytes: a grouped aggregation whose partial results are estimated
	// at least this large merges them per key partition on the executors
	// instead of in one final aggregation on the coordinator (default
	// 64 MiB).
	AggBytes int64
	// SortBytes: a sort of at least this many bytes sorts each partition
	// on an executor and merges the sorted runs on the coordinator
	// (default 64 MiB).
	SortBytes int64
	// BroadcastBytes: below a gathering of partitions, a hash join whose
	// build side is estimated under this size, and reads less than this
	// from its sources, runs on the executors one probe partition at a
	// time, each executor reading and building the whole build side per
	// fragment (default 64 MiB). Joins shuffled by JoinBytes are not
	// affected.
	BroadcastBytes int64
	// Partitions is how many partitions an exchange has (default the
	// executors' slots: Executors × PerExecutor).
	Partitions int
}

func threshold(v, def int64) int64 {
	switch {
	case v < 0:
		return -1
	case v == 0:
		return def
	}
	return v
}

// estimatedAtLeast says n is estimated at least min bytes; min < 0 means never.
func estimatedAtLeast(n physical.Node, min int64) bool {
	if min < 0 {
		return false
	}
	b, ok := physical.EstimateBytes(n)
	return ok && b >= min
}

// shuffleJoin says whether j is partitioned across executors.
func (o *ShuffleOptions) shuffleJoin(j *physical.HashJoin) bool {
	if len(j.ProbeKeys) == 0 || len(j.ProbeKeys) != len(j.BuildKeys) {
		return false
	}
	for i := range j.ProbeKeys {
		pt, err1 := expr.TypeOf(j.ProbeKeys[i], j.Probe.Schema())
		bt, err2 := expr.TypeOf(j.BuildKeys[i], j.Build.Schema())
		if err1 != nil || err2 != nil || !arrow.TypeEqual(pt, bt) || !shuffleKeyType(pt) {
			return false
		}
	}
	min := threshold(o.JoinBytes, 256<<20)
	return estimatedAtLeast(j.Probe, min) && estimatedAtLeast(j.Build, min)
}

// shuffleAgg returns the partial aggregate under a final one when its
// groups are merged per key partition on executors.
func (o *ShuffleOptions) shuffleAgg(a *physical.HashAggregate) *physical.HashAggregate {
	if a.Mode != physical.AggFinal || len(a.Keys) == 0 {
		return nil
	}
	for _, k := range a.Keys {
		if t, err := expr.TypeOf(k, a.InputSchema); err != nil || !shuffleKeyType(t) {
			return nil
		}
	}
	c, ok := a.Input.(*physical.Coalesce)
	if !ok {
		return nil
	}
	partial, ok := c.Input.(*physical.HashAggregate)
	if !ok || partial.Mode != physical.AggPartial || !estimatedAtLeast(partial, threshold(o.AggBytes, 64<<20)) {
		return nil
	}
	return partial
}

// shuffleSort returns the input of a sort whose partitions are sorted on
// executors.
func (o *ShuffleOptions) shuffleSort(s *physical.Sort) physical.Node {
	c, ok := s.Input.(*physical.Coalesce)
	if !ok || c.Input.Partitions() < 2 || !estimatedAtLeast(c.Input, threshold(o.SortBytes, 64<<20)) {
		return nil
	}
	return c.Input
}

// wantsShuffle says whether any part of n would be repartitioned.
func (o *ShuffleOptions) wantsShuffle(n physical.Node) bool {
	switch x := n.(type) {
	case *physical.HashJoin:
		if o.shuffleJoin(x) {
			return true
		}
	case *physical.HashAggregate:
		if o.shuffleAgg(x) != nil {
			return true
		}
	case *physical.Sort:
		if o.shuffleSort(x) != nil {
			return true
		}
	}
	for _, c := range n.Children() {
		if o.wantsShuffle(c) {
			return true
		}
	}
	return false
}

func (q *query) partitions() int {
	if p := q.r.Shuffle.Partitions; p > 0 {
		return p
	}
	return max(q.pool.opts.Executors*q.pool.opts.PerExecutor, 1)
}

// shuffle rewrites n bottom up, replacing the joins, aggregations and
// sorts ShuffleOptions select with scans of their reduce stages. A Shared
// node is left whole, as rewrite does.
func (q *query) shuffle(n physical.Node) (physical.Node, bool, error) {
	if _, ok := n.(*physical.Shared); ok {
		return n, false, nil
	}
	children := n.Children()
	next := make([]physical.Node, len(children))
	changed := false
	for i, c := range children {
		out, ok, err := q.shuffle(c)
		if err != nil {
			return nil, false, err
		}
		next[i], changed = out, changed || ok
	}
	if changed {
		var err error
		if n, err = n.WithChildren(next...); err != nil {
			return nil, false, err
		}
	}
	var out physical.Node
	var err error
	o := &q.r.Shuffle
	est, _ := physical.EstimateBytes(n)
	if hasShared(n) {
		// A map side built apart from the rest of the plan would hold a
		// Shared node's operator without its other consumers.
		return n, changed, nil
	}
	switch x := n.(type) {
	case *physical.HashJoin:
		if o.shuffleJoin(x) {
			out, err = q.joinStage(x, est)
		}
	case *physical.HashAggregate:
		if partial := o.shuffleAgg(x); partial != nil {
			out, err = q.aggStage(x, partial, est)
		}
	case *physical.Sort:
		if in := o.shuffleSort(x); in != nil {
			out, err = q.sortStage(x, in, est)
		}
	}
	if err != nil {
		return nil, false, err
	}
	if out == nil {
		return n, changed, nil
	}
	if n.Partitions() == 1 && out.Partitions() > 1 {
		out = &physical.Coalesce{Input: out}
	}
	return out, true, nil
}

// joinStage partitions both sides of j by their keys; reduce task p joins
// partition p of the probe side with partition p of the build side. Rows
// with NULL keys all land in one partition, where the join emits them
// unmatched as it would locally.
func (q *query) joinStage(j *physical.HashJoin, est int64) (physical.Node, error) {
	parts := q.partitions()
	desc := j.String()
	probe, err := q.newExchange("probe side of "+desc, j.Probe, j.ProbeKeys, parts, false, nil)
	if err != nil {
		return nil, err
	}
	build, err := q.newExchange("build side of "+desc, j.Build, j.BuildKeys, parts, false, nil)
	if err != nil {
		return nil, err
	}
	stage := &shuffleStage{q: q, exchanges: []*exchange{probe, build}}
	reduce, err := j.WithChildren(&exchangeInput{index: 0, schema: probe.schema}, &exchangeInput{index: 1, schema: build.schema})
	if err != nil {
		return nil, err
	}
	q.r.logf("remote: %s joins in %d partitions on executors", desc, parts)
	return q.newReduce(desc, stage, reduce, est)
}

// aggStage partitions partial aggregates by their group keys; reduce task
// p runs the final aggregation of the groups in partition p.
func (q *query) aggStage(final, partial *physical.HashAggregate, est int64) (physical.Node, error) {
	parts := q.partitions()
	desc := final.String()
	op, err := exec.Build(partial)
	if err != nil {
		return nil, err
	}
	// The partial layout starts with the group keys, under their names.
	keys := make([]expr.Node, len(final.Keys))
	for i := range keys {
		keys[i] = &expr.Column{Name: op.Schema().Field(i).Name}
	}
	x, err := q.newExchange("partial "+desc, partial, keys, parts, false, nil)
	if err != nil {
		return nil, err
	}
	stage := &shuffleStage{q: q, exchanges: []*exchange{x}}
	reduce, err := final.WithChildren(&exchangeInput{index: 0, schema: x.schema})
	if err != nil {
		return nil, err
	}
	q.r.logf("remote: %s merges in %d partitions on executors", desc, parts)
	return q.newReduce(desc, stage, reduce, est)
}

// sortStage sorts each partition of in on an executor and merges the
// runs on the coordinator. It leaves the sort alone when in cannot run on
// executors.
func (q *query) sortStage(s *physical.Sort, in physical.Node, est int64) (physical.Node, error) {
	wrap := func(n physical.Node) physical.Node { return &physical.Sort{Input: n, Keys: s.Keys} }
	if _, _, fuses := q.fuseMaps(in, nil, 1, true, wrap); !fuses {
		if _, why := q.encodeMaps(in, nil, 1, true, wrap); why != "" {
			q.r.logf("remote: %s stays on the coordinator: %s", s, why)
			return nil, nil
		}
	}
	desc := s.String()
	x, err := q.newExchange("runs of "+desc, in, nil, 1, true, wrap)
	if err != nil {
		return nil, err
	}
	stage := &shuffleStage{q: q, exchanges: []*exchange{x}}
	q.r.logf("remote: %s sorts %d runs on executors", desc, x.tasks)
	return q.newMerge(desc, stage, s.Schema(), s.Keys, est), nil
}

func hasShared(n physical.Node) bool {
	if _, ok := n.(*physical.Shared); ok {
		return true
	}
	for _, c := range n.Children() {
		if hasShared(c) {
			return true
		}
	}
	return false
}
