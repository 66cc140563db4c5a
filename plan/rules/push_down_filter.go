package rules

import (
	"context"

	"lakeframe/expr"
	"lakeframe/plan"
)

// PushDownFilter moves each conjunct of a Filter as close to the data as it
// can go, so that fewer rows flow through the plan and sources can skip
// files and row groups:
//
//   - through a Project, with the projected columns replaced by the
//     expressions that compute them;
//   - through Sort and Distinct, which keep a row or drop it whatever the
//     rows around it are;
//   - through an Aggregate when the conjunct references only group keys
//     that are plain columns: it then keeps or drops whole groups;
//   - into adjacent Filters, which merge;
//   - into a Scan, as far as its Source supports the conjunct: an exact one
//     leaves the plan for the source, an inexact one is pushed and also
//     stays in a Filter above, an unsupported one stays above, and so
//     does a constant one.
//
// A conjunct never passes a Limit (which rows come first would change) nor
// reaches a Scan that already has a limit. Every expression lakeframe has
// is deterministic, so projected expressions may be evaluated below the
// Project as well.
type PushDownFilter struct{}

var _ plan.Rule = PushDownFilter{}

// Name returns "push_down_filter".
func (PushDownFilter) Name() string { return "push_down_filter" }

// Rewrite pushes every Filter of the plan down as far as it goes.
func (PushDownFilter) Rewrite(_ context.Context, n plan.Node, _ *plan.Config) (plan.Node, bool, error) {
	return transformUp(n, func(n plan.Node) (plan.Node, bool, error) {
		f, ok := n.(*plan.Filter)
		if !ok {
			return n, false, nil
		}
		out, moved, err := pushFilter(expr.Conjuncts(f.Pred), f.Input)
		if err != nil || !moved {
			return f, false, err
		}
		return out, true, nil
	})
}

// pushFilter applies the conjuncts preds on top of in, pushing each as deep
// as it may go. moved reports whether any conjunct went below in or was
// merged; when it is false the caller keeps its original Filter.
func pushFilter(preds []expr.Node, in plan.Node) (plan.Node, bool, error) {
	switch x := in.(type) {
	case *plan.Filter:
		// Conjuncts of the lower filter come first: they ran first.
		merged := append(expr.Conjuncts(x.Pred), preds...)
		out, _, err := pushFilter(merged, x.Input)
		return out, true, err
	case *plan.Project:
		return pushThroughProject(preds, x)
	case *plan.Sort, *plan.Distinct:
		below, _, err := pushFilter(preds, x.Children()[0])
		if err != nil {
			return nil, false, err
		}
		out, err := x.WithChildren(below)
		return out, true, err
	case *plan.Aggregate:
		return pushThroughAggregate(preds, x)
	case *plan.Scan:
		return pushIntoScan(preds, x)
	}
	out, err := filterOver(in, preds)
	return out, false, err
}

// filterOver puts the conjuncts that stay in a Filter above in.
func filterOver(in plan.Node, preds []expr.Node) (plan.Node, error) {
	if len(preds) == 0 {
		return in, nil
	}
	return plan.NewFilter(in, expr.And(preds...))
}

func pushThroughProject(preds []expr.Node, p *plan.Project) (plan.Node, bool, error) {
	defs := make(map[string]expr.Node, len(p.Exprs))
	for _, e := range p.Exprs {
		defs[expr.OutputName(e)] = typed(expr.Unalias(e))
	}
	below := make([]expr.Node, len(preds))
	for i, pred := range preds {
		var err error
		if below[i], err = substitute(pred, defs); err != nil {
			return nil, false, err
		}
	}
	in, _, err := pushFilter(below, p.Input)
	if err != nil {
		return nil, false, err
	}
	out, err := p.WithChildren(in)
	return out, true, err
}

// pushThroughAggregate pushes the conjuncts that read only group keys
// which are plain columns. A conjunct without columns stays: below an
// Aggregate without keys it would turn "no row" into "one row of empty
// aggregates".
func pushThroughAggregate(preds []expr.Node, a *plan.Aggregate) (plan.Node, bool, error) {
	keyCols := make(map[string]expr.Node, len(a.Keys))
	for _, k := range a.Keys {
		if c, ok := expr.Unalias(k).(*expr.Column); ok {
			keyCols[expr.OutputName(k)] = c
		}
	}
	var below, above []expr.Node
	for _, pred := range preds {
		cols := expr.Columns(pred)
		pushable := len(cols) > 0
		for _, c := range cols {
			if _, ok := keyCols[c]; !ok {
				pushable = false
				break
			}
		}
		if !pushable {
			above = append(above, pred)
			continue
		}
		sub, err := substitute(pred, keyCols)
		if err != nil {
			return nil, false, err
		}
		below = append(below, sub)
	}
	if len(below) == 0 {
		out, err := filterOver(a, preds)
		return out, false, err
	}
	in, _, err := pushFilter(below, a.Input)
	if err != nil {
		return nil, false, err
	}
	na, err := a.WithChildren(in)
	if err != nil {
		return nil, false, err
	}
	out, err := filterOver(na, above)
	return out, true, err
}

// pushIntoScan hands the source the conjuncts it supports, resolved
// against the source's own schema (a scan may produce fewer columns).
func pushIntoScan(preds []expr.Node, s *plan.Scan) (plan.Node, bool, error) {
	if s.Limit >= 0 {
		out, err := filterOver(s, preds)
		return out, false, err
	}
	filters := s.Filters
	var above []expr.Node
	moved := false
	for _, pred := range preds {
		if len(expr.Columns(pred)) == 0 {
			// A constant tells a source nothing about its data; above the
			// scan it can still be folded away.
			above = append(above, pred)
			continue
		}
		r, err := expr.Resolve(pred, s.Source.Schema())
		if err != nil {
			return nil, false, err
		}
		support := s.Source.SupportsFilter(r)
		if support == plan.FilterUnsupported {
			above = append(above, pred)
			continue
		}
		if !containsExpr(filters, r) {
			filters = append(filters[:len(filters):len(filters)], r)
			moved = true
		}
		if support == plan.FilterInexact {
			above = append(above, pred)
		} else {
			moved = true
		}
	}
	if !moved {
		out, err := filterOver(s, preds)
		return out, false, err
	}
	ns, err := s.WithPushdown(s.Columns, filters, s.Limit)
	if err != nil {
		return nil, false, err
	}
	out, err := filterOver(ns, above)
	return out, true, err
}

func containsExpr(list []expr.Node, e expr.Node) bool {
	for _, x := range list {
		if sameExpr(x, e) {
			return true
		}
	}
	return false
}

// substitute replaces column references by the expressions defs gives for
// them, all at once (a replacement is not searched again).
func substitute(e expr.Node, defs map[string]expr.Node) (expr.Node, error) {
	return expr.Transform(e, func(n expr.Node) (expr.Node, error) {
		if c, ok := n.(*expr.Column); ok {
			if d, ok := defs[c.Name]; ok {
				return d, nil
			}
		}
		return n, nil
	})
}
