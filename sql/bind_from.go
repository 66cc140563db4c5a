//go:build cgo

package sql

import (
	"context"
	"fmt"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	mem "github.com/apache/arrow-go/v18/arrow/memory"
	pg "github.com/pganalyze/pg_query_go/v6"

	"lakeframe/exec/source/memory"
	"lakeframe/expr"
	"lakeframe/plan"
)

// from binds a FROM list: its items cross-joined left to right (the
// optimizer turns WHERE equalities between them into join keys and
// reorders the chain). No FROM is one row of no columns.
func (b *binder) from(ctx context.Context, items []*pg.Node, parent *scope) (*relation, error) {
	if len(items) == 0 {
		return oneRow()
	}
	var out *relation
	for _, item := range items {
		r, err := b.fromItem(ctx, item, parent)
		if err != nil {
			return nil, err
		}
		if out == nil {
			out = r
			continue
		}
		if out, err = b.join(plan.CrossJoin, out, r, nil, -1); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// oneRow is the input of a SELECT without FROM: one row whose only column
// no name can reach.
func oneRow() (*relation, error) {
	schema := arrow.NewSchema([]arrow.Field{{Name: "#one", Type: arrow.FixedWidthTypes.Boolean, Nullable: true}}, nil)
	bld := array.NewBooleanBuilder(mem.DefaultAllocator)
	bld.Append(true)
	col := bld.NewArray()
	rec := array.NewRecordBatch(schema, []arrow.Array{col}, 1)
	src, err := memory.NewSourceFromRecords(schema, []arrow.RecordBatch{rec}, memory.Options{Name: "one row"})
	if err != nil {
		return nil, err
	}
	return &relation{node: plan.NewScan(src)}, nil
}

func (b *binder) fromItem(ctx context.Context, item *pg.Node, parent *scope) (*relation, error) {
	switch {
	case item.GetRangeVar() != nil:
		return b.tableRef(ctx, item.GetRangeVar())
	case item.GetJoinExpr() != nil:
		return b.joinExpr(ctx, item.GetJoinExpr(), parent)
	case item.GetRangeSubselect() != nil:
		rs := item.GetRangeSubselect()
		if rs.Lateral {
			return nil, b.unsupported(-1, "LATERAL subqueries")
		}
		q, err := b.query(ctx, rs.Subquery.GetSelectStmt(), nil)
		if err != nil {
			return nil, err
		}
		alias := ""
		if rs.Alias != nil {
			alias = rs.Alias.Aliasname
		}
		return b.renamed(q, alias, rs.Alias)
	case item.GetRangeFunction() != nil:
		return nil, b.unsupported(-1, "functions in FROM")
	}
	return nil, b.unsupported(-1, "this kind of FROM item")
}

// tableRef binds a table name: its plan with every column renamed to a
// fresh id.
func (b *binder) tableRef(ctx context.Context, rv *pg.RangeVar) (*relation, error) {
	if cte, ok := b.ctes[rv.Relname]; ok && rv.Schemaname == "" {
		return b.cteRef(cte, rv)
	}
	t, err := b.sess.lookup(ctx, b.text, rv)
	if err != nil {
		return nil, err
	}
	n, err := t.plan()
	if err != nil {
		return nil, b.engineErr(rv.Location, err)
	}
	qual := rv.Relname
	if rv.Alias != nil {
		qual = rv.Alias.Aliasname
	}
	cols := make([]column, n.Schema().NumFields())
	for i, f := range n.Schema().Fields() {
		cols[i] = column{table: qual, name: f.Name, typ: f.Type}
	}
	if err := b.applyColumnAliases(cols, rv.Alias, rv.Location); err != nil {
		return nil, err
	}
	exprs := make([]expr.Node, len(cols))
	for i, f := range n.Schema().Fields() {
		cols[i].id = b.newID(cols[i].name)
		exprs[i] = &expr.Alias{In: &expr.Column{Name: f.Name}, Name: cols[i].id}
	}
	p, err := plan.NewProject(n, exprs)
	if err != nil {
		return nil, b.engineErr(rv.Location, err)
	}
	return &relation{node: p, cols: cols}, nil
}

func (b *binder) applyColumnAliases(cols []column, alias *pg.Alias, offset int32) error {
	if alias == nil {
		return nil
	}
	if len(alias.Colnames) > len(cols) {
		return b.errAt(offset, CodeInvalidColumnRef, "table %q has %d columns available but %d columns specified", alias.Aliasname, len(cols), len(alias.Colnames))
	}
	for i, c := range alias.Colnames {
		cols[i].name = c.GetString_().GetSval()
	}
	return nil
}

// renamed gives a derived table's columns their qualifier and aliases.
func (b *binder) renamed(q *relation, qual string, alias *pg.Alias) (*relation, error) {
	cols := append([]column(nil), q.cols...)
	for i := range cols {
		cols[i].table = qual
		cols[i].hidden = false
	}
	if err := b.applyColumnAliases(cols, alias, -1); err != nil {
		return nil, err
	}
	return &relation{node: q.node, cols: cols}, nil
}

var joinTypes = map[pg.JoinType]plan.JoinType{
	pg.JoinType_JOIN_INNER: plan.InnerJoin,
	pg.JoinType_JOIN_LEFT:  plan.LeftJoin,
	pg.JoinType_JOIN_RIGHT: plan.RightJoin,
	pg.JoinType_JOIN_FULL:  plan.FullJoin,
}

// joinExpr binds an explicit JOIN with ON, USING or NATURAL.
func (b *binder) joinExpr(ctx context.Context, j *pg.JoinExpr, parent *scope) (*relation, error) {
	jt, ok := joinTypes[j.Jointype]
	if !ok {
		return nil, b.unsupported(-1, fmt.Sprintf("join type %s", j.Jointype))
	}
	left, err := b.fromItem(ctx, j.Larg, parent)
	if err != nil {
		return nil, err
	}
	right, err := b.fromItem(ctx, j.Rarg, parent)
	if err != nil {
		return nil, err
	}
	var out *relation
	switch {
	case len(j.UsingClause) > 0 || j.IsNatural:
		out, err = b.joinUsing(j, jt, left, right)
	case j.Quals == nil:
		out, err = b.join(plan.CrossJoin, left, right, nil, -1)
	default:
		cols := append(append([]column(nil), left.cols...), right.cols...)
		// ON sees both sides: bind it over their cross product's schema.
		cross, cerr := plan.NewJoin(left.node, right.node, plan.JoinSpec{Type: plan.CrossJoin})
		if cerr != nil {
			return nil, b.engineErr(-1, cerr)
		}
		var crossNode plan.Node = cross
		ec := &exprCtx{sc: &scope{cols: cols, parent: parent}, rel: &crossNode, clause: "JOIN conditions"}
		cond, cerr := b.expr(ctx, ec, j.Quals)
		if cerr != nil {
			return nil, cerr
		}
		if crossNode != plan.Node(cross) {
			return nil, b.unsupported(-1, "subqueries in JOIN conditions")
		}
		out, err = b.join(jt, left, right, cond, -1)
	}
	if err != nil {
		return nil, err
	}
	if j.Alias != nil {
		return b.renamed(out, j.Alias.Aliasname, j.Alias)
	}
	return out, nil
}

// join joins two relations on a condition: equalities between an
// expression of each side become keys, the rest the join's filter.
func (b *binder) join(jt plan.JoinType, left, right *relation, cond expr.Node, offset int32) (*relation, error) {
	spec := plan.JoinSpec{Type: jt}
	if cond != nil {
		spec.LeftKeys, spec.RightKeys, spec.Filter = splitJoinCondition(cond, left.node.Schema(), right.node.Schema())
	}
	if jt != plan.CrossJoin && len(spec.LeftKeys) == 0 && spec.Filter == nil {
		spec.Type = plan.CrossJoin
	}
	if jt == plan.InnerJoin && len(spec.LeftKeys) == 0 && spec.Filter != nil {
		// An inner join on a condition alone is a filtered cross product.
		cross, err := plan.NewJoin(left.node, right.node, plan.JoinSpec{Type: plan.CrossJoin})
		if err != nil {
			return nil, b.engineErr(offset, err)
		}
		f, err := plan.NewFilter(cross, spec.Filter)
		if err != nil {
			return nil, b.engineErr(offset, err)
		}
		return &relation{node: f, cols: append(append([]column(nil), left.cols...), right.cols...)}, nil
	}
	n, err := plan.NewJoin(left.node, right.node, spec)
	if err != nil {
		return nil, b.engineErr(offset, err)
	}
	return &relation{node: n, cols: append(append([]column(nil), left.cols...), right.cols...)}, nil
}

// splitJoinCondition finds the conjuncts of a join condition that equate an
// expression of the left side with one of the right side.
func splitJoinCondition(cond expr.Node, left, right *arrow.Schema) (lk, rk []expr.Node, rest expr.Node) {
	var others []expr.Node
	for _, c := range expr.Conjuncts(cond) {
		if bin, ok := c.(*expr.Binary); ok && bin.Op == expr.OpEq {
			switch {
			case readsOnly(bin.Left, left) && readsOnly(bin.Right, right):
				lk, rk = append(lk, bin.Left), append(rk, bin.Right)
				continue
			case readsOnly(bin.Left, right) && readsOnly(bin.Right, left):
				lk, rk = append(lk, bin.Right), append(rk, bin.Left)
				continue
			}
		}
		others = append(others, c)
	}
	if len(others) > 0 {
		rest = expr.And(others...)
	}
	return lk, rk, rest
}

// readsOnly reports whether e reads at least one column, all of them in
// schema.
func readsOnly(e expr.Node, schema *arrow.Schema) bool {
	cols := expr.Columns(e)
	if len(cols) == 0 {
		return false
	}
	for _, c := range cols {
		if len(schema.FieldIndices(c)) == 0 {
			return false
		}
	}
	return true
}

// joinUsing binds JOIN ... USING (cols) and NATURAL JOIN: the named
// columns are equal on both sides and appear once, unqualified names
// reaching the merged column.
func (b *binder) joinUsing(j *pg.JoinExpr, jt plan.JoinType, left, right *relation) (*relation, error) {
	var names []string
	if j.IsNatural {
		for _, lc := range left.cols {
			if !lc.hidden && len(lookupCols(right.cols, lc.name)) == 1 {
				names = append(names, lc.name)
			}
		}
	} else {
		for _, n := range j.UsingClause {
			names = append(names, n.GetString_().GetSval())
		}
	}
	var cond []expr.Node
	type pair struct{ l, r column }
	var pairs []pair
	for _, name := range names {
		lm, rm := lookupCols(left.cols, name), lookupCols(right.cols, name)
		if len(lm) != 1 || len(rm) != 1 {
			return nil, b.errAt(-1, CodeUndefinedColumn, "column %q specified in USING clause does not exist (or is ambiguous) in %s side of the join", name, map[bool]string{true: "left", false: "right"}[len(lm) != 1])
		}
		pairs = append(pairs, pair{lm[0], rm[0]})
		cond = append(cond, &expr.Binary{Op: expr.OpEq, Left: &expr.Column{Name: lm[0].id}, Right: &expr.Column{Name: rm[0].id}})
	}
	if len(cond) == 0 {
		return b.join(plan.CrossJoin, left, right, nil, -1)
	}
	joined, err := b.join(jt, left, right, expr.And(cond...), -1)
	if err != nil {
		return nil, err
	}
	// The merged columns come first, then the other columns of each side;
	// the sides' own copies stay reachable qualified.
	var exprs []expr.Node
	var cols []column
	merged := map[string]bool{}
	for _, p := range pairs {
		var e expr.Node
		switch jt {
		case plan.RightJoin:
			e = &expr.Column{Name: p.r.id}
		case plan.FullJoin:
			e = &expr.Call{Fn: expr.FnCoalesce, Args: []expr.Node{&expr.Column{Name: p.l.id}, &expr.Column{Name: p.r.id}}}
		default:
			e = &expr.Column{Name: p.l.id}
		}
		id := b.newID(p.l.name)
		exprs = append(exprs, &expr.Alias{In: e, Name: id})
		cols = append(cols, column{name: p.l.name, id: id, typ: p.l.typ})
		merged[p.l.id], merged[p.r.id] = true, true
	}
	for _, c := range joined.cols {
		exprs = append(exprs, &expr.Column{Name: c.id})
		if merged[c.id] {
			c.hidden = true
		}
		cols = append(cols, c)
	}
	p, err := plan.NewProject(joined.node, exprs)
	if err != nil {
		return nil, b.engineErr(-1, err)
	}
	return &relation{node: p, cols: cols}, nil
}

func lookupCols(cols []column, name string) []column {
	var out []column
	for _, c := range cols {
		if c.name == name && !c.hidden {
			out = append(out, c)
		}
	}
	return out
}
