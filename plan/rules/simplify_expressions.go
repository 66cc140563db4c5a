package rules

import (
	"context"
	"fmt"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/scalar"

	"lakeframe/errs"
	"lakeframe/expr"
	"lakeframe/plan"
)

// SimplifyExpressions folds constants and simplifies boolean logic in the
// expressions of Filter, Project, Aggregate and Sort nodes, and in join
// conditions:
//
//   - operators, IN lists, casts and functions whose operands are all
//     literals become literals; a comparison or arithmetic with a NULL
//     literal is NULL;
//   - AND and OR with a literal operand follow three-valued logic:
//     x AND TRUE is x, x AND FALSE is FALSE, x OR TRUE is TRUE, but
//     x AND NULL stays as it is;
//   - NOT moves inward: NOT NOT x is x, NOT (a < b) is a >= b except on
//     floating-point operands (NaN makes both false), NOT (x IS NULL) is
//     x IS NOT NULL, and De Morgan's laws apply;
//   - CASE branches with constant conditions and NULL COALESCE arguments
//     are dropped, and casts to the type an expression already has go;
//   - x = x is left alone: it is NULL, not TRUE, where x is NULL.
//
// A Filter whose predicate becomes TRUE is removed. One whose predicate
// can never be TRUE (a conjunct is FALSE or NULL) becomes a Limit 0 over
// its input, which the physical planner and executor already handle and
// which stops reading at once. Constant sort keys are dropped, and a Sort
// left without keys is removed. Outputs of Project and Aggregate keep
// their names (an Alias is added when folding would rename them).
// A join condition that becomes TRUE goes; an inner join left without a
// condition is a cross join. Filters already pushed into a Scan are the source's business and are
// left alone.
type SimplifyExpressions struct{}

var _ plan.Rule = SimplifyExpressions{}

// Name returns "simplify_expressions".
func (SimplifyExpressions) Name() string { return "simplify_expressions" }

// Rewrite simplifies every expression in the plan.
func (SimplifyExpressions) Rewrite(_ context.Context, n plan.Node, _ *plan.Config) (plan.Node, bool, error) {
	return transformUp(n, func(n plan.Node) (plan.Node, bool, error) {
		switch x := n.(type) {
		case *plan.Filter:
			return simplifyFilter(x)
		case *plan.Project:
			return simplifyProject(x)
		case *plan.Aggregate:
			return simplifyAggregate(x)
		case *plan.Sort:
			return simplifySort(x)
		case *plan.Join:
			return simplifyJoin(x)
		}
		return n, false, nil
	})
}

func simplifyFilter(f *plan.Filter) (plan.Node, bool, error) {
	pred, err := simplifyExpr(f.Pred, f.Input.Schema())
	if err != nil {
		return nil, false, err
	}
	for _, c := range expr.Conjuncts(pred) {
		if v, ok := expr.BoolLiteral(c); (ok && !v) || expr.IsNullLiteral(c) {
			empty, err := plan.NewLimit(f.Input, 0, 0)
			return empty, true, err
		}
	}
	if v, ok := expr.BoolLiteral(pred); ok && v {
		return f.Input, true, nil
	}
	if pred == f.Pred {
		return f, false, nil
	}
	nf, err := plan.NewFilter(f.Input, pred)
	return nf, true, err
}

func simplifyJoin(j *plan.Join) (plan.Node, bool, error) {
	if j.Filter == nil {
		return j, false, nil
	}
	pred, err := simplifyExpr(j.Filter, j.CombinedSchema())
	if err != nil || pred == j.Filter {
		return j, false, err
	}
	spec := j.Spec
	spec.Filter = pred
	if v, ok := expr.BoolLiteral(pred); ok && v {
		switch {
		case len(j.LeftKeys) > 0:
			spec.Filter = nil
		case innerLike(j.Type):
			spec.Filter, spec.Type = nil, plan.CrossJoin
		}
	}
	nj, err := rebuildJoin(j, j.Left, j.Right, spec)
	return nj, true, err
}

func simplifyProject(p *plan.Project) (plan.Node, bool, error) {
	exprs, changed, err := simplifyOutputs(p.Exprs, p.Input.Schema())
	if err != nil || !changed {
		return p, false, err
	}
	np, err := plan.NewProject(p.Input, exprs)
	return np, true, err
}

