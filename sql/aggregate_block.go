//go:build cgo

package sql

import (
	"fmt"
	"reflect"

	"lakeframe/expr"
	"lakeframe/plan"
)

// aggregateBlock groups the block: one Aggregate computes the keys and
// every aggregate the select list, HAVING and ORDER BY use, and those
// expressions are rewritten to read its output.
func (b *binder) aggregateBlock(blk *block, in plan.Node, keys []expr.Node, targets []target, having *expr.Node, order []orderKey) (plan.Node, error) {
	var aggs []expr.Node
	collect := func(n expr.Node) {
		expr.Walk(n, func(x expr.Node) bool {
			switch x.(type) {
			case *expr.Agg, *distinctAgg:
				if indexOf(aggs, x) < 0 {
					aggs = append(aggs, x)
				}
				return false
			}
			return true
		})
	}
	for _, t := range targets {
		collect(t.e)
	}
	if *having != nil {
		collect(*having)
	}
	for _, o := range order {
		collect(o.key)
	}
	keyIDs := make([]string, len(keys))
	keyExprs := make([]expr.Node, len(keys))
	for i, k := range keys {
		keyIDs[i] = b.newID("group")
		keyExprs[i] = &expr.Alias{In: k, Name: keyIDs[i]}
	}
	aggIDs := make([]string, len(aggs))
	var aggExprs []expr.Node
	var distinctArgs []expr.Node // the arguments of DISTINCT aggregates
	for i, a := range aggs {
		switch x := a.(type) {
		case *expr.Agg:
			aggIDs[i] = b.newID(x.Fn.String())
			aggExprs = append(aggExprs, &expr.Alias{In: a, Name: aggIDs[i]})
		case *distinctAgg:
			aggIDs[i] = b.newID(x.fn.String() + "_distinct")
			if indexOf(distinctArgs, x.in) < 0 {
				distinctArgs = append(distinctArgs, x.in)
			}
		}
	}
	var node plan.Node
	var err error
	if len(aggExprs) > 0 || len(distinctArgs) == 0 {
		if node, err = plan.NewAggregate(in, keyExprs, aggExprs); err != nil {
			return nil, b.engineErr(-1, err)
		}
	}
	// Each DISTINCT argument's aggregates are computed apart and joined to
	// the others on the group keys (NULL keys are a group too).
	for _, arg := range distinctArgs {
		var these []*distinctAgg
		var ids []string
		for i, a := range aggs {
			if d, ok := a.(*distinctAgg); ok && indexOf([]expr.Node{d.in}, arg) == 0 {
				these, ids = append(these, d), append(ids, aggIDs[i])
			}
		}
		partKeyIDs, pairKeyIDs := keyIDs, make([]string, len(keys))
		if node != nil {
			partKeyIDs = make([]string, len(keys))
			for i := range keys {
				partKeyIDs[i] = b.newID("group")
			}
		}
		for i := range keys {
			pairKeyIDs[i] = b.newID("pair")
		}
		part, err := distinctAggregates(in, keys, partKeyIDs, arg, b.newID("distinct"), these, ids, pairKeyIDs)
		if err != nil {
			return nil, b.engineErr(-1, err)
		}
		if node == nil {
			node = part
			continue
		}
		spec := plan.JoinSpec{Type: plan.CrossJoin}
		if len(keys) > 0 {
			spec.Type = plan.InnerJoin
			for i := range keys {
				lk, rk := nullSafeKeys(&expr.Column{Name: keyIDs[i]}, &expr.Column{Name: partKeyIDs[i]}, fieldType(node.Schema(), keyIDs[i]))
				spec.LeftKeys, spec.RightKeys = append(spec.LeftKeys, lk...), append(spec.RightKeys, rk...)
			}
		}
		if node, err = plan.NewJoin(node, part, spec); err != nil {
			return nil, b.engineErr(-1, err)
		}
	}
	rw := &aggRewriter{b: blk, keys: keys, keyIDs: keyIDs, aggs: aggs, aggIDs: aggIDs, in: in}
	for i := range targets {
		if targets[i].e, err = rw.rewrite(targets[i].e); err != nil {
			return nil, b.errAt(targets[i].offset, CodeGroupingError, "%v", err)
		}
	}
	if *having != nil {
		if *having, err = rw.rewrite(*having); err != nil {
			return nil, b.errAt(exprLocation(blk.stmt.HavingClause), CodeGroupingError, "%v", err)
		}
	}
	for i := range order {
		if order[i].key, err = rw.rewrite(order[i].key); err != nil {
			return nil, b.errAt(order[i].offset, CodeGroupingError, "%v", err)
		}
	}
	return node, nil
}

func indexOf(list []expr.Node, n expr.Node) int {
	for i, x := range list {
		if reflect.DeepEqual(x, n) {
			return i
		}
	}
	return -1
}

// aggRewriter rewrites an expression over a block's rows into one over
// its groups: group keys and aggregates become the Aggregate's columns,
// and any other column of the block is an error.
type aggRewriter struct {
	b      *block
	keys   []expr.Node
	keyIDs []string
	aggs   []expr.Node
	aggIDs []string
	in     plan.Node
}

func (r *aggRewriter) rewrite(n expr.Node) (expr.Node, error) {
	if i := indexOf(r.keys, n); i >= 0 {
		return &expr.Column{Name: r.keyIDs[i]}, nil
	}
	switch x := n.(type) {
	case *expr.Agg, *distinctAgg:
		return &expr.Column{Name: r.aggIDs[indexOf(r.aggs, x)]}, nil
	case *expr.Column:
		if len(r.in.Schema().FieldIndices(x.Name)) == 0 {
			return x, nil // an outer block's column: constant per group
		}
		name := x.Name
		for _, c := range r.b.sc.cols {
			if c.id == x.Name {
				name = c.name
				if c.table != "" {
					name = c.table + "." + c.name
				}
			}
		}
		return nil, fmt.Errorf("column %q must appear in the GROUP BY clause or be used in an aggregate function", name)
	}
	ch := n.Children()
	if len(ch) == 0 {
		return n, nil
	}
	out := make([]expr.Node, len(ch))
	for i, c := range ch {
		var err error
		if out[i], err = r.rewrite(c); err != nil {
			return nil, err
		}
	}
	return n.WithChildren(out)
}
