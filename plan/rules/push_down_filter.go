package rules

import (
	"context"
	"fmt"
	"slices"

	"github.com/apache/arrow-go/v18/arrow"

	"lakeframe/errs"
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
//     rows around it are, and into every input of a Union;
//   - through an Aggregate when the conjunct references only group keys
//     that are plain columns: it then keeps or drops whole groups;
//   - into adjacent Filters, which merge;
//   - through a Join, into the input a conjunct reads, unless that input is
//     the NULL-padded side of an outer join (see below); right columns
//     are renamed back to the right input's names. A conjunct that reads
//     both inputs of an inner or cross join becomes part of the join: an
//     equality between an expression of each side becomes a key pair
//     (which turns a cross join into an inner one), anything else joins
//     the condition when the join has keys and stays above otherwise;
//   - into a Scan, as far as its Source supports the conjunct: an exact one
//     leaves the plan for the source, an inexact one is pushed and also
//     stays in a Filter above, an unsupported one stays above, and so
//     does a constant one.
//
// Joins get more:
//
//   - an outer join under a conjunct that is never TRUE when the columns
//     of its NULL-padded side are NULL (a comparison, IS NOT NULL, IN,
//     LIKE, a function of those columns) drops no more than an inner join
//     would: a left or right join becomes inner, a full join left, right
//     or inner;
//   - the join's own condition loses the conjuncts that read one input
//     whose unmatched rows the join drops (both for inner joins, the
//     right one for left joins, and so on); they filter that input
//     instead. Its equalities between the sides become key pairs, for
//     every join type. Float equalities stay conditions (a key would
//     match NaN with NaN), and so does a pair of same-named columns that
//     a join on shared names would coalesce. An outer, semi or anti join
//     that would be left with neither keys nor condition keeps its own;
//   - a conjunct going into one input of an inner join that tests a key
//     column against constants (k = 5, k < 10, k IN (...)) is copied to
//     the other input's matching key column, when the pair are plain
//     columns of one type; for a semi join, from left to right only;
//   - a key that is a plain column (maybe cast) on an input whose rows
//     without a match the join drops gets "key IS NOT NULL" pushed into
//     that input, when the column may be NULL, nothing below already
//     rules NULLs out, and the predicate reaches a Scan whose source can
//     use it. The join drops NULL keys anyway; the point is letting the
//     source prune, so without a source that can, nothing is added.
//
// A conjunct never passes a Limit (which rows come first would change) nor
// reaches a Scan that already has a limit. Every expression lakeframe has
// is deterministic, so projected expressions may be evaluated below the
// Project as well.
type PushDownFilter struct{}

var _ plan.Rule = PushDownFilter{}

// Name returns "push_down_filter".
func (PushDownFilter) Name() string { return "push_down_filter" }

// Rewrite pushes every Filter of the plan down as far as it goes, and
// settles the condition and keys of every Join.
func (PushDownFilter) Rewrite(_ context.Context, n plan.Node, _ *plan.Config) (plan.Node, bool, error) {
	return transformUp(n, func(n plan.Node) (plan.Node, bool, error) {
		if j, ok := n.(*plan.Join); ok {
			return pushThroughJoin(nil, j)
		}
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
	case *plan.Join:
		return pushThroughJoin(preds, x)
	case *plan.Union:
		return pushIntoUnion(preds, x)
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
	below := make([]expr.Node, 0, len(preds))
	for _, pred := range preds {
		sub, err := substitute(pred, defs)
		if err != nil {
			return nil, false, err
		}
		// A projected AND splits into conjuncts that may go apart.
		below = append(below, expr.Conjuncts(sub)...)
	}
	in, _, err := pushFilter(below, p.Input)
	if err != nil {
		return nil, false, err
	}
	out, err := p.WithChildren(in)
	return out, true, err
}

// pushIntoUnion filters every input of a union alike: the inputs have the
// union's column names and types, so each conjunct reads the same there.
func pushIntoUnion(preds []expr.Node, u *plan.Union) (plan.Node, bool, error) {
	inputs := make([]plan.Node, len(u.Inputs))
	for i, in := range u.Inputs {
		below, _, err := pushFilter(preds, in)
		if err != nil {
			return nil, false, err
		}
		inputs[i] = below
	}
	out, err := u.WithChildren(inputs...)
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

// pushThroughJoin applies the conjuncts preds, which read j's output, on
// top of j, and moves j's own condition where it belongs. moved is false
// when the result is a Filter of preds over j unchanged.
func pushThroughJoin(preds []expr.Node, j *plan.Join) (plan.Node, bool, error) {
	sides := sidesOf(j)
	typ := strengthen(j.Type, preds, sides)
	changed := typ != j.Type

	var toLeft, toRight, above, mixed []expr.Node
	for _, p := range preds {
		switch sides.of(p) {
		case leftSide:
			if !preservesRight(typ) {
				toLeft = append(toLeft, p)
				continue
			}
		case rightSide:
			if !preservesLeft(typ) {
				r, err := sides.toRight(p)
				if err != nil {
					return nil, false, err
				}
				toRight = append(toRight, r)
				continue
			}
		case bothSides:
			if innerLike(typ) {
				mixed = append(mixed, p)
				continue
			}
		}
		above = append(above, p)
	}

	// The join's condition: one-sided conjuncts filter an input whose
	// unmatched rows are dropped anyway; equalities become keys.
	var cond, condLeft, condRight []expr.Node
	spec := j.Spec
	spec.Type = typ
	spec.CoalesceKeys = spec.CoalesceKeys && coalesces(j.Type)
	spec.LeftKeys, spec.RightKeys = slices.Clip(spec.LeftKeys), slices.Clip(spec.RightKeys)
	if j.Filter != nil {
		for _, c := range expr.Conjuncts(j.Filter) {
			switch sides.of(c) {
			case leftSide:
				if !preservesLeft(typ) {
					condLeft = append(condLeft, c)
					continue
				}
			case rightSide:
				if !preservesRight(typ) {
					r, err := sides.toRight(c)
					if err != nil {
						return nil, false, err
					}
					condRight = append(condRight, r)
					continue
				}
			case bothSides:
				l, r, ok, err := equiKey(c, sides, j, spec)
				if err != nil {
					return nil, false, err
				}
				if ok {
					spec.LeftKeys, spec.RightKeys = append(spec.LeftKeys, l), append(spec.RightKeys, r)
					changed = true
					continue
				}
			}
			cond = append(cond, c)
		}
	}
	var unkeyed []expr.Node
	for _, p := range mixed {
		l, r, ok, err := equiKey(p, sides, j, spec)
		if err != nil {
			return nil, false, err
		}
		if ok {
			spec.LeftKeys, spec.RightKeys = append(spec.LeftKeys, l), append(spec.RightKeys, r)
			changed = true
		} else {
			unkeyed = append(unkeyed, p)
		}
	}
	// Other conditions only join a hash join: a cross join without keys
	// keeps its filter above rather than becoming a nested loop.
	if len(spec.LeftKeys) > 0 {
		cond = append(cond, unkeyed...)
		changed = changed || len(unkeyed) > 0
		if spec.Type == plan.CrossJoin {
			spec.Type = plan.InnerJoin
		}
	} else {
		above = append(above, unkeyed...)
	}
	if len(condLeft)+len(condRight) > 0 && len(spec.LeftKeys) == 0 && len(cond) == 0 {
		if innerLike(spec.Type) {
			spec.Type = plan.CrossJoin // no condition left: every pair
		} else {
			// An outer, semi or anti join needs a condition.
			cond, condLeft, condRight = expr.Conjuncts(j.Filter), nil, nil
		}
	}
	spec.Filter = expr.And(cond...)
	toLeft, toRight = append(condLeft, toLeft...), append(condRight, toRight...)
	toLeft, toRight = transferOnKeys(spec, j.Left, j.Right, toLeft, toRight)
	changed = changed || len(toLeft)+len(toRight) > 0

	out := j
	if changed {
		left, right := j.Left, j.Right
		var err error
		if len(toLeft) > 0 {
			if left, _, err = pushFilter(toLeft, left); err != nil {
				return nil, false, err
			}
		}
		if len(toRight) > 0 {
			if right, _, err = pushFilter(toRight, right); err != nil {
				return nil, false, err
			}
		}
		if out, err = rebuildJoin(j, left, right, spec); err != nil {
			return nil, false, err
		}
	}
	out, inferred, err := inferNotNullKeys(out)
	if err != nil {
		return nil, false, err
	}
	res, err := filterOver(out, above)
	return res, changed || inferred, err
}

// strengthen turns an outer join into the join that keeps the same rows
// under the conjuncts preds: those that reject the NULLs of a padded side
// remove every row that side was padded for.
func strengthen(t plan.JoinType, preds []expr.Node, sides joinSides) plan.JoinType {
	if !preservesLeft(t) && !preservesRight(t) || t == plan.AntiJoin {
		return t
	}
	nullLeft := rejectsSide(preds, sides.left)
	nullRight := rejectsSide(preds, sides.rightColumns())
	switch {
	case t == plan.LeftJoin && nullRight, t == plan.RightJoin && nullLeft, t == plan.FullJoin && nullLeft && nullRight:
		return plan.InnerJoin
	case t == plan.FullJoin && nullLeft:
		return plan.LeftJoin
	case t == plan.FullJoin && nullRight:
		return plan.RightJoin
	}
	return t
}

// rejectsSide reports whether a conjunct reads cols and is never TRUE when
// they are all NULL.
func rejectsSide(preds []expr.Node, cols columnSet) bool {
	for _, p := range preds {
		reads := slices.ContainsFunc(expr.Columns(p), func(c string) bool { return cols[c] })
		if reads && rejectsNulls(p, cols) {
			return true
		}
	}
	return false
}

// equiKey splits an equality between an expression of each side of j
// into a key pair, the right one over the right input's columns. ok is
// false for anything else, for floats (a key would match NaN with NaN,
// where = does not), and for a pair of same-named columns that spec would
// coalesce, removing a column from the output.
func equiKey(c expr.Node, sides joinSides, j *plan.Join, spec plan.JoinSpec) (l, r expr.Node, ok bool, err error) {
	b, isBin := c.(*expr.Binary)
	if !isBin || b.Op != expr.OpEq {
		return nil, nil, false, nil
	}
	l, r = b.Left, b.Right
	switch {
	case sides.of(l) == leftSide && sides.of(r) == rightSide:
	case sides.of(l) == rightSide && sides.of(r) == leftSide:
		l, r = r, l
	default:
		return nil, nil, false, nil
	}
	t, err := expr.TypeOf(l, j.CombinedSchema())
	if err != nil || arrow.IsFloating(t.ID()) {
		return nil, nil, false, err
	}
	if r, err = sides.toRight(r); err != nil {
		return nil, nil, false, err
	}
	lc, lok := l.(*expr.Column)
	rc, rok := r.(*expr.Column)
	if spec.CoalesceKeys && lok && rok && lc.Name == rc.Name {
		return nil, nil, false, nil
	}
	return l, r, true, nil
}

// rebuildJoin builds the rewritten join and checks that its output is
// still the same columns.
func rebuildJoin(j *plan.Join, left, right plan.Node, spec plan.JoinSpec) (*plan.Join, error) {
	nj, err := plan.NewJoin(left, right, spec)
	if err != nil {
		return nil, err
	}
	if !sameNames(nj.Schema(), j.Schema()) {
		return nil, fmt.Errorf("%w: rewriting %s as %s changed its columns from %s to %s", errs.ErrInternal, j, nj, j.Schema(), nj.Schema())
	}
	return nj, nil
}

func sameNames(a, b *arrow.Schema) bool {
	return slices.EqualFunc(a.Fields(), b.Fields(), func(x, y arrow.Field) bool {
		return x.Name == y.Name && arrow.TypeEqual(x.Type, y.Type)
	})
}

// inferNotNullKeys pushes "key IS NOT NULL" into the inputs of j where
// that lets a source prune (see PushDownFilter).
func inferNotNullKeys(j *plan.Join) (*plan.Join, bool, error) {
	var left, right []expr.Node
	for i := range j.LeftKeys {
		if !preservesLeft(j.Type) {
			left = appendNotNull(left, j.LeftKeys[i], j.Left)
		}
		if !preservesRight(j.Type) {
			right = appendNotNull(right, j.RightKeys[i], j.Right)
		}
	}
	if len(left)+len(right) == 0 {
		return j, false, nil
	}
	l, r := j.Left, j.Right
	var err error
	if len(left) > 0 {
		if l, _, err = pushFilter(left, l); err != nil {
			return nil, false, err
		}
	}
	if len(right) > 0 {
		if r, _, err = pushFilter(right, r); err != nil {
			return nil, false, err
		}
	}
	out, err := j.WithChildren(l, r)
	if err != nil {
		return nil, false, err
	}
	return out.(*plan.Join), true, nil
}

// appendNotNull adds "col IS NOT NULL" to preds when key is a column col
// of in, maybe cast, that a source could prune on and that may be NULL.
func appendNotNull(preds []expr.Node, key expr.Node, in plan.Node) []expr.Node {
	col := keyColumn(key)
	if col == nil {
		return preds
	}
	pred := &expr.Unary{Op: expr.OpIsNotNull, In: col}
	if containsExpr(preds, pred) {
		return preds
	}
	if known, prunes := notNullBelow(in, col.Name); known || !prunes {
		return preds
	}
	return append(preds, pred)
}