func simplifyAggregate(a *plan.Aggregate) (plan.Node, bool, error) {
	schema := a.Input.Schema()
	keys, keysChanged, err := simplifyOutputs(a.Keys, schema)
	if err != nil {
		return nil, false, err
	}
	aggs, aggsChanged, err := simplifyOutputs(a.Aggs, schema)
	if err != nil || !keysChanged && !aggsChanged {
		return a, false, err
	}
	na, err := plan.NewAggregate(a.Input, keys, aggs)
	return na, true, err
}

func simplifySort(s *plan.Sort) (plan.Node, bool, error) {
	keys := make([]expr.Node, 0, len(s.Keys))
	changed := false
	for _, k := range s.Keys {
		in, err := simplifyExpr(k.In, s.Input.Schema())
		if err != nil {
			return nil, false, err
		}
		switch {
		case isLiteral(in):
			changed = true // every row has the same value: the key orders nothing
		case in != k.In:
			changed = true
			keys = append(keys, &expr.SortKey{In: in, Desc: k.Desc, NullsFirst: k.NullsFirst})
		default:
			keys = append(keys, k)
		}
	}
	if !changed {
		return s, false, nil
	}
	if len(keys) == 0 {
		return s.Input, true, nil
	}
	ns, err := plan.NewSort(s.Input, keys)
	return ns, true, err
}

// simplifyOutputs simplifies expressions that name output columns, keeping
// each name and type.
func simplifyOutputs(es []expr.Node, schema *arrow.Schema) ([]expr.Node, bool, error) {
	var out []expr.Node
	for i, e := range es {
		s, err := simplifyExpr(e, schema)
		if err != nil {
			return nil, false, err
		}
		if s == e {
			continue
		}
		if name := expr.OutputName(e); expr.OutputName(s) != name {
			s = &expr.Alias{In: expr.Unalias(s), Name: name}
		}
		before, err := expr.TypeOf(e, schema)
		if err != nil {
			return nil, false, err
		}
		after, err := expr.TypeOf(s, schema)
		if err != nil {
			return nil, false, err
		}
		if !arrow.TypeEqual(before, after) {
			return nil, false, fmt.Errorf("%w: simplifying %s gave %s, of type %s instead of %s", errs.ErrInternal, e, s, after, before)
		}
		if out == nil {
			out = append([]expr.Node(nil), es...)
		}
		out[i] = s
	}
	if out == nil {
		return es, false, nil
	}
	return out, true, nil
}

// simplifyExpr simplifies a resolved expression bottom up; schema is the
// schema it was resolved against. Untouched subtrees are shared, so an
// unchanged expression comes back as the same node.
func simplifyExpr(e expr.Node, schema *arrow.Schema) (expr.Node, error) {
	return expr.Transform(e, func(n expr.Node) (expr.Node, error) {
		return simplifyNode(n, schema)
	})
}

// simplifyNode simplifies one node whose children are already simplified.
func simplifyNode(n expr.Node, schema *arrow.Schema) (expr.Node, error) {
	switch x := n.(type) {
	case *expr.Binary:
		return simplifyBinary(x, schema)
	case *expr.Unary:
		return simplifyUnary(x, schema)
	case *expr.Cast:
		return simplifyCast(x, schema)
	case *expr.IsIn:
		return simplifyIsIn(x), nil
	case *expr.Case:
		return simplifyCase(x, schema)
	case *expr.Call:
		return simplifyCall(x, schema)
	}
	return n, nil
}

func isLiteral(n expr.Node) bool {
	_, ok := n.(*expr.Literal)
	return ok
}

// typed gives an untyped literal the type it already has, so that it keeps
// that type wherever a rewrite moves it.
func typed(n expr.Node) expr.Node {
	if l, ok := n.(*expr.Literal); ok && l.Untyped {
		return expr.NewLiteral(l.Value)
	}
	return n
}

// nullOf is a NULL of n's type.
func nullOf(n expr.Node, schema *arrow.Schema) (expr.Node, error) {
	t, err := expr.TypeOf(n, schema)
	if err != nil {
		return nil, err
	}
	return expr.NewLiteral(scalar.MakeNullScalar(t)), nil
}

