package exec

import (
	"context"
	"fmt"
	"sync"

	"github.com/apache/arrow-go/v18/arrow"

	"lakeframe/errs"
	"lakeframe/exec/join"
	"lakeframe/expr"
	"lakeframe/plan/physical"
)

// joinMemoryBudget is how many bytes a hash join's build side may hold in
// memory (its columns plus the table) unless TaskContext.MemoryBudget
// says otherwise. A larger build side is partitioned
// by key hash and spilled to temporary files with its probe side, and the
// partitions join one at a time (a grace hash join).
var joinMemoryBudget int64 = 1 << 30

// joinSpillFanout is how many partitions a spilled side is split into (a
// power of two); a partition still over the budget splits again, at most
// joinSpillLevels times.
var (
	joinSpillFanout = 32
	joinSpillLevels = 3
)

// hashJoinOp builds a join.Table over the whole build side, once per run,
// and streams every probe partition through it. Output columns are in the
// logical order whichever side is built.
type hashJoinOp struct {
	node *physical.HashJoin
	// probe is what a probe partition reads; it is the coalesced probe side
	// when an outer join emits unmatched build rows, since those are known
	// only after every probe row. (A semi or anti join building on its
	// left keeps the probe partitions: they mark build rows atomically and
	// the last one to finish emits.) probeRaw is the probe side as planned.
	probe, probeRaw Operator
	build           Operator // coalesced
	keyTypes        []arrow.DataType
	layout          joinLayout

	mu     sync.Mutex
	shared *joinShared // the current run's build side
}

func newHashJoinOp(probe, build Operator, n *physical.HashJoin) (Operator, error) {
	if len(n.ProbeKeys) != len(n.BuildKeys) {
		return nil, fmt.Errorf("%w: hash join with %d probe keys and %d build keys", errs.ErrInternal, len(n.ProbeKeys), len(n.BuildKeys))
	}
	op := &hashJoinOp{node: n, probe: probe, probeRaw: probe, build: build}
	if build.Partitions() > 1 {
		op.build = &coalesceOp{input: build}
	}
	if n.EmitsUnmatchedBuild() && probe.Partitions() > 1 {
		op.probe = &coalesceOp{input: probe}
	}
	for i := range n.ProbeKeys {
		pt, err := expr.TypeOf(n.ProbeKeys[i], probe.Schema())
		if err != nil {
			return nil, fmt.Errorf("hash join probe key %s: %w", n.ProbeKeys[i], err)
		}
		bt, err := expr.TypeOf(n.BuildKeys[i], build.Schema())
		if err != nil {
			return nil, fmt.Errorf("hash join build key %s: %w", n.BuildKeys[i], err)
		}
		if !arrow.TypeEqual(pt, bt) {
			return nil, fmt.Errorf("%w: hash join key %s is %s but %s is %s", errs.ErrInternal, n.ProbeKeys[i], pt, n.BuildKeys[i], bt)
		}
		if err := join.CheckKeyType(pt); err != nil {
			return nil, fmt.Errorf("hash join key %s: %w", n.ProbeKeys[i], err)
		}
		op.keyTypes = append(op.keyTypes, pt)
	}
	layout, err := newJoinLayout(n, probe.Schema(), build.Schema())
	if err != nil {
		return nil, err
	}
	op.layout = layout
	return op, nil
}

func (h *hashJoinOp) Schema() *arrow.Schema { return h.node.Schema() }
func (h *hashJoinOp) Partitions() int       { return h.probe.Partitions() }

// Execute starts probe partition p. The build side is read by the first
// partition that needs it and shared with the others.
func (h *hashJoinOp) Execute(ctx context.Context, tc *TaskContext, p int) (Stream, error) {
	if p < 0 || p >= h.Partitions() {
		return nil, fmt.Errorf("%w: hash join has %d partitions, asked for %d", errs.ErrInternal, h.Partitions(), p)
	}
	sh := h.acquire(ctx)
	return &hashJoinStream{op: h, sh: sh, tc: tc, part: p, m: tc.Metrics.Register("hash join " + h.node.Logical.Type.String())}, nil
}

// acquire returns the shared state of the current run, starting a new one
// when the last run's is gone, and counts a stream on it.
func (h *hashJoinOp) acquire(ctx context.Context) *joinShared {
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.shared != nil && h.shared.tryOpen(ctx) {
		return h.shared
	}
	h.shared = newJoinShared(h)
	h.shared.tryOpen(ctx)
	return h.shared
}

// hasKeys reports whether the join has equality keys (a cross join, or a
// join on a condition alone, has none).
func (h *hashJoinOp) hasKeys() bool { return len(h.keyTypes) > 0 }
