package rules

import (
	"lakeframe/expr"
	"lakeframe/plan"
)

// joinSides tells which input of a Join each column of its output (or of
// its CombinedSchema, which the join condition reads) comes from, and maps
// right columns back to their names in the right input.
type joinSides struct {
	left columnSet
	// right maps the output names of the kept right columns to their
	// names in the right input. Right key columns that a join on shared
	// names drops are read through the left column of the same name.
	right map[string]expr.Node
	// suffixed lists the right output names that differ from the input
	// names, because a left column took the name.
	suffixed map[string]string
}

func sidesOf(j *plan.Join) joinSides {
	s := joinSides{left: columnSet{}, right: map[string]expr.Node{}, suffixed: map[string]string{}}
	for _, f := range j.Left.Schema().Fields() {
		s.left[f.Name] = true
	}
	for i, f := range j.Right.Schema().Fields() {
		if j.DropRight[i] {
			continue
		}
		s.right[j.RightNames[i]] = &expr.Column{Name: f.Name}
		if j.RightNames[i] != f.Name {
			s.suffixed[j.RightNames[i]] = f.Name
		}
	}
	return s
}

// side says which inputs an expression over a join's columns reads.
type side int

const (
	noSide side = iota // a constant
	leftSide
	rightSide
	bothSides
)

func (s joinSides) of(e expr.Node) side {
	out := noSide
	for _, c := range expr.Columns(e) {
		if s.left[c] {
			out |= leftSide
		} else if _, ok := s.right[c]; ok {
			out |= rightSide
		}
	}
	return out
}

// toRight rewrites an expression over right output columns into one over
// the right input's columns.
func (s joinSides) toRight(e expr.Node) (expr.Node, error) {
	return substitute(e, s.right)
}

// rightColumns is the set of right output names.
func (s joinSides) rightColumns() columnSet {
	out := make(columnSet, len(s.right))
	for name := range s.right {
		out[name] = true
	}
	return out
}

// innerLike reports whether the join keeps only matching pairs, so that a
// condition may move between the join and its inputs freely.
func innerLike(t plan.JoinType) bool { return t == plan.InnerJoin || t == plan.CrossJoin }

// preservesLeft reports whether the join outputs left rows that match
// nothing, padded with NULLs.
func preservesLeft(t plan.JoinType) bool {
	return t == plan.LeftJoin || t == plan.FullJoin || t == plan.AntiJoin
}

// preservesRight reports whether the join outputs right rows that match
// nothing.
func preservesRight(t plan.JoinType) bool { return t == plan.RightJoin || t == plan.FullJoin }

// coalesces reports whether JoinSpec.CoalesceKeys takes effect for a join
// type; a rewrite that changes the type must not start or stop dropping
// right key columns.
func coalesces(t plan.JoinType) bool {
	return t == plan.InnerJoin || t == plan.LeftJoin || t == plan.SemiJoin || t == plan.AntiJoin
}
