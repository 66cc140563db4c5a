package rules

import (
	"context"
	"fmt"

	"github.com/apache/arrow-go/v18/arrow"

	"lakeframe/errs"
	"lakeframe/expr"
	"lakeframe/plan"
)

// PushDownProjection removes the columns nobody reads. Walking down from
// the root, it works out which columns each node's consumer needs, then:
//
//   - sets Scan.Columns to exactly the columns needed above the scan (the
//     scan's own pushed filters may read others: the source handles
//     those);
//   - drops unused Project expressions and unused aggregates, Projects
//     left passing their input through unchanged, and Projects that only
//     pick and rename columns for a Project above, which reads through
//     them;
//   - puts a narrow Project below a Sort whose input carries columns
//     nobody needs, since a sort holds every row and column it is given;
//   - lets each input of a Join keep only the columns its keys, its
//     condition and the nodes above read. A left column whose name made a
//     needed right column take a suffix stays, so that output names do
//     not change.
//
// Every node keeps the columns its consumer needs, in their order, and a
// node whose every column is needed is left alone, so the root keeps its
// schema. Distinct needs all of its input, and a node with no needed
// column keeps one so that its row count survives.
type PushDownProjection struct{}

var _ plan.Rule = PushDownProjection{}

// Name returns "push_down_projection".
func (PushDownProjection) Name() string { return "push_down_projection" }

// Rewrite prunes the columns of the whole plan.
func (PushDownProjection) Rewrite(_ context.Context, n plan.Node, _ *plan.Config) (plan.Node, bool, error) {
	return prune(n, allColumns(n))
}

// columnSet is a set of column names.
type columnSet map[string]bool

func allColumns(n plan.Node) columnSet {
	out := columnSet{}
	for _, f := range n.Schema().Fields() {
		out[f.Name] = true
	}
	return out
}

// with returns the set plus the columns the expressions reference.
func (s columnSet) with(es ...expr.Node) columnSet {
	out := make(columnSet, len(s))
	for c := range s {
		out[c] = true
	}
	for _, e := range es {
		for _, c := range expr.Columns(e) {
			out[c] = true
		}
	}
	return out
}

// prune returns n with the columns outside need removed where it can. The
// result's columns are a subsequence of n's that holds every needed one;
// when need holds all of n's columns, the schema is unchanged.
func prune(n plan.Node, need columnSet) (plan.Node, bool, error) {
	switch x := n.(type) {
	case *plan.Scan:
		return pruneScan(x, need)
	case *plan.Project:
		return pruneProject(x, need)
	case *plan.Aggregate:
		return pruneAggregate(x, need)
	case *plan.Filter:
		return pruneInput(x, need.with(x.Pred))
	case *plan.Sort:
		keys := make([]expr.Node, len(x.Keys))
		for i, k := range x.Keys {
			keys[i] = k
		}
		return pruneSort(x, need.with(keys...))
	case *plan.Limit:
		return pruneInput(x, need)
	case *plan.Join:
		if _, ok := neededFields(x.Schema(), need); ok {
			return pruneJoin(x, need)
		}
	case *plan.Union:
		return pruneUnion(x, need)
	}
	// Distinct compares whole rows, and unknown nodes may read anything:
	// their inputs keep every column and are pruned further down.
	children := n.Children()
	next := make([]plan.Node, len(children))
	changed := false
	for i, c := range children {
		nc, ch, err := prune(c, allColumns(c))
		if err != nil {
			return nil, false, err
		}
		next[i], changed = nc, changed || ch
	}
	if !changed {
		return n, false, nil
	}
	out, err := n.WithChildren(next...)
	return out, true, err
}

// pruneUnion gives every input of a union the same needed columns, in the
// union's order, narrowing with a Project an input whose pruning kept more.
// With no column needed the first stays, so that row counts survive.
func pruneUnion(u *plan.Union, need columnSet) (plan.Node, bool, error) {
	names, ok := neededFields(u.Schema(), need)
	if !ok {
		names = plan.ColumnNames(u.Schema())
	}
	if len(names) == 0 {
		names = []string{u.Schema().Field(0).Name}
	}
	want := columnSet{}
	for _, n := range names {
		want[n] = true
	}
	inputs := make([]plan.Node, len(u.Inputs))
	changed := false
	for i, in := range u.Inputs {
		out, ch, err := prune(in, want)
		if err != nil {
			return nil, false, err
		}
		if out.Schema().NumFields() != len(names) {
			cols := make([]expr.Node, len(names))
			for c, n := range names {
				cols[c] = &expr.Column{Name: n}
			}
			if out, err = plan.NewProject(out, cols); err != nil {
				return nil, false, err
			}
			ch = true
		}
		inputs[i], changed = out, changed || ch
	}
	if !changed {
		return u, false, nil
	}
	out, err := u.WithChildren(inputs...)
	return out, true, err
}