func simplifyBinary(b *expr.Binary, schema *arrow.Schema) (expr.Node, error) {
	switch {
	case b.Op == expr.OpAnd:
		return simplifyAnd(b), nil
	case b.Op == expr.OpOr:
		return simplifyOr(b), nil
	case expr.IsNullLiteral(b.Left) || expr.IsNullLiteral(b.Right):
		// Comparisons and arithmetic with NULL are NULL whatever the other
		// side is.
		return nullOf(b, schema)
	}
	l, lok := b.Left.(*expr.Literal)
	r, rok := b.Right.(*expr.Literal)
	if !lok || !rok {
		return b, nil
	}
	var v scalar.Scalar
	var ok bool
	if b.Op.IsComparison() {
		v, ok = foldCompare(b.Op, l.Value, r.Value)
	} else {
		v, ok = foldArith(b.Op, l.Value, r.Value)
	}
	if !ok {
		return b, nil
	}
	return expr.NewLiteral(v), nil
}

func simplifyAnd(b *expr.Binary) expr.Node {
	lv, lok := expr.BoolLiteral(b.Left)
	rv, rok := expr.BoolLiteral(b.Right)
	switch {
	case lok && !lv || rok && !rv:
		return boolLit(false)
	case lok && lv:
		return b.Right
	case rok && rv:
		return b.Left
	case expr.IsNullLiteral(b.Left) && expr.IsNullLiteral(b.Right):
		return nullBool()
	}
	return b
}

func simplifyOr(b *expr.Binary) expr.Node {
	lv, lok := expr.BoolLiteral(b.Left)
	rv, rok := expr.BoolLiteral(b.Right)
	switch {
	case lok && lv || rok && rv:
		return boolLit(true)
	case lok && !lv:
		return b.Right
	case rok && !rv:
		return b.Left
	case expr.IsNullLiteral(b.Left) && expr.IsNullLiteral(b.Right):
		return nullBool()
	}
	return b
}

func simplifyUnary(u *expr.Unary, schema *arrow.Schema) (expr.Node, error) {
	l, isLit := u.In.(*expr.Literal)
	switch u.Op {
	case expr.OpNot:
		return simplifyNot(u, schema)
	case expr.OpIsNull, expr.OpIsNotNull:
		if isLit {
			return boolLit(l.Value.IsValid() == (u.Op == expr.OpIsNotNull)), nil
		}
	case expr.OpNeg:
		if isLit {
			if v, ok := foldNeg(l.Value); ok {
				return expr.NewLiteral(v), nil
			}
		}
	}
	return u, nil
}

func simplifyNot(u *expr.Unary, schema *arrow.Schema) (expr.Node, error) {
	if expr.IsNullLiteral(u.In) {
		return nullBool(), nil
	}
	if v, ok := expr.BoolLiteral(u.In); ok {
		return boolLit(!v), nil
	}
	switch in := u.In.(type) {
	case *expr.Unary:
		switch in.Op {
		case expr.OpNot:
			return in.In, nil
		case expr.OpIsNull:
			return &expr.Unary{Op: expr.OpIsNotNull, In: in.In}, nil
		case expr.OpIsNotNull:
			return &expr.Unary{Op: expr.OpIsNull, In: in.In}, nil
		}
	case *expr.Binary:
		if in.Op.IsComparison() {
			ok, err := negatable(in, schema)
			if err != nil || !ok {
				return u, err
			}
			return &expr.Binary{Op: in.Op.Negate(), Left: in.Left, Right: in.Right}, nil
		}
		if in.Op.IsLogical() {
			// De Morgan's laws hold in three-valued logic.
			l, err := simplifyNot(&expr.Unary{Op: expr.OpNot, In: in.Left}, schema)
			if err != nil {
				return nil, err
			}
			r, err := simplifyNot(&expr.Unary{Op: expr.OpNot, In: in.Right}, schema)
			if err != nil {
				return nil, err
			}
			op := expr.OpOr
			if in.Op == expr.OpOr {
				op = expr.OpAnd
			}
			return simplifyBinary(&expr.Binary{Op: op, Left: l, Right: r}, schema)
		}
	}
	return u, nil
}

