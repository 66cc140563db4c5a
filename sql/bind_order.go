//go:build cgo

package sql

import (
	"context"

	pg "github.com/pganalyze/pg_query_go/v6"

	"lakeframe/expr"
	"lakeframe/plan"
)

// orderKey is one bound ORDER BY item. target is the select-list entry it
// sorts by, or -1 for an expression computed only to sort.
type orderKey struct {
	key        expr.Node
	desc       bool
	nullsFirst bool
	target     int
	offset     int32
}

// orderBy binds ORDER BY: ordinals and bare output names name select-list
// entries; other names and expressions read the input. NULLs sort last
// ascending and first descending unless NULLS FIRST/LAST says otherwise,
// as in PostgreSQL.
func (b *binder) orderBy(ctx context.Context, ec *exprCtx, items []*pg.Node, targets []target) ([]orderKey, error) {
	oc := *ec
	oc.clause = "ORDER BY"
	var out []orderKey
	for _, item := range items {
		sb := item.GetSortBy()
		if sb.SortbyDir == pg.SortByDir_SORTBY_USING {
			return nil, b.unsupported(sb.Location, "ORDER BY ... USING")
		}
		k := orderKey{target: -1, offset: exprLocation(sb.Node), desc: sb.SortbyDir == pg.SortByDir_SORTBY_DESC}
		k.nullsFirst = k.desc
		switch sb.SortbyNulls {
		case pg.SortByNulls_SORTBY_NULLS_FIRST:
			k.nullsFirst = true
		case pg.SortByNulls_SORTBY_NULLS_LAST:
			k.nullsFirst = false
		}
		if n := ordinal(sb.Node); n != 0 {
			if n < 0 || n > len(targets) {
				return nil, b.errAt(k.offset, CodeInvalidColumnRef, "ORDER BY position %d is not in select list", n)
			}
			k.key, k.target = targets[n-1].e, n-1
			out = append(out, k)
			continue
		}
		if ref := sb.Node.GetColumnRef(); ref != nil && len(ref.Fields) == 1 && ref.Fields[0].GetString_() != nil {
			if i := targetIndex(targets, nameOf(ref.Fields)); i >= 0 {
				k.key, k.target = targets[i].e, i
				out = append(out, k)
				continue
			}
		}
		e, err := b.expr(ctx, &oc, sb.Node)
		if err != nil {
			return nil, err
		}
		k.key = e
		for i, t := range targets {
			if indexOf([]expr.Node{t.e}, e) == 0 {
				k.target = i
				break
			}
		}
		out = append(out, k)
	}
	return out, nil
}

func targetIndex(targets []target, name string) int {
	for i, t := range targets {
		if t.name == name {
			return i
		}
	}
	return -1
}

// shape computes the select list (and the sort-only expressions), then
// applies DISTINCT, ORDER BY and LIMIT/OFFSET, and drops the sort-only
// columns.
func (b *binder) shape(stmt *pg.SelectStmt, node plan.Node, targets []target, order []orderKey) (*relation, error) {
	distinct := len(stmt.DistinctClause) > 0
	if distinct && stmt.DistinctClause[0].GetNode() != nil {
		return nil, b.unsupported(-1, "DISTINCT ON")
	}
	var exprs []expr.Node
	for _, t := range targets {
		if readsOuter(t.e, node) {
			return nil, b.unsupported(t.offset, "a correlated reference outside the WHERE clause of a subquery")
		}
		exprs = append(exprs, &expr.Alias{In: t.e, Name: t.id})
	}
	sortKeys := make([]expr.Node, len(order))
	hidden := 0
	for i, o := range order {
		id := ""
		if o.target >= 0 {
			id = targets[o.target].id
		} else {
			if distinct {
				return nil, b.errAt(o.offset, CodeInvalidColumnRef, "for SELECT DISTINCT, ORDER BY expressions must appear in select list")
			}
			if readsOuter(o.key, node) {
				return nil, b.unsupported(o.offset, "a correlated reference outside the WHERE clause of a subquery")
			}
			id = b.newID("sort")
			exprs = append(exprs, &expr.Alias{In: o.key, Name: id})
			hidden++
		}
		sortKeys[i] = &expr.SortKey{In: &expr.Column{Name: id}, Desc: o.desc, NullsFirst: o.nullsFirst}
	}
	var out plan.Node
	out, err := plan.NewProject(node, exprs)
	if err != nil {
		return nil, b.engineErr(-1, err)
	}
	if distinct {
		out = plan.NewDistinct(out)
	}
	if len(sortKeys) > 0 {
		if out, err = plan.NewSort(out, sortKeys); err != nil {
			return nil, b.engineErr(-1, err)
		}
	}
	if out, err = b.limit(stmt, out); err != nil {
		return nil, err
	}
	if hidden > 0 {
		keep := make([]expr.Node, len(targets))
		for i, t := range targets {
			keep[i] = &expr.Column{Name: t.id}
		}
		if out, err = plan.NewProject(out, keep); err != nil {
			return nil, b.engineErr(-1, err)
		}
	}
	cols := make([]column, len(targets))
	for i, t := range targets {
		cols[i] = column{name: t.name, id: t.id, typ: fieldType(out.Schema(), t.id)}
	}
	return &relation{node: out, cols: cols}, nil
}

// limit applies LIMIT and OFFSET, which must be constants.
func (b *binder) limit(stmt *pg.SelectStmt, in plan.Node) (plan.Node, error) {
	if stmt.LimitOption == pg.LimitOption_LIMIT_OPTION_WITH_TIES {
		return nil, b.unsupported(-1, "FETCH ... WITH TIES")
	}
	count, err := b.rowCount(stmt.LimitCount, "LIMIT", "2201W", -1)
	if err != nil {
		return nil, err
	}
	offset, err := b.rowCount(stmt.LimitOffset, "OFFSET", "2201X", 0)
	if err != nil {
		return nil, err
	}
	if count < 0 && offset == 0 {
		return in, nil
	}
	if count < 0 {
		count = 1 << 62
	}
	out, err := plan.NewLimit(in, offset, count)
	if err != nil {
		return nil, b.engineErr(-1, err)
	}
	return out, nil
}

// isIntegerTypeName says whether a cast's type is one of PostgreSQL's
// integer types.
func isIntegerTypeName(t *pg.TypeName) bool {
	if t == nil || len(t.Names) == 0 {
		return false
	}
	switch t.Names[len(t.Names)-1].GetString_().GetSval() {
	case "int2", "int4", "int8", "smallint", "integer", "int", "bigint":
		return true
	}
	return false
}

// rowCount reads the constant of LIMIT or OFFSET; absent or NULL (LIMIT
// ALL) gives none.
func (b *binder) rowCount(n *pg.Node, clause, negativeCode string, none int64) (int64, error) {
	if n == nil {
		return none, nil
	}
	// An integer constant cast to an integer type (postgres_fdw sends
	// LIMIT 3::bigint) is the constant.
	if tc := n.GetTypeCast(); tc != nil && tc.Arg.GetAConst() != nil && isIntegerTypeName(tc.TypeName) {
		n = tc.Arg
	}
	c := n.GetAConst()
	switch {
	case c != nil && c.Isnull:
		return none, nil
	case c != nil && c.GetIval() != nil:
		v := int64(c.GetIval().Ival)
		if v < 0 {
			return 0, b.errAt(c.Location, negativeCode, "%s must not be negative", clause)
		}
		return v, nil
	}
	return 0, b.unsupported(exprLocation(n), clause+" that is not an integer constant")
}
