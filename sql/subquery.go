//go:build cgo

package sql

import (
	"context"
	"fmt"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/scalar"
	pg "github.com/pganalyze/pg_query_go/v6"

	"lakeframe/expr"
	"lakeframe/frame"
	"lakeframe/plan"
)

// subLink binds a subquery expression: scalar, EXISTS, or IN.
// Uncorrelated ones run now and become constants; correlated ones are
// unnested into joins (see correlatedAggregates).
func (b *binder) subLink(ctx context.Context, ec *exprCtx, s *pg.SubLink) (expr.Node, error) {
	kind := s.SubLinkType
	switch kind {
	case pg.SubLinkType_EXPR_SUBLINK, pg.SubLinkType_EXISTS_SUBLINK:
	case pg.SubLinkType_ANY_SUBLINK:
		if len(s.OperName) > 0 && nameOf(s.OperName) != "=" {
			return nil, b.unsupported(s.Location, "op ANY (subquery) with an operator other than =")
		}
	default:
		return nil, b.unsupported(s.Location, "ALL/ARRAY/row subqueries")
	}
	sel := s.Subselect.GetSelectStmt()
	restore, err := b.withCTEs(ctx, sel.GetWithClause(), ec.sc)
	defer restore()
	if err != nil {
		return nil, err
	}
	var rel *relation
	if sel.GetOp() != pg.SetOperation_SETOP_NONE {
		var err error
		if rel, err = b.setOperation(ctx, sel, ec.sc); err != nil {
			return nil, err
		}
	} else {
		blk, err := b.openBlock(ctx, sel, ec.sc)
		if err != nil {
			return nil, err
		}
		if len(blk.correlated) > 0 {
			return b.correlated(ctx, ec, s, blk)
		}
		if rel, err = b.finishBlock(ctx, blk); err != nil {
			return nil, err
		}
	}
	if kind != pg.SubLinkType_EXISTS_SUBLINK && len(rel.cols) != 1 {
		return nil, b.errAt(s.Location, CodeSyntaxError, "subquery must return only one column, got %d", len(rel.cols))
	}
	switch kind {
	case pg.SubLinkType_EXISTS_SUBLINK:
		vals, err := b.runLimited(ctx, rel.node, 1, s.Location)
		if err != nil {
			return nil, err
		}
		return expr.Lit(len(vals) > 0).Node(), nil
	case pg.SubLinkType_EXPR_SUBLINK:
		// Two rows are enough to know the subquery is wrong.
		vals, err := b.runLimited(ctx, rel.node, 2, s.Location)
		if err != nil {
			return nil, err
		}
		switch len(vals) {
		case 0:
			return &expr.Literal{Value: scalar.MakeNullScalar(rel.node.Schema().Field(0).Type)}, nil
		case 1:
			return &expr.Literal{Value: vals[0]}, nil
		}
		return nil, b.errAt(s.Location, CodeCardinalityViolation, "more than one row returned by a subquery used as an expression")
	}
	x, err := b.expr(ctx, ec, s.Testexpr)
	if err != nil {
		return nil, err
	}
	vals, err := b.run(ctx, rel.node, s.Location)
	if err != nil {
		return nil, err
	}
	if len(vals) == 0 {
		// Nothing is IN an empty set, not even NULL.
		return expr.Lit(false).Node(), nil
	}
	list := make([]expr.Node, len(vals))
	for i, v := range vals {
		list[i] = &expr.Literal{Value: v}
	}
	// IsIn is NULL when x is NULL, or when nothing matches and the list has
	// a NULL: the NULL semantics NOT IN needs.
	return &expr.IsIn{In: x, List: list}, nil
}

// runLimited runs a one-column plan for its first n values.
func (b *binder) runLimited(ctx context.Context, n plan.Node, limit int64, offset int32) ([]scalar.Scalar, error) {
	l, err := plan.NewLimit(n, 0, limit)
	if err != nil {
		return nil, b.engineErr(offset, err)
	}
	return b.run(ctx, l, offset)
}

// run executes a one-column plan and returns its values.
func (b *binder) run(ctx context.Context, n plan.Node, offset int32) ([]scalar.Scalar, error) {
	tbl, err := frame.FromPlan(n).Collect(ctx, b.sess.opts...)
	if err != nil {
		return nil, b.engineErr(offset, err)
	}
	defer tbl.Release()
	var out []scalar.Scalar
	if tbl.NumCols() == 0 {
		return make([]scalar.Scalar, tbl.NumRows()), nil
	}
	for _, chunk := range tbl.Column(0).Data().Chunks() {
		for i := 0; i < chunk.Len(); i++ {
			v, err := scalar.GetScalar(chunk, i)
			if err != nil {
				return nil, b.engineErr(offset, err)
			}
			out = append(out, v)
		}
	}
	return out, nil
}

