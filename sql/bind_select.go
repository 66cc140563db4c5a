//go:build cgo

package sql

import (
	"context"

	pg "github.com/pganalyze/pg_query_go/v6"

	"lakeframe/expr"
	"lakeframe/plan"
)

// block is a query block after FROM and WHERE: the rest of the SELECT
// computes over node. A subquery's WHERE conjuncts that read columns of
// the blocks around it are kept apart in correlated, for unnesting.
type block struct {
	stmt       *pg.SelectStmt
	sc         *scope
	node       plan.Node
	correlated []expr.Node
}

// query binds a SELECT that reads no outer columns.
func (b *binder) query(ctx context.Context, stmt *pg.SelectStmt, parent *scope) (*relation, error) {
	if stmt == nil {
		return nil, b.errAt(-1, CodeSyntaxError, "expected a SELECT")
	}
	restore, err := b.withCTEs(ctx, stmt.WithClause, parent)
	defer restore()
	if err != nil {
		return nil, err
	}
	if stmt.Op != pg.SetOperation_SETOP_NONE {
		return b.setOperation(ctx, stmt, parent)
	}
	if len(stmt.ValuesLists) > 0 {
		return b.values(ctx, stmt, parent)
	}
	blk, err := b.openBlock(ctx, stmt, parent)
	if err != nil {
		return nil, err
	}
	if len(blk.correlated) > 0 {
		return nil, b.unsupported(-1, "correlated subqueries in this position")
	}
	return b.finishBlock(ctx, blk)
}

// openBlock binds FROM and WHERE.
func (b *binder) openBlock(ctx context.Context, stmt *pg.SelectStmt, parent *scope) (*block, error) {
	if stmt == nil {
		return nil, b.errAt(-1, CodeSyntaxError, "expected a SELECT")
	}
	switch {
	case stmt.Op != pg.SetOperation_SETOP_NONE:
		return nil, b.unsupported(-1, setOpNames[stmt.Op]+" in a correlated subquery")
	case len(stmt.ValuesLists) > 0:
		return nil, b.unsupported(-1, "VALUES in a correlated subquery")
	case stmt.IntoClause != nil:
		return nil, b.unsupported(-1, "SELECT INTO")
	case len(stmt.LockingClause) > 0:
		return nil, b.unsupported(-1, "FOR UPDATE/SHARE")
	case len(stmt.WindowClause) > 0:
		return nil, b.unsupported(-1, "WINDOW clauses")
	}
	rel, err := b.from(ctx, stmt.FromClause, parent)
	if err != nil {
		return nil, err
	}
	blk := &block{stmt: stmt, sc: &scope{cols: rel.cols, parent: parent}, node: rel.node}
	if stmt.WhereClause == nil {
		return blk, nil
	}
	ec := &exprCtx{sc: blk.sc, rel: &blk.node, clause: "WHERE"}
	var conjuncts []expr.Node
	for _, n := range andArgs(stmt.WhereClause) {
		joined, err := b.semiJoin(ctx, blk, n)
		if err != nil {
			return nil, err
		}
		if joined {
			continue
		}
		c, err := b.expr(ctx, ec, n)
		if err != nil {
			return nil, err
		}
		conjuncts = append(conjuncts, expr.Conjuncts(c)...)
	}
	var local []expr.Node
	for _, c := range conjuncts {
		if readsOuter(c, blk.node) {
			blk.correlated = append(blk.correlated, c)
		} else {
			local = append(local, c)
		}
	}
	if len(local) > 0 {
		f, err := plan.NewFilter(blk.node, expr.And(local...))
		if err != nil {
			return nil, b.engineErr(exprLocation(stmt.WhereClause), err)
		}
		blk.node = f
	}
	return blk, nil
}

// readsOuter reports whether e reads a column its block's plan lacks: a
// column of an outer block.
func readsOuter(e expr.Node, n plan.Node) bool {
	for _, c := range expr.Columns(e) {
		if len(n.Schema().FieldIndices(c)) == 0 {
			return true
		}
	}
	return false
}

// target is one bound select-list entry.
type target struct {
	name   string
	id     string
	e      expr.Node
	offset int32
}

// finishBlock binds the select list, grouping, HAVING, DISTINCT, ORDER BY
// and LIMIT of a block.
func (b *binder) finishBlock(ctx context.Context, blk *block) (*relation, error) {
	stmt := blk.stmt
	ec := &exprCtx{sc: blk.sc, rel: &blk.node, allowAgg: true, clause: "SELECT"}
	targets, err := b.targets(ctx, ec, stmt.TargetList)
	if err != nil {
		return nil, err
	}
	var having expr.Node
	if stmt.HavingClause != nil {
		hc := *ec
		hc.clause = "HAVING"
		if having, err = b.expr(ctx, &hc, stmt.HavingClause); err != nil {
			return nil, err
		}
	}
	keys, err := b.groupKeys(ctx, ec, stmt.GroupClause, targets)
	if err != nil {
		return nil, err
	}
	order, err := b.orderBy(ctx, ec, stmt.SortClause, targets)
	if err != nil {
		return nil, err
	}
	grouped := len(stmt.GroupClause) > 0 || having != nil
	for _, t := range targets {
		grouped = grouped || hasAggregate(t.e)
	}
	for _, o := range order {
		grouped = grouped || hasAggregate(o.key)
	}
	node := blk.node
	if grouped {
		if node, err = b.aggregateBlock(blk, node, keys, targets, &having, order); err != nil {
			return nil, err
		}
		if having != nil {
			f, err := plan.NewFilter(node, having)
			if err != nil {
				return nil, b.engineErr(exprLocation(stmt.HavingClause), err)
			}
			node = f
		}
	}
	return b.shape(stmt, node, targets, order)
}

