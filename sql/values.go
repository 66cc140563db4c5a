//go:build cgo

package sql

import (
	"context"
	"fmt"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/scalar"
	pg "github.com/pganalyze/pg_query_go/v6"

	"lakeframe/expr"
	"lakeframe/plan"
)

// values binds a VALUES list as rows: each row is one computed row, the
// rows a Union, every column cast to the type its values share. Columns
// are named column1, column2, ... as in PostgreSQL.
func (b *binder) values(ctx context.Context, stmt *pg.SelectStmt, parent *scope) (*relation, error) {
	one, err := oneRow()
	if err != nil {
		return nil, err
	}
	var rows [][]expr.Node
	var types []arrow.DataType
	for r, list := range stmt.ValuesLists {
		items := list.GetList().GetItems()
		node := one.node
		ec := &exprCtx{sc: &scope{parent: parent}, rel: &node, clause: "VALUES"}
		row, err := b.exprs(ctx, ec, items)
		if err != nil {
			return nil, err
		}
		if node != one.node {
			return nil, b.unsupported(exprLocation(items[0]), "correlated subqueries in VALUES")
		}
		if r > 0 && len(row) != len(types) {
			return nil, b.errAt(exprLocation(items[0]), CodeSyntaxError, "VALUES lists must all be the same length (%d and %d)", len(types), len(row))
		}
		for c, e := range row {
			t, err := b.typeOf(ec, e)
			if err != nil {
				return nil, b.engineErr(exprLocation(items[c]), err)
			}
			if r == 0 {
				types = append(types, t)
				continue
			}
			prev := &expr.Literal{Value: scalar.MakeNullScalar(types[c]), Untyped: types[c].ID() == arrow.NULL}
			if _, _, types[c], err = expr.Unify(prev, types[c], e, t); err != nil {
				return nil, b.errAt(exprLocation(items[c]), CodeDatatypeMismatch, "VALUES column %d has types %s and %s", c+1, types[c], t)
			}
		}
		rows = append(rows, row)
	}
	cols := make([]column, len(types))
	for c, t := range types {
		name := fmt.Sprintf("column%d", c+1)
		cols[c] = column{name: name, id: b.newID(name), typ: t}
	}
	inputs := make([]plan.Node, len(rows))
	for r, row := range rows {
		exprs := make([]expr.Node, len(row))
		for c, e := range row {
			exprs[c] = &expr.Alias{In: &expr.Cast{In: e, To: types[c]}, Name: cols[c].id}
		}
		if inputs[r], err = plan.NewProject(one.node, exprs); err != nil {
			return nil, b.engineErr(-1, err)
		}
	}
	var node plan.Node = inputs[0]
	if len(inputs) > 1 {
		if node, err = plan.NewUnion(inputs...); err != nil {
			return nil, b.engineErr(-1, err)
		}
	}
	return b.orderRows(ctx, stmt, node, cols, parent)
}
