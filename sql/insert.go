//go:build cgo

package sql

import (
	"context"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"
	"github.com/apache/arrow-go/v18/arrow/scalar"
	pg "github.com/pganalyze/pg_query_go/v6"

	"lakeframe/expr"
	"lakeframe/frame"
	"lakeframe/plan"
)

// insert appends rows to an in-memory table: VALUES lists or a query's
// result, converted to the table's column types as PostgreSQL assigns
// them; columns the statement does not name get NULL.
func (s *Session) insert(ctx context.Context, text string, ins *pg.InsertStmt) error {
	if ins.WithClause != nil || ins.OnConflictClause != nil || len(ins.ReturningList) > 0 {
		return notSupported(text, ins.Relation.Location, "INSERT with WITH, ON CONFLICT or RETURNING")
	}
	t, err := s.lookup(ctx, text, ins.Relation)
	if err != nil {
		return err
	}
	if t.frame != nil {
		return notSupported(text, ins.Relation.Location, "INSERT into a registered frame")
	}
	// target[i] is the table column the i-th value goes to.
	var target []int
	if len(ins.Cols) == 0 {
		for i := range t.schema.Fields() {
			target = append(target, i)
		}
	}
	for _, c := range ins.Cols {
		rt := c.GetResTarget()
		idx := t.schema.FieldIndices(rt.Name)
		if len(idx) == 0 {
			return newError(text, rt.Location, CodeUndefinedColumn, "column %q of relation %q does not exist (columns: %s)", rt.Name, t.name, fieldNames(t.schema))
		}
		target = append(target, idx[0])
	}
	b := &binder{sess: s, text: text}
	sel := ins.SelectStmt.GetSelectStmt()
	var source plan.Node
	var values []expr.Node
	if sel != nil && len(sel.ValuesLists) > 0 {
		return s.insertValues(ctx, b, t, target, len(ins.Cols) > 0, sel.ValuesLists)
	}
	rel, err := b.query(ctx, sel, nil)
	if err != nil {
		return err
	}
	if len(rel.cols) != len(target) {
		return newError(text, ins.Relation.Location, CodeSyntaxError, "INSERT has %d target columns but the query gives %d", len(target), len(rel.cols))
	}
	source = rel.node
	for _, c := range rel.cols {
		values = append(values, &expr.Column{Name: c.id})
	}
	batches, err := s.assign(ctx, b, t, target, source, values, ins.Relation.Location)
	if err != nil {
		return err
	}
	t.batches = append(t.batches, batches...)
	return nil
}

// assign computes a table's columns from values over source (NULL for
// columns not targeted), cast to the column types.
func (s *Session) assign(ctx context.Context, b *binder, t *table, target []int, source plan.Node, values []expr.Node, offset int32) ([]arrow.RecordBatch, error) {
	exprs := make([]expr.Node, t.schema.NumFields())
	for i, f := range t.schema.Fields() {
		exprs[i] = &expr.Alias{In: &expr.Cast{In: expr.Lit(nil).Node(), To: f.Type}, Name: f.Name}
	}
	for j, i := range target {
		f := t.schema.Field(i)
		exprs[i] = &expr.Alias{In: &expr.Cast{In: values[j], To: f.Type}, Name: f.Name}
	}
	p, err := plan.NewProject(source, exprs)
	if err != nil {
		return nil, b.engineErr(offset, err)
	}
	tbl, err := frame.FromPlan(p).Collect(ctx, s.opts...)
	if err != nil {
		return nil, b.engineErr(offset, err)
	}
	defer tbl.Release()
	var out []arrow.RecordBatch
	rd := array.NewTableReader(tbl, 0)
	defer rd.Release()
	for rd.Next() {
		rec := rd.RecordBatch()
		rec.Retain()
		out = append(out, rec)
	}
	return out, rd.Err()
}

// insertValues adds VALUES rows. Rows of constants, the common case, are
// converted without running a query; other rows run as one-row queries.
func (s *Session) insertValues(ctx context.Context, b *binder, t *table, target []int, explicit bool, rows []*pg.Node) error {
	one, err := oneRow()
	if err != nil {
		return err
	}
	cols := make([][]scalar.Scalar, t.schema.NumFields())
	for _, row := range rows {
		items := row.GetList().GetItems()
		rowTarget := target
		if !explicit && len(items) < len(target) {
			// Without a column list, fewer values fill the first columns.
			rowTarget = target[:len(items)]
		}
		if len(items) != len(rowTarget) {
			return b.errAt(exprLocation(items[0]), CodeSyntaxError, "INSERT has %d target columns but %d expressions", len(target), len(items))
		}
		node := one.node
		ec := &exprCtx{sc: &scope{}, rel: &node, clause: "VALUES"}
		values, err := b.exprs(ctx, ec, items)
		if err != nil {
			return err
		}
		consts, ok := constantRow(t.schema, rowTarget, values)
		if !ok {
			batches, err := s.assign(ctx, b, t, rowTarget, node, values, exprLocation(items[0]))
			if err != nil {
				return err
			}
			t.batches = append(t.batches, batches...)
			continue
		}
		for i := range cols {
			cols[i] = append(cols[i], consts[i])
		}
	}
	if len(cols) == 0 || len(cols[0]) == 0 {
		return nil
	}
	arrays := make([]arrow.Array, len(cols))
	for i, vals := range cols {
		a, err := arrayOf(t.schema.Field(i).Type, vals)
		if err != nil {
			return b.engineErr(-1, err)
		}
		arrays[i] = a
	}
	t.batches = append(t.batches, array.NewRecordBatch(t.schema, arrays, int64(len(cols[0]))))
	return nil
}

// constantRow converts a row of values to the table's types when every
// value folds to a constant; untargeted columns are NULL.
func constantRow(schema *arrow.Schema, target []int, values []expr.Node) ([]scalar.Scalar, bool) {
	out := make([]scalar.Scalar, schema.NumFields())
	for i, f := range schema.Fields() {
		out[i] = scalar.MakeNullScalar(f.Type)
	}
	empty := arrow.NewSchema(nil, nil)
	for j, i := range target {
		f := schema.Field(i)
		r, err := expr.Resolve(&expr.Cast{In: values[j], To: f.Type}, empty)
		if err != nil {
			return nil, false
		}
		lit, ok := r.(*expr.Literal)
		if !ok {
			return nil, false
		}
		v := lit.Value
		if !v.IsValid() {
			continue
		}
		if !arrow.TypeEqual(v.DataType(), f.Type) {
			return nil, false
		}
		out[i] = v
	}
	return out, true
}

// arrayOf builds an array of scalars of one type.
func arrayOf(t arrow.DataType, vals []scalar.Scalar) (arrow.Array, error) {
	parts := make([]arrow.Array, len(vals))
	for i, v := range vals {
		a, err := scalar.MakeArrayFromScalar(v, 1, memory.DefaultAllocator)
		if err != nil {
			return nil, err
		}
		defer a.Release()
		parts[i] = a
	}
	if len(parts) == 1 {
		parts[0].Retain()
		return parts[0], nil
	}
	return array.Concatenate(parts, memory.DefaultAllocator)
}

func fieldNames(schema *arrow.Schema) string {
	out := ""
	for i, f := range schema.Fields() {
		if i > 0 {
			out += ", "
		}
		out += f.Name
	}
	return out
}
