package plantest

import (
	"lakeframe/expr"
	"lakeframe/plan"
)

// JoinOption describes a join to Builder.Join.
type JoinOption func(*plan.JoinSpec)

// On adds the key pair left = right; left is resolved against the left
// input, right against the right one.
func On(left, right expr.Expr) JoinOption {
	return func(s *plan.JoinSpec) {
		s.LeftKeys = append(s.LeftKeys, left.Node())
		s.RightKeys = append(s.RightKeys, right.Node())
	}
}

// Using joins on columns named alike on both sides and keeps each such
// column once where the join type allows it, as frame.On does.
func Using(names ...string) JoinOption {
	return func(s *plan.JoinSpec) {
		for _, n := range names {
			s.LeftKeys = append(s.LeftKeys, expr.Col(n).Node())
			s.RightKeys = append(s.RightKeys, expr.Col(n).Node())
		}
		s.CoalesceKeys = true
	}
}

// Where sets the join's extra condition, over the left columns and the
// right columns under their output names.
func Where(cond expr.Expr) JoinOption {
	return func(s *plan.JoinSpec) { s.Filter = cond.Node() }
}

// Suffix sets what clashing right column names get appended.
func Suffix(suffix string) JoinOption {
	return func(s *plan.JoinSpec) { s.Suffix = suffix }
}

// Join adds a Join of the plan built so far (the left input) with right:
//
//	orders.Join(customer, plan.InnerJoin, plantest.On(expr.Col("o_custkey"), expr.Col("c_custkey")))
func (b *Builder) Join(right *Builder, typ plan.JoinType, opts ...JoinOption) *Builder {
	b.t.Helper()
	spec := plan.JoinSpec{Type: typ}
	for _, o := range opts {
		o(&spec)
	}
	return b.next(plan.NewJoin(b.n, right.n, spec))
}