// pruneInput prunes the single input of a node that passes its input's
// columns through.
func pruneInput(n plan.Node, need columnSet) (plan.Node, bool, error) {
	in, changed, err := prune(n.Children()[0], need)
	if err != nil || !changed {
		return n, false, err
	}
	out, err := n.WithChildren(in)
	return out, true, err
}

func pruneSort(s *plan.Sort, need columnSet) (plan.Node, bool, error) {
	in, changed, err := prune(s.Input, need)
	if err != nil {
		return nil, false, err
	}
	if narrow, ok := neededFields(in.Schema(), need); ok && len(narrow) > 0 && len(narrow) < in.Schema().NumFields() {
		cols := make([]expr.Node, len(narrow))
		for i, name := range narrow {
			cols[i] = &expr.Column{Name: name}
		}
		if in, err = plan.NewProject(in, cols); err != nil {
			return nil, false, err
		}
		changed = true
	}
	if !changed {
		return s, false, nil
	}
	out, err := s.WithChildren(in)
	return out, true, err
}

// neededFields lists the needed columns of a schema in its order. ok is
// false when the schema repeats a name, since such columns cannot be
// selected by name.
func neededFields(schema *arrow.Schema, need columnSet) (names []string, ok bool) {
	for _, f := range schema.Fields() {
		if len(schema.FieldIndices(f.Name)) > 1 {
			return nil, false
		}
		if need[f.Name] {
			names = append(names, f.Name)
		}
	}
	return names, true
}

func pruneScan(s *plan.Scan, need columnSet) (plan.Node, bool, error) {
	schema := s.Schema()
	cols, ok := neededFields(schema, need)
	if !ok || schema.NumFields() == 0 {
		return s, false, nil
	}
	if len(cols) == 0 {
		cols = []string{narrowestColumn(schema)}
	}
	if len(cols) == schema.NumFields() {
		return s, false, nil
	}
	out, err := s.WithPushdown(cols, s.Filters, s.Limit)
	return out, true, err
}

// narrowestColumn picks the column a scan reads when only its row count
// matters: the first fixed-width one, else the first.
func narrowestColumn(schema *arrow.Schema) string {
	for _, f := range schema.Fields() {
		if _, ok := f.Type.(arrow.FixedWidthDataType); ok {
			return f.Name
		}
	}
	return schema.Field(0).Name
}

func pruneProject(p *plan.Project, need columnSet) (plan.Node, bool, error) {
	keep := make([]expr.Node, 0, len(p.Exprs))
	for _, e := range p.Exprs {
		if need[expr.OutputName(e)] {
			keep = append(keep, e)
		}
	}
	if len(keep) == 0 && len(p.Exprs) > 0 {
		keep = append(keep, cheapestExpr(p.Exprs))
	}
	in, changed, err := prune(p.Input, columnSet{}.with(keep...))
	if err != nil {
		return nil, false, err
	}
	if q, ok := in.(*plan.Project); ok && selectsColumns(q, columnSet{}.with(keep...)) {
		// Read through a Project that only picks and renames columns.
		if keep, err = throughProject(keep, q); err != nil {
			return nil, false, err
		}
		in, changed = q.Input, true
	}
	if isIdentity(keep, in.Schema()) {
		return in, true, nil
	}
	if !changed && len(keep) == len(p.Exprs) {
		return p, false, nil
	}
	out, err := plan.NewProject(in, keep)
	return out, true, err
}

// selectsColumns reports whether every output of a Project is an input
// column, maybe renamed, that the consumer reads (one it keeps only for
// the row count may be the only column left).
func selectsColumns(p *plan.Project, reads columnSet) bool {
	for _, e := range p.Exprs {
		if _, ok := expr.Unalias(e).(*expr.Column); !ok || !reads[expr.OutputName(e)] {
			return false
		}
	}
	return true
}