// correlated binds a subquery whose WHERE reads outer columns. Each kind
// becomes aggregates over the subquery's rows that match each outer row:
// a scalar subquery must be an aggregate already; EXISTS is count(*) > 0;
// x IN (SELECT y ...) counts the rows with y = x and those where y or x is
// NULL, which gives IN's three-valued answer.
func (b *binder) correlated(ctx context.Context, ec *exprCtx, s *pg.SubLink, blk *block) (expr.Node, error) {
	stmt := blk.stmt
	if len(stmt.GroupClause) > 0 || stmt.HavingClause != nil || len(stmt.DistinctClause) > 0 || stmt.LimitCount != nil || stmt.LimitOffset != nil {
		return nil, b.unsupported(s.Location, "correlated subqueries with GROUP BY, HAVING, DISTINCT, LIMIT or OFFSET")
	}
	inner := &exprCtx{sc: blk.sc, rel: &blk.node, allowAgg: true, clause: "SELECT"}
	switch s.SubLinkType {
	case pg.SubLinkType_EXISTS_SUBLINK:
		ids, err := b.correlatedAggregates(ec, blk, []expr.Node{&expr.Agg{Fn: expr.AggCountAll}}, s.Location)
		if err != nil {
			return nil, err
		}
		return &expr.Binary{Op: expr.OpGt, Left: &expr.Column{Name: ids[0]}, Right: expr.Lit(0).Node()}, nil
	case pg.SubLinkType_EXPR_SUBLINK:
		ts, err := b.targets(ctx, inner, stmt.TargetList)
		if err != nil {
			return nil, err
		}
		if len(ts) != 1 {
			return nil, b.errAt(s.Location, CodeSyntaxError, "subquery must return only one column, got %d", len(ts))
		}
		if !expr.HasAgg(ts[0].e) {
			return nil, b.unsupported(s.Location, "correlated scalar subqueries that do not aggregate")
		}
		var aggs []expr.Node
		expr.Walk(ts[0].e, func(x expr.Node) bool {
			if a, ok := x.(*expr.Agg); ok {
				if indexOf(aggs, a) < 0 {
					aggs = append(aggs, a)
				}
				return false
			}
			return true
		})
		ids, err := b.correlatedAggregates(ec, blk, aggs, s.Location)
		if err != nil {
			return nil, err
		}
		rw := &aggRewriter{b: blk, aggs: aggs, aggIDs: ids, in: blk.node}
		out, err := rw.rewrite(ts[0].e)
		if err != nil {
			return nil, b.errAt(ts[0].offset, CodeGroupingError, "%v", err)
		}
		return out, nil
	}
	// x IN (SELECT y ... WHERE correlated)
	ts, err := b.targets(ctx, inner, stmt.TargetList)
	if err != nil {
		return nil, err
	}
	if len(ts) != 1 {
		return nil, b.errAt(s.Location, CodeSyntaxError, "subquery has too many columns")
	}
	if expr.HasAgg(ts[0].e) {
		return nil, b.unsupported(s.Location, "correlated IN subqueries that aggregate")
	}
	x, err := b.expr(ctx, ec, s.Testexpr)
	if err != nil {
		return nil, err
	}
	y := ts[0].e
	isTrue := func(cond expr.Node) expr.Node {
		return &expr.Case{Whens: []expr.Node{cond}, Thens: []expr.Node{expr.Lit(true).Node()}}
	}
	matches := &expr.Agg{Fn: expr.AggCount, In: isTrue(&expr.Binary{Op: expr.OpEq, Left: y, Right: x})}
	nulls := &expr.Agg{Fn: expr.AggCount, In: isTrue(&expr.Binary{Op: expr.OpOr,
		Left: &expr.Unary{Op: expr.OpIsNull, In: y}, Right: &expr.Unary{Op: expr.OpIsNull, In: x}})}
	ids, err := b.correlatedAggregates(ec, blk, []expr.Node{matches, nulls}, s.Location)
	if err != nil {
		return nil, err
	}
	positive := func(id string) expr.Node {
		return &expr.Binary{Op: expr.OpGt, Left: &expr.Column{Name: id}, Right: expr.Lit(0).Node()}
	}
	return &expr.Case{
		Whens: []expr.Node{positive(ids[0]), positive(ids[1])},
		Thens: []expr.Node{expr.Lit(true).Node(), &expr.Literal{Value: scalar.MakeNullScalar(arrow.FixedWidthTypes.Boolean)}},
		Else:  expr.Lit(false).Node(),
	}, nil
}