// targets binds the select list, expanding * and t.*.
func (b *binder) targets(ctx context.Context, ec *exprCtx, list []*pg.Node) ([]target, error) {
	var out []target
	for _, item := range list {
		rt := item.GetResTarget()
		if ref := rt.Val.GetColumnRef(); ref != nil && ref.Fields[len(ref.Fields)-1].GetAStar() != nil {
			qual := ""
			if len(ref.Fields) == 2 {
				qual = ref.Fields[0].GetString_().GetSval()
			}
			n := 0
			for _, c := range ec.sc.cols {
				if (qual == "" && c.hidden) || (qual != "" && c.table != qual) {
					continue
				}
				out = append(out, target{name: c.name, e: &expr.Column{Name: c.id}, offset: ref.Location})
				n++
			}
			if qual != "" && n == 0 {
				return nil, b.errAt(ref.Location, CodeUndefinedTable, "missing FROM-clause entry for table %q", qual)
			}
			if qual == "" && len(ec.sc.cols) == 0 {
				return nil, b.errAt(ref.Location, CodeSyntaxError, "SELECT * with no tables specified is not valid")
			}
			continue
		}
		e, err := b.expr(ctx, ec, rt.Val)
		if err != nil {
			return nil, err
		}
		name := rt.Name
		if name == "" {
			name = columnName(rt.Val)
		}
		out = append(out, target{name: name, e: e, offset: rt.Location})
	}
	for i := range out {
		out[i].id = b.newID(out[i].name)
	}
	return out, nil
}

// columnName is the name PostgreSQL gives an unnamed select-list entry.
func columnName(n *pg.Node) string {
	switch {
	case n.GetColumnRef() != nil:
		return nameOf(n.GetColumnRef().Fields)
	case n.GetFuncCall() != nil:
		return nameOf(n.GetFuncCall().Funcname)
	case n.GetTypeCast() != nil:
		if inner := columnName(n.GetTypeCast().Arg); inner != "?column?" {
			return inner
		}
		return nameOf(n.GetTypeCast().TypeName.Names)
	case n.GetCaseExpr() != nil:
		return "case"
	case n.GetCoalesceExpr() != nil:
		return "coalesce"
	case n.GetAExpr() != nil && n.GetAExpr().Kind == pg.A_Expr_Kind_AEXPR_NULLIF:
		return "nullif"
	case n.GetSubLink() != nil:
		s := n.GetSubLink()
		if s.SubLinkType == pg.SubLinkType_EXISTS_SUBLINK {
			return "exists"
		}
		if s.SubLinkType == pg.SubLinkType_EXPR_SUBLINK {
			if tl := s.Subselect.GetSelectStmt().GetTargetList(); len(tl) == 1 {
				rt := tl[0].GetResTarget()
				if rt.Name != "" {
					return rt.Name
				}
				return columnName(rt.Val)
			}
		}
	}
	return "?column?"
}

// ordinal returns the value of a positive integer constant (GROUP BY 2,
// ORDER BY 1), or 0.
func ordinal(n *pg.Node) int {
	if c := n.GetAConst(); c != nil && c.GetIval() != nil {
		if v := int(c.GetIval().Ival); v > 0 {
			return v
		}
		return -1
	}
	return 0
}

// groupKeys binds GROUP BY: ordinals name select-list entries, bare names
// prefer input columns over output names, as in PostgreSQL.
func (b *binder) groupKeys(ctx context.Context, ec *exprCtx, items []*pg.Node, targets []target) ([]expr.Node, error) {
	gc := *ec
	gc.allowAgg = false
	gc.clause = "GROUP BY"
	var keys []expr.Node
	for _, item := range items {
		if k := ordinal(item); k != 0 {
			if k < 0 || k > len(targets) {
				return nil, b.errAt(exprLocation(item), CodeInvalidColumnRef, "GROUP BY position %d is not in select list", k)
			}
			keys = append(keys, targets[k-1].e)
			continue
		}
		if ref := item.GetColumnRef(); ref != nil && len(ref.Fields) == 1 && len(ec.sc.lookup("", nameOf(ref.Fields))) == 0 {
			if t, ok := targetNamed(targets, nameOf(ref.Fields)); ok {
				keys = append(keys, t.e)
				continue
			}
		}
		k, err := b.expr(ctx, &gc, item)
		if err != nil {
			return nil, err
		}
		keys = append(keys, k)
	}
	return keys, nil
}

func targetNamed(targets []target, name string) (target, bool) {
	for _, t := range targets {
		if t.name == name {
			return t, true
		}
	}
	return target{}, false
}

// exprLocation returns the parser's offset of an expression, or -1.
func exprLocation(n *pg.Node) int32 {
	switch {
	case n == nil:
		return -1
	case n.GetColumnRef() != nil:
		return n.GetColumnRef().Location
	case n.GetAExpr() != nil:
		return n.GetAExpr().Location
	case n.GetAConst() != nil:
		return n.GetAConst().Location
	case n.GetFuncCall() != nil:
		return n.GetFuncCall().Location
	case n.GetBoolExpr() != nil:
		return n.GetBoolExpr().Location
	case n.GetSubLink() != nil:
		return n.GetSubLink().Location
	case n.GetCaseExpr() != nil:
		return n.GetCaseExpr().Location
	case n.GetTypeCast() != nil:
		return n.GetTypeCast().Location
	case n.GetNullTest() != nil:
		return n.GetNullTest().Location
	}
	return -1
}
