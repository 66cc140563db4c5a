package exec

import (
	"fmt"

	"github.com/apache/arrow-go/v18/arrow"

	"lakeframe/errs"
	"lakeframe/expr"
	"lakeframe/plan"
	"lakeframe/plan/physical"
)

// sideCol is a column of one join input: its position among the columns
// that side keeps (its payload).
type sideCol struct {
	build bool
	col   int
}

// joinLayout maps the columns of a join's output and of its condition to
// the probe and build inputs, and says which rows a join type emits.
type joinLayout struct {
	// probeCols and buildCols are the input columns each side keeps: those
	// the output or the condition reads.
	probeCols, buildCols []int
	probeFields          []arrow.Field
	buildFields          []arrow.Field
	out                  []sideCol
	schema               *arrow.Schema
	// filter is the extra join condition, evaluated over filterSchema,
	// whose columns are filterCols (only those the condition names).
	filter       expr.Node
	filterSchema *arrow.Schema
	filterCols   []sideCol

	// pairs: matching pairs are output rows (all but semi and anti).
	pairs bool
	// probeOuter: probe rows without a match are output with NULLs.
	probeOuter bool
	// buildOuter: build rows without a match are output with NULLs, after
	// every probe row.
	buildOuter bool
	// semi and anti output the rows of the logical left with or without a
	// match: probe rows, or build rows when buildMarks.
	semi, anti bool
	// buildMarks: a semi or anti join builds on its left, so probing only
	// marks build rows; those that matched (semi) or not (anti) are output
	// once every probe row has been seen.
	buildMarks bool
}

func newJoinLayout(n *physical.HashJoin, probe, build *arrow.Schema) (joinLayout, error) {
	j := n.Logical
	l := joinLayout{schema: j.Schema(), filter: j.Filter, buildOuter: n.EmitsUnmatchedBuild()}
	switch j.Type {
	case plan.SemiJoin:
		l.semi, l.buildMarks = true, n.BuildIsLeft
	case plan.AntiJoin:
		l.anti, l.buildMarks = true, n.BuildIsLeft
	case plan.InnerJoin, plan.CrossJoin:
		l.pairs = true
	case plan.LeftJoin:
		l.pairs, l.probeOuter = true, !n.BuildIsLeft
	case plan.RightJoin:
		l.pairs, l.probeOuter = true, n.BuildIsLeft
	case plan.FullJoin:
		l.pairs, l.probeOuter = true, true
	default:
		return l, fmt.Errorf("%w: %s join", errs.ErrNotImplemented, j.Type)
	}
	left, right := j.Left.Schema(), j.Right.Schema()
	leftOn, rightOn := probe, build
	if n.BuildIsLeft {
		leftOn, rightOn = build, probe
	}
	if !sameTypes(left, leftOn) || !sameTypes(right, rightOn) {
		return l, fmt.Errorf("%w: hash join inputs do not have the logical join's schemas", errs.ErrInternal)
	}
	// The combined layout: every left column, then the kept right ones.
	var combined []sideCol
	keep := map[sideCol]int{} // input column -> payload position
	add := func(build bool, col int) sideCol {
		key := sideCol{build: build, col: col}
		pos, ok := keep[key]
		if !ok {
			if build {
				pos = len(l.buildCols)
				l.buildCols = append(l.buildCols, col)
			} else {
				pos = len(l.probeCols)
				l.probeCols = append(l.probeCols, col)
			}
			keep[key] = pos
		}
		return sideCol{build: build, col: pos}
	}
	for i := range left.NumFields() {
		combined = append(combined, sideCol{build: n.BuildIsLeft, col: i})
	}
	for i := range right.NumFields() {
		if !j.DropRight[i] {
			combined = append(combined, sideCol{build: !n.BuildIsLeft, col: i})
		}
	}
	outCols := len(combined)
	if l.semi || l.anti {
		outCols = left.NumFields()
	}
	if outCols != l.schema.NumFields() {
		return l, fmt.Errorf("%w: hash join output has %d columns, its schema %d", errs.ErrInternal, outCols, l.schema.NumFields())
	}
	for _, c := range combined[:outCols] {
		l.out = append(l.out, add(c.build, c.col))
	}
	if j.Filter != nil {
		cs := j.CombinedSchema()
		var fields []arrow.Field
		for _, name := range expr.Columns(j.Filter) {
			idx := cs.FieldIndices(name)
			if len(idx) == 0 {
				return l, fmt.Errorf("%w: join condition column %q not in %s", errs.ErrInternal, name, cs)
			}
			c := combined[idx[0]]
			l.filterCols = append(l.filterCols, add(c.build, c.col))
			fields = append(fields, cs.Field(idx[0]))
		}
		l.filterSchema = arrow.NewSchema(fields, nil)
	}
	for _, c := range l.probeCols {
		l.probeFields = append(l.probeFields, probe.Field(c))
	}
	for _, c := range l.buildCols {
		l.buildFields = append(l.buildFields, build.Field(c))
	}
	return l, nil
}

// trackProbe reports whether the probe rows that have a passing pair must
// be remembered per batch: when a condition decides it, for outer, semi and
// anti joins that output probe rows (without one, key lookups alone
// decide).
func (l *joinLayout) trackProbe() bool {
	return l.filter != nil && (l.probeOuter || (l.semi || l.anti) && !l.buildMarks)
}

// markBuild reports whether build rows with a passing pair are marked.
func (l *joinLayout) markBuild() bool { return l.buildOuter || l.buildMarks }

// keepsUnmatchedProbe reports whether a probe row without a match can be
// output: without build rows, the probe side must still run.
func (l *joinLayout) keepsUnmatchedProbe() bool {
	return l.probeOuter || l.anti && !l.buildMarks
}

// keepsUnmatchedBuild reports whether a build row without a match can be
// output: without probe rows, the build side must still be emitted.
func (l *joinLayout) keepsUnmatchedBuild() bool {
	return l.buildOuter || l.anti && l.buildMarks
}

// sameTypes reports whether two schemas have the same column types.
func sameTypes(a, b *arrow.Schema) bool {
	if a.NumFields() != b.NumFields() {
		return false
	}
	for i := range a.NumFields() {
		if !arrow.TypeEqual(a.Field(i).Type, b.Field(i).Type) {
			return false
		}
	}
	return true
}