// correlatedAggregates unnests a correlated subquery (Neumann and Kemper,
// "Unnesting Arbitrary Queries"): D is the distinct set of the outer values
// the subquery reads; D left-joined with the subquery's rows on the
// correlated conditions, grouped by D, gives each aggregate per outer
// value (count(*) counts a marker column, so no match counts 0); that
// result is left-joined back to the outer plan, matching NULL outer values
// too. The outer plan in ec gains one column per aggregate, whose ids are
// returned.
func (b *binder) correlatedAggregates(ec *exprCtx, blk *block, aggs []expr.Node, offset int32) ([]string, error) {
	outer, inner := *ec.rel, blk.node
	var refs []string
	seen := map[string]bool{}
	for _, n := range append(append([]expr.Node(nil), blk.correlated...), aggs...) {
		for _, c := range expr.Columns(n) {
			if seen[c] || len(inner.Schema().FieldIndices(c)) > 0 {
				continue
			}
			seen[c] = true
			if len(outer.Schema().FieldIndices(c)) == 0 {
				return nil, b.unsupported(offset, "subqueries that read columns of a query two or more levels out")
			}
			refs = append(refs, c)
		}
	}
	// D: the distinct outer values, under fresh names.
	rename := map[string]string{}
	dExprs := make([]expr.Node, len(refs))
	dIDs := make([]string, len(refs))
	for i, r := range refs {
		dIDs[i] = b.newID("outer")
		rename[r] = dIDs[i]
		dExprs[i] = &expr.Alias{In: &expr.Column{Name: r}, Name: dIDs[i]}
	}
	dProj, err := plan.NewProject(outer, dExprs)
	if err != nil {
		return nil, b.engineErr(offset, err)
	}
	domain := plan.NewDistinct(dProj)
	toDomain := func(n expr.Node) (expr.Node, error) {
		return expr.Transform(n, func(x expr.Node) (expr.Node, error) {
			if c, ok := x.(*expr.Column); ok {
				if id, ok := rename[c.Name]; ok {
					return &expr.Column{Name: id}, nil
				}
			}
			return x, nil
		})
	}
	// The subquery's rows, with a marker that is never NULL.
	marker := b.newID("matched")
	innerExprs := make([]expr.Node, 0, inner.Schema().NumFields()+1)
	for _, f := range inner.Schema().Fields() {
		innerExprs = append(innerExprs, &expr.Column{Name: f.Name})
	}
	innerExprs = append(innerExprs, &expr.Alias{In: expr.Lit(true).Node(), Name: marker})
	marked, err := plan.NewProject(inner, innerExprs)
	if err != nil {
		return nil, b.engineErr(offset, err)
	}
	var conds []expr.Node
	for _, c := range blk.correlated {
		d, err := toDomain(c)
		if err != nil {
			return nil, b.engineErr(offset, err)
		}
		conds = append(conds, d)
	}
	spec := plan.JoinSpec{Type: plan.LeftJoin}
	spec.LeftKeys, spec.RightKeys, spec.Filter = splitJoinCondition(expr.And(conds...), domain.Schema(), marked.Schema())
	joined, err := plan.NewJoin(domain, marked, spec)
	if err != nil {
		return nil, b.engineErr(offset, err)
	}
	keys := make([]expr.Node, len(dIDs))
	for i, id := range dIDs {
		keys[i] = &expr.Column{Name: id}
	}
	ids := make([]string, len(aggs))
	aggExprs := make([]expr.Node, len(aggs))
	for i, a := range aggs {
		ag := a.(*expr.Agg)
		if ag.Fn == expr.AggCountAll {
			ag = &expr.Agg{Fn: expr.AggCount, In: &expr.Column{Name: marker}}
		} else {
			// The NULL-padded row of an outer value without matches is not
			// a row of the subquery: no input, even count(x IS NULL)'s.
			ag = &expr.Agg{Fn: ag.Fn, In: &expr.Case{
				Whens: []expr.Node{&expr.Unary{Op: expr.OpIsNotNull, In: &expr.Column{Name: marker}}},
				Thens: []expr.Node{ag.In}}}
		}
		d, err := toDomain(ag)
		if err != nil {
			return nil, b.engineErr(offset, err)
		}
		ids[i] = b.newID(fmt.Sprintf("sub_%s", ag.Fn))
		aggExprs[i] = &expr.Alias{In: d, Name: ids[i]}
	}
	grouped, err := plan.NewAggregate(joined, keys, aggExprs)
	if err != nil {
		return nil, b.engineErr(offset, err)
	}
	// Back to the outer rows: NULL outer values must find their group too.
	back := plan.JoinSpec{Type: plan.LeftJoin}
	for i, r := range refs {
		lk, rk := nullSafeKeys(&expr.Column{Name: r}, &expr.Column{Name: dIDs[i]}, fieldType(outer.Schema(), r))
		back.LeftKeys, back.RightKeys = append(back.LeftKeys, lk...), append(back.RightKeys, rk...)
	}
	out, err := plan.NewJoin(outer, grouped, back)
	if err != nil {
		return nil, b.engineErr(offset, err)
	}
	*ec.rel = out
	return ids, nil
}