// throughProject rewrites expressions over q's output into expressions
// over q's input with the same output names.
func throughProject(es []expr.Node, q *plan.Project) ([]expr.Node, error) {
	defs := make(map[string]expr.Node, len(q.Exprs))
	for _, e := range q.Exprs {
		defs[expr.OutputName(e)] = expr.Unalias(e)
	}
	out := make([]expr.Node, len(es))
	for i, e := range es {
		sub, err := substitute(e, defs)
		if err != nil {
			return nil, err
		}
		if name := expr.OutputName(e); expr.OutputName(sub) != name {
			sub = &expr.Alias{In: expr.Unalias(sub), Name: name}
		}
		out[i] = sub
	}
	return out, nil
}

// isIdentity reports whether a projection passes its input through as it
// is: every column, in order, unrenamed.
func isIdentity(es []expr.Node, schema *arrow.Schema) bool {
	if len(es) != schema.NumFields() {
		return false
	}
	for i, e := range es {
		c, ok := e.(*expr.Column)
		if !ok || c.Name != schema.Field(i).Name {
			return false
		}
	}
	return true
}

// cheapestExpr picks the output a Project keeps when only its row count
// matters: a plain column when there is one.
func cheapestExpr(es []expr.Node) expr.Node {
	for _, e := range es {
		if _, ok := expr.Unalias(e).(*expr.Column); ok {
			return e
		}
	}
	return es[0]
}

// pruneAggregate drops aggregates nobody reads. Group keys always stay:
// they define the groups.
func pruneAggregate(a *plan.Aggregate, need columnSet) (plan.Node, bool, error) {
	aggs := make([]expr.Node, 0, len(a.Aggs))
	for _, e := range a.Aggs {
		if need[expr.OutputName(e)] {
			aggs = append(aggs, e)
		}
	}
	if len(aggs) == 0 && len(a.Keys) == 0 && len(a.Aggs) > 0 {
		aggs = append(aggs, a.Aggs[0]) // the single output row needs a column
	}
	in, changed, err := prune(a.Input, columnSet{}.with(a.Keys...).with(aggs...))
	if err != nil {
		return nil, false, err
	}
	if !changed && len(aggs) == len(a.Aggs) {
		return a, false, nil
	}
	out, err := plan.NewAggregate(in, a.Keys, aggs)
	return out, true, err
}

// pruneJoin prunes each input of a join to what the join and need read.
func pruneJoin(j *plan.Join, need columnSet) (plan.Node, bool, error) {
	sides := sidesOf(j)
	reads := need.with(j.LeftKeys...)
	if j.Filter != nil {
		reads = reads.with(j.Filter)
	}
	leftNeed := columnSet{}
	for c := range reads {
		if sides.left[c] {
			leftNeed[c] = true
		}
	}
	rightNeed := columnSet{}.with(j.RightKeys...)
	for name, in := range sides.right {
		if !reads[name] {
			continue
		}
		rightNeed[in.(*expr.Column).Name] = true
		// The right column is named after the left columns it clashed
		// with: those stay.
		if orig, ok := sides.suffixed[name]; ok {
			for n := orig; n != name; n += suffixOf(j) {
				if sides.left[n] {
					leftNeed[n] = true
				}
			}
		}
	}
	left, lch, err := prune(j.Left, leftNeed)
	if err != nil {
		return nil, false, err
	}
	right, rch, err := prune(j.Right, rightNeed)
	if err != nil || !lch && !rch {
		return j, false, err
	}
	out, err := plan.NewJoin(left, right, j.Spec)
	if err != nil {
		return nil, false, err
	}
	for _, f := range out.Schema().Fields() {
		if idx := j.Schema().FieldIndices(f.Name); len(idx) != 1 || !arrow.TypeEqual(j.Schema().Field(idx[0]).Type, f.Type) {
			return nil, false, fmt.Errorf("%w: pruning the inputs of %s renamed its columns from %s to %s", errs.ErrInternal, j, j.Schema(), out.Schema())
		}
	}
	return out, true, nil
}

// suffixOf is what a join appends to clashing right column names.
func suffixOf(j *plan.Join) string {
	if j.Spec.Suffix == "" {
		return "_right"
	}
	return j.Spec.Suffix
}
