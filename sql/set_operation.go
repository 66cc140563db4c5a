//go:build cgo

package sql

import (
	"context"

	"github.com/apache/arrow-go/v18/arrow"
	pg "github.com/pganalyze/pg_query_go/v6"

	"lakeframe/expr"
	"lakeframe/plan"
)

var setOpNames = map[pg.SetOperation]string{
	pg.SetOperation_SETOP_UNION: "UNION", pg.SetOperation_SETOP_INTERSECT: "INTERSECT", pg.SetOperation_SETOP_EXCEPT: "EXCEPT",
}

// setOperation binds UNION [ALL], INTERSECT and EXCEPT, then the ORDER BY
// and LIMIT that apply to the combined rows. Columns line up by position
// and take the left query's names; rows compare with NULLs equal, as in
// PostgreSQL. UNION ALL is a Union node, UNION a Distinct over it;
// INTERSECT and EXCEPT are semi and anti joins of the distinct left rows.
func (b *binder) setOperation(ctx context.Context, stmt *pg.SelectStmt, parent *scope) (*relation, error) {
	name := setOpNames[stmt.Op]
	if stmt.All && stmt.Op != pg.SetOperation_SETOP_UNION {
		return nil, b.unsupported(-1, name+" ALL")
	}
	left, err := b.query(ctx, stmt.Larg, parent)
	if err != nil {
		return nil, err
	}
	right, err := b.query(ctx, stmt.Rarg, parent)
	if err != nil {
		return nil, err
	}
	if len(left.cols) != len(right.cols) {
		return nil, b.errAt(-1, CodeSyntaxError, "each %s query must have the same number of columns (%d and %d)", name, len(left.cols), len(right.cols))
	}
	// Both sides get the same column names and types.
	ids := make([]string, len(left.cols))
	types := make([]arrow.DataType, len(left.cols))
	lexprs := make([]expr.Node, len(left.cols))
	rexprs := make([]expr.Node, len(left.cols))
	for i := range left.cols {
		lc, rc := left.cols[i], right.cols[i]
		lt, rt := fieldType(left.node.Schema(), lc.id), fieldType(right.node.Schema(), rc.id)
		_, _, ct, err := expr.Unify(&expr.Column{Name: lc.id}, lt, &expr.Column{Name: rc.id}, rt)
		if err != nil {
			return nil, b.errAt(-1, CodeDatatypeMismatch, "%s types %s and %s cannot be matched (column %d)", name, lt, rt, i+1)
		}
		ids[i], types[i] = b.newID(lc.name), ct
		lexprs[i] = &expr.Alias{In: &expr.Cast{In: &expr.Column{Name: lc.id}, To: ct}, Name: ids[i]}
		rexprs[i] = &expr.Alias{In: &expr.Cast{In: &expr.Column{Name: rc.id}, To: ct}, Name: ids[i]}
	}
	lp, err := plan.NewProject(left.node, lexprs)
	if err != nil {
		return nil, b.engineErr(-1, err)
	}
	rp, err := plan.NewProject(right.node, rexprs)
	if err != nil {
		return nil, b.engineErr(-1, err)
	}
	var node plan.Node
	switch stmt.Op {
	case pg.SetOperation_SETOP_UNION:
		u, err := plan.NewUnion(lp, rp)
		if err != nil {
			return nil, b.engineErr(-1, err)
		}
		node = u
		if !stmt.All {
			node = plan.NewDistinct(u)
		}
	default:
		if node, err = b.rowMatch(stmt.Op == pg.SetOperation_SETOP_INTERSECT, lp, rp, ids, types); err != nil {
			return nil, err
		}
	}
	cols := make([]column, len(ids))
	for i, id := range ids {
		cols[i] = column{name: left.cols[i].name, id: id, typ: types[i]}
	}
	return b.orderRows(ctx, stmt, node, cols, parent)
}

// orderRows applies a statement's ORDER BY and LIMIT to rows whose columns
// are all it may name: a set operation's or a VALUES list's.
func (b *binder) orderRows(ctx context.Context, stmt *pg.SelectStmt, node plan.Node, cols []column, parent *scope) (*relation, error) {
	targets := make([]target, len(cols))
	for i, c := range cols {
		targets[i] = target{name: c.name, e: &expr.Column{Name: c.id}, id: b.newID(c.name), offset: -1}
	}
	ec := &exprCtx{sc: &scope{cols: cols, parent: parent}, rel: &node, clause: "ORDER BY"}
	order, err := b.orderBy(ctx, ec, stmt.SortClause, targets)
	if err != nil {
		return nil, err
	}
	if node != *ec.rel {
		return nil, b.unsupported(-1, "subqueries in this ORDER BY")
	}
	return b.shape(stmt, node, targets, order)
}

// rowMatch keeps the distinct left rows that have (intersect) or lack
// (except) an equal right row, NULLs counting as equal.
func (b *binder) rowMatch(intersect bool, left, right plan.Node, ids []string, types []arrow.DataType) (plan.Node, error) {
	// The right side's columns get names of their own for the join.
	rexprs := make([]expr.Node, len(ids))
	rids := make([]string, len(ids))
	for i, id := range ids {
		rids[i] = b.newID("right")
		rexprs[i] = &expr.Alias{In: &expr.Column{Name: id}, Name: rids[i]}
	}
	rp, err := plan.NewProject(right, rexprs)
	if err != nil {
		return nil, b.engineErr(-1, err)
	}
	spec := plan.JoinSpec{Type: plan.AntiJoin}
	if intersect {
		spec.Type = plan.SemiJoin
	}
	for i, id := range ids {
		lk, rk := nullSafeKeys(&expr.Column{Name: id}, &expr.Column{Name: rids[i]}, types[i])
		spec.LeftKeys, spec.RightKeys = append(spec.LeftKeys, lk...), append(spec.RightKeys, rk...)
	}
	j, err := plan.NewJoin(plan.NewDistinct(left), rp, spec)
	if err != nil {
		return nil, b.engineErr(-1, err)
	}
	return j, nil
}
