package physical

import (
	"fmt"
	"strings"

	"github.com/apache/arrow-go/v18/arrow"

	"lakeframe/expr"
	"lakeframe/plan"
)

// HashJoin builds a hash table over all rows of Build (its partitions
// coalesced) and streams each partition of Probe through it. The planner
// puts the side it expects to be smaller on the build side; Logical says
// which input is the logical left.
//
// Output columns are always in the logical order: left columns, then the
// right columns that are kept, named as Logical.RightNames says.
type HashJoin struct {
	Probe, Build Node
	// BuildIsLeft is true when the build side is the logical left input.
	BuildIsLeft bool
	// ProbeKeys and BuildKeys are the join keys of each side (empty for a
	// cross join); they have pairwise equal types.
	ProbeKeys, BuildKeys []expr.Node
	Logical              *plan.Join
}

func (j *HashJoin) Schema() *arrow.Schema { return j.Logical.Schema() }
func (j *HashJoin) Children() []Node      { return []Node{j.Probe, j.Build} }

func (j *HashJoin) WithChildren(children ...Node) (Node, error) {
	if err := checkChildren("hash join", 2, children); err != nil {
		return nil, err
	}
	c := *j
	c.Probe, c.Build = children[0], children[1]
	return &c, nil
}

// Partitions follows the probe side, except for joins that must emit the
// build rows no probe row matched: those see every probe row in one
// partition.
func (j *HashJoin) Partitions() int {
	if j.EmitsUnmatchedBuild() {
		return 1
	}
	return j.Probe.Partitions()
}

// EmitsUnmatchedBuild reports whether build rows without a match are part
// of the output (the outer side is the build side).
func (j *HashJoin) EmitsUnmatchedBuild() bool {
	switch j.Logical.Type {
	case plan.FullJoin:
		return true
	case plan.LeftJoin:
		return j.BuildIsLeft
	case plan.RightJoin:
		return !j.BuildIsLeft
	}
	return false
}

// NeedsAllProbeRows reports whether the join emits build rows decided
// only once every probe row is seen: the unmatched build rows of an outer
// join, or the rows of a semi or anti join that builds on its left side.
// Such a join cannot run one probe partition at a time in separate places.
func (j *HashJoin) NeedsAllProbeRows() bool {
	if j.EmitsUnmatchedBuild() {
		return true
	}
	t := j.Logical.Type
	return j.BuildIsLeft && (t == plan.SemiJoin || t == plan.AntiJoin)
}

func (j *HashJoin) String() string {
	var sb strings.Builder
	side := "right"
	if j.BuildIsLeft {
		side = "left"
	}
	fmt.Fprintf(&sb, "HashJoinExec %s build=%s", j.Logical.Type, side)
	if len(j.ProbeKeys) > 0 {
		parts := make([]string, len(j.ProbeKeys))
		for i := range j.ProbeKeys {
			parts[i] = j.ProbeKeys[i].String() + " = " + j.BuildKeys[i].String()
		}
		fmt.Fprintf(&sb, " on=[%s]", strings.Join(parts, ", "))
	}
	if j.Logical.Filter != nil {
		fmt.Fprintf(&sb, " filter=%s", j.Logical.Filter)
	}
	return sb.String()
}
