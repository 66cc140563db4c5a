//go:build cgo

package sql

import (
	"fmt"

	"lakeframe/errs"
	"lakeframe/expr"
	"lakeframe/plan"
)

// distinctAgg is sum(DISTINCT x) or avg(DISTINCT x) while a query block is
// bound. lakeframe's aggregates have no DISTINCT form besides
// count_distinct, so the block computes these in two steps (see
// distinctAggregates); the node never reaches a plan.
type distinctAgg struct {
	fn expr.AggFunc
	in expr.Node
}

var _ expr.Node = (*distinctAgg)(nil)

func (d *distinctAgg) Children() []expr.Node { return []expr.Node{d.in} }

func (d *distinctAgg) WithChildren(ch []expr.Node) (expr.Node, error) {
	if len(ch) != 1 {
		return nil, fmt.Errorf("%w: %s takes one argument", errs.ErrInternal, d)
	}
	return &distinctAgg{fn: d.fn, in: ch[0]}, nil
}

func (d *distinctAgg) String() string { return d.fn.String() + "(DISTINCT " + d.in.String() + ")" }

// hasAggregate reports whether n holds an aggregate, DISTINCT ones too.
func hasAggregate(n expr.Node) bool {
	found := false
	expr.Walk(n, func(x expr.Node) bool {
		switch x.(type) {
		case *expr.Agg, *distinctAgg:
			found = true
		}
		return !found
	})
	return found
}

// withoutDistinct replaces DISTINCT aggregates by their plain forms, which
// have the same type: for typing an expression while it is bound.
func withoutDistinct(n expr.Node) expr.Node {
	out, err := expr.Transform(n, func(x expr.Node) (expr.Node, error) {
		if d, ok := x.(*distinctAgg); ok {
			return &expr.Agg{Fn: d.fn, In: d.in}, nil
		}
		return x, nil
	})
	if err != nil {
		return n
	}
	return out
}

// distinctAggregates computes the DISTINCT aggregates of one argument per
// group: the distinct (keys, argument) pairs first, then the aggregates
// over them per group. Every group of the block's keys appears, since a
// NULL argument still makes a pair. The result's columns are the keys
// under keyIDs, then the aggregates under aggIDs.
func distinctAggregates(in plan.Node, keys []expr.Node, keyIDs []string, arg expr.Node, argID string, aggs []*distinctAgg, aggIDs []string, pairKeyIDs []string) (plan.Node, error) {
	pairKeys := make([]expr.Node, 0, len(keys)+1)
	for i, k := range keys {
		pairKeys = append(pairKeys, &expr.Alias{In: k, Name: pairKeyIDs[i]})
	}
	pairKeys = append(pairKeys, &expr.Alias{In: arg, Name: argID})
	pairs, err := plan.NewAggregate(in, pairKeys, nil)
	if err != nil {
		return nil, err
	}
	groupKeys := make([]expr.Node, len(keys))
	for i := range keys {
		groupKeys[i] = &expr.Alias{In: &expr.Column{Name: pairKeyIDs[i]}, Name: keyIDs[i]}
	}
	out := make([]expr.Node, len(aggs))
	for i, a := range aggs {
		out[i] = &expr.Alias{In: &expr.Agg{Fn: a.fn, In: &expr.Column{Name: argID}}, Name: aggIDs[i]}
	}
	return plan.NewAggregate(pairs, groupKeys, out)
}