// negatable reports whether NOT c equals c with the negated operator.
// NULL operands make both NULL. NaN makes a < b and a >= b both false, so
// ordering comparisons of floating-point values keep their NOT; = and !=
// stay exact opposites even for NaN.
func negatable(c *expr.Binary, schema *arrow.Schema) (bool, error) {
	if c.Op == expr.OpEq || c.Op == expr.OpNe {
		return true, nil
	}
	t, err := expr.TypeOf(c.Left, schema)
	if err != nil {
		return false, err
	}
	switch t.ID() {
	case arrow.FLOAT16, arrow.FLOAT32, arrow.FLOAT64:
		return false, nil
	}
	return true, nil
}

func simplifyCast(c *expr.Cast, schema *arrow.Schema) (expr.Node, error) {
	t, err := expr.TypeOf(c.In, schema)
	if err != nil {
		return nil, err
	}
	if arrow.TypeEqual(t, c.To) {
		return c.In, nil
	}
	if !isLiteral(c.In) {
		return c, nil
	}
	// Resolution casts literals with the rules it coerces them by, and
	// leaves a Cast when the value does not convert.
	r, err := expr.Resolve(c, schema)
	if err != nil || !isLiteral(r) {
		return c, nil
	}
	return r, nil
}

func simplifyIsIn(x *expr.IsIn) expr.Node {
	in, ok := x.In.(*expr.Literal)
	if !ok {
		return x
	}
	list := make([]scalar.Scalar, len(x.List))
	for i, item := range x.List {
		l, ok := item.(*expr.Literal)
		if !ok {
			return x
		}
		list[i] = l.Value
	}
	v, ok := foldIsIn(in.Value, list)
	if !ok {
		return x
	}
	return expr.NewLiteral(v)
}

// simplifyCase drops branches whose condition is FALSE or NULL; a TRUE
// condition ends the CASE there.
func simplifyCase(c *expr.Case, schema *arrow.Schema) (expr.Node, error) {
	var whens, thens []expr.Node
	changed := false
	for i, w := range c.Whens {
		v, ok := expr.BoolLiteral(w)
		if ok && v {
			if len(whens) == 0 {
				return typed(c.Thens[i]), nil
			}
			return &expr.Case{Whens: whens, Thens: thens, Else: c.Thens[i]}, nil
		}
		if ok || expr.IsNullLiteral(w) {
			changed = true
			continue
		}
		whens, thens = append(whens, w), append(thens, c.Thens[i])
	}
	switch {
	case !changed:
		return c, nil
	case len(whens) > 0:
		return &expr.Case{Whens: whens, Thens: thens, Else: c.Else}, nil
	case c.Else != nil:
		return typed(c.Else), nil
	}
	return nullOf(c, schema)
}

func simplifyCall(c *expr.Call, schema *arrow.Schema) (expr.Node, error) {
	if c.Fn == expr.FnCoalesce {
		return simplifyCoalesce(c, schema)
	}
	args := make([]scalar.Scalar, len(c.Args))
	for i, a := range c.Args {
		l, ok := a.(*expr.Literal)
		if !ok {
			return c, nil
		}
		args[i] = l.Value
	}
	t, err := expr.TypeOf(c, schema)
	if err != nil {
		return nil, err
	}
	if v, ok := foldCall(c.Fn, args, t); ok {
		return expr.NewLiteral(v), nil
	}
	return c, nil
}

// simplifyCoalesce drops NULL arguments and those after the first non-null
// literal, which are never reached.
func simplifyCoalesce(c *expr.Call, schema *arrow.Schema) (expr.Node, error) {
	args := make([]expr.Node, 0, len(c.Args))
	for _, a := range c.Args {
		if expr.IsNullLiteral(a) {
			continue
		}
		args = append(args, a)
		if isLiteral(a) {
			break
		}
	}
	switch len(args) {
	case 0:
		return nullOf(c, schema)
	case 1:
		return typed(args[0]), nil
	case len(c.Args):
		return c, nil
	}
	return &expr.Call{Fn: c.Fn, Args: args}, nil
}
