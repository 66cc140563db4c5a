//go:build cgo

package sql

import (
	"context"

	pg "github.com/pganalyze/pg_query_go/v6"

	"lakeframe/expr"
	"lakeframe/plan"
)

// withCTEs binds a WITH clause's common table expressions, each seeing the
// ones before it, and makes them visible to the query until the returned
// restore is called. Each reference to a CTE reads its plan afresh (the
// subtree is shared; it runs once per reference).
func (b *binder) withCTEs(ctx context.Context, with *pg.WithClause, parent *scope) (restore func(), err error) {
	saved := b.ctes
	restore = func() { b.ctes = saved }
	if with == nil {
		return restore, nil
	}
	if with.Recursive {
		return restore, b.unsupported(with.Location, "WITH RECURSIVE")
	}
	visible := map[string]*relation{}
	for k, v := range saved {
		visible[k] = v
	}
	b.ctes = visible
	defined := map[string]bool{}
	for _, n := range with.Ctes {
		cte := n.GetCommonTableExpr()
		if defined[cte.Ctename] {
			restore()
			return restore, b.errAt(cte.Location, "42712", "WITH query name %q specified more than once", cte.Ctename)
		}
		rel, err := b.query(ctx, cte.Ctequery.GetSelectStmt(), parent)
		if err != nil {
			restore()
			return restore, err
		}
		rel, err = b.renamed(rel, cte.Ctename, &pg.Alias{Aliasname: cte.Ctename, Colnames: cte.Aliascolnames})
		if err != nil {
			restore()
			return restore, err
		}
		visible[cte.Ctename] = rel
		defined[cte.Ctename] = true
	}
	return restore, nil
}

// cteRef reads a common table expression named in FROM, under fresh ids
// so that two references (a self-join) do not clash.
func (b *binder) cteRef(cte *relation, rv *pg.RangeVar) (*relation, error) {
	qual := rv.Relname
	if rv.Alias != nil {
		qual = rv.Alias.Aliasname
	}
	cols := make([]column, len(cte.cols))
	exprs := make([]expr.Node, len(cte.cols))
	for i, c := range cte.cols {
		cols[i] = column{table: qual, name: c.name, typ: c.typ, id: b.newID(c.name)}
		exprs[i] = &expr.Alias{In: &expr.Column{Name: c.id}, Name: cols[i].id}
	}
	if err := b.applyColumnAliases(cols, rv.Alias, rv.Location); err != nil {
		return nil, err
	}
	p, err := plan.NewProject(cte.node, exprs)
	if err != nil {
		return nil, b.engineErr(rv.Location, err)
	}
	return &relation{node: p, cols: cols}, nil
}
