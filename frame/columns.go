package frame

import (
	"fmt"
	"slices"

	"github.com/apache/arrow-go/v18/arrow"

	"lakeframe/errs"
	"lakeframe/expr"
	"lakeframe/plan"
)

// WithColumns adds or replaces several columns at once, each named by its
// expression's output name (its alias, or the column it reads). Every
// expression reads the frame's columns as they were before this step, so
// WithColumns(Col("a").Add(1).Alias("a"), Col("a").Mul(2).Alias("b"))
// doubles the old a. Replaced columns keep their place; new ones follow, in
// order.
func (df *DataFrame) WithColumns(es ...expr.Expr) *DataFrame {
	return df.then("with_columns", func(in plan.Node) (plan.Node, error) {
		defs := make(map[string]expr.Node, len(es))
		var order []string
		for _, e := range es {
			n, err := exprOf(e)
			if err != nil {
				return nil, err
			}
			name := expr.OutputName(n)
			if _, dup := defs[name]; dup {
				return nil, fmt.Errorf("%w: column %q is given twice", errs.ErrPlan, name)
			}
			defs[name] = n
			order = append(order, name)
		}
		var out []expr.Node
		for _, f := range in.Schema().Fields() {
			if n, ok := defs[f.Name]; ok {
				out = append(out, &expr.Alias{In: expr.Unalias(n), Name: f.Name})
				delete(defs, f.Name)
				continue
			}
			out = append(out, &expr.Column{Name: f.Name})
		}
		for _, name := range order {
			if n, ok := defs[name]; ok {
				out = append(out, &expr.Alias{In: expr.Unalias(n), Name: name})
			}
		}
		return plan.NewProject(in, out)
	})
}

// Rename renames columns, old name to new; the others keep theirs and every
// column its place. Renaming a column that does not exist, or to a name
// another column has, is a plan error.
func (df *DataFrame) Rename(names map[string]string) *DataFrame {
	return df.then("rename", func(in plan.Node) (plan.Node, error) {
		schema := in.Schema()
		olds := make([]string, 0, len(names))
		for old := range names {
			olds = append(olds, old)
		}
		slices.Sort(olds) // the first unknown name reported does not vary
		for _, old := range olds {
			if len(schema.FieldIndices(old)) == 0 {
				return nil, expr.UnknownColumnError(old, schema)
			}
		}
		out := make([]expr.Node, schema.NumFields())
		for i, f := range schema.Fields() {
			if to, ok := names[f.Name]; ok && to != f.Name {
				out[i] = &expr.Alias{In: &expr.Column{Name: f.Name}, Name: to}
			} else {
				out[i] = &expr.Column{Name: f.Name}
			}
		}
		return plan.NewProject(in, out)
	})
}

// DropNulls keeps the rows that have no NULL in the named columns, or in
// any column when none is named. NaN is a value, not a NULL.
func (df *DataFrame) DropNulls(columns ...string) *DataFrame {
	return df.then("drop_nulls", func(in plan.Node) (plan.Node, error) {
		cols, err := columnsOrAll(in.Schema(), columns)
		if err != nil {
			return nil, err
		}
		preds := make([]expr.Node, len(cols))
		for i, c := range cols {
			preds[i] = expr.Col(c).IsNotNull().Node()
		}
		if len(preds) == 0 {
			return in, nil
		}
		return plan.NewFilter(in, expr.And(preds...))
	})
}

// FillNull replaces NULLs with value (a Go value or an expression) in the
// named columns, which keep their types. With no column named it fills
// every column whose type value converts to, and leaves the rest alone
// (filling 0 leaves text columns as they are); a named column value does
// not convert to is a plan error.
func (df *DataFrame) FillNull(value any, columns ...string) *DataFrame {
	return df.then("fill_null", func(in plan.Node) (plan.Node, error) {
		schema := in.Schema()
		cols, err := columnsOrAll(schema, columns)
		if err != nil {
			return nil, err
		}
		fill := map[string]bool{}
		for _, c := range cols {
			fill[c] = true
		}
		out := make([]expr.Node, schema.NumFields())
		for i, f := range schema.Fields() {
			out[i] = &expr.Column{Name: f.Name}
			if !fill[f.Name] {
				continue
			}
			filled := expr.Coalesce(expr.Col(f.Name), value).Cast(f.Type).Alias(f.Name).Node()
			if _, err := expr.Resolve(filled, schema); err != nil {
				if len(columns) > 0 {
					return nil, fmt.Errorf("column %q of type %s: %w", f.Name, f.Type, err)
				}
				continue
			}
			out[i] = filled
		}
		return plan.NewProject(in, out)
	})
}

// Unpivot turns columns into rows (a "melt"): for every input row and
// every column of on, one row of the index columns, the column's name in
// variable and its value in value. The values take the type on's columns
// compare in. With on empty every column outside index is unpivoted. Rows
// whose value is NULL are kept, as Polars keeps them (DuckDB's UNPIVOT
// drops them unless told INCLUDE NULLS).
func (df *DataFrame) Unpivot(index, on []string, variable, value string) *DataFrame {
	return df.then("unpivot", func(in plan.Node) (plan.Node, error) {
		schema := in.Schema()
		if _, err := columnsOrAll(schema, index); err != nil {
			return nil, err
		}
		if len(on) == 0 {
			for _, f := range schema.Fields() {
				if !slices.Contains(index, f.Name) {
					on = append(on, f.Name)
				}
			}
		}
		if _, err := columnsOrAll(schema, on); err != nil {
			return nil, err
		}
		if len(on) == 0 {
			return nil, fmt.Errorf("%w: no column left to unpivot besides the index %v", errs.ErrPlan, index)
		}
		parts := make([]*DataFrame, len(on))
		for i, c := range on {
			cols := make([]any, 0, len(index)+2)
			for _, k := range index {
				cols = append(cols, k)
			}
			cols = append(cols, expr.Lit(c).Alias(variable), expr.Col(c).Alias(value))
			parts[i] = fromNode(in).Select(cols...)
		}
		u := Concat(parts...)
		if u.err != nil {
			return nil, u.err
		}
		return u.node, nil
	})
}

// columnsOrAll checks that the named columns exist, and names every column
// when none is named.
func columnsOrAll(schema *arrow.Schema, names []string) ([]string, error) {
	if len(names) == 0 {
		return plan.ColumnNames(schema), nil
	}
	for _, n := range names {
		if len(schema.FieldIndices(n)) == 0 {
			return nil, expr.UnknownColumnError(n, schema)
		}
	}
	return names, nil
}
