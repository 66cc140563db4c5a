package frame

import (
	"fmt"
	"slices"

	"github.com/apache/arrow-go/v18/arrow"

	"lakeframe/errs"
	"lakeframe/expr"
	"lakeframe/plan"
)

// UnionAll appends the rows of others to the frame's, duplicates kept (SQL's
// UNION ALL, Polars' vertical concat). Columns match by position; the
// result has the frame's column names, and each column the type that the
// inputs' types compare in (an int32 and an int64 column give int64, a date
// and a timestamp a timestamp). Inputs with another number of columns, or
// types with no common one, are a plan error naming the column.
func (df *DataFrame) UnionAll(others ...*DataFrame) *DataFrame {
	return df.union("union all", false, false, others)
}

// Union is UnionAll followed by Distinct: SQL's UNION, where NULLs equal
// each other.
func (df *DataFrame) Union(others ...*DataFrame) *DataFrame {
	return df.union("union", false, true, others)
}

// UnionAllByName appends the rows of others matching columns by name, as
// DuckDB's UNION ALL BY NAME: the result has the frame's columns followed
// by those only later inputs have, in the order they first appear, and an
// input lacking a column gives NULL there.
func (df *DataFrame) UnionAllByName(others ...*DataFrame) *DataFrame {
	return df.union("union all by name", true, false, others)
}

// UnionByName is UnionAllByName followed by Distinct.
func (df *DataFrame) UnionByName(others ...*DataFrame) *DataFrame {
	return df.union("union by name", true, true, others)
}

// Concat stacks frames vertically: the first frame's UnionAll of the rest.
func Concat(frames ...*DataFrame) *DataFrame {
	if len(frames) == 0 {
		return failed(fmt.Errorf("concat: %w: no frames given", errs.ErrPlan))
	}
	if len(frames) == 1 {
		return frames[0].then("concat", func(in plan.Node) (plan.Node, error) { return in, nil })
	}
	return frames[0].union("concat", false, false, frames[1:])
}

func (df *DataFrame) union(step string, byName, distinct bool, others []*DataFrame) *DataFrame {
	return df.then(step, func(first plan.Node) (plan.Node, error) {
		inputs := []plan.Node{first}
		for i, o := range others {
			if o == nil {
				return nil, fmt.Errorf("%w: input %d is a nil *DataFrame", errs.ErrPlan, i+2)
			}
			if o.err != nil {
				return nil, fmt.Errorf("input %d: %w", i+2, o.err)
			}
			inputs = append(inputs, o.node)
		}
		if len(inputs) == 1 {
			return first, nil
		}
		var cols [][]expr.Node
		var names []string
		var err error
		if byName {
			names, cols = columnsByName(inputs)
		} else {
			names, cols, err = columnsByPosition(inputs)
			if err != nil {
				return nil, err
			}
		}
		if err := unifyColumns(inputs, names, cols); err != nil {
			return nil, err
		}
		lined := make([]plan.Node, len(inputs))
		for i, in := range inputs {
			if lined[i], err = lineUp(in, names, cols[i]); err != nil {
				return nil, fmt.Errorf("input %d: %w", i+1, err)
			}
		}
		u, err := plan.NewUnion(lined...)
		if err != nil {
			return nil, err
		}
		if distinct {
			return plan.NewDistinct(u), nil
		}
		return u, nil
	})
}

// columnsByPosition gives every input's columns under the first input's
// names.
func columnsByPosition(inputs []plan.Node) ([]string, [][]expr.Node, error) {
	first := inputs[0].Schema()
	names := make([]string, first.NumFields())
	for i, f := range first.Fields() {
		names[i] = f.Name
	}
	cols := make([][]expr.Node, len(inputs))
	for i, in := range inputs {
		s := in.Schema()
		if s.NumFields() != len(names) {
			return nil, nil, fmt.Errorf("%w: input %d has %d columns (%v), the first has %d (%v)",
				errs.ErrPlan, i+1, s.NumFields(), plan.ColumnNames(s), len(names), names)
		}
		cols[i] = make([]expr.Node, len(names))
		for c, f := range s.Fields() {
			cols[i][c] = &expr.Column{Name: f.Name}
		}
	}
	return names, cols, nil
}

// columnsByName gives every input's columns under the union of all names;
// nil marks a column the input lacks.
func columnsByName(inputs []plan.Node) ([]string, [][]expr.Node) {
	var names []string
	for _, in := range inputs {
		for _, f := range in.Schema().Fields() {
			if !slices.Contains(names, f.Name) {
				names = append(names, f.Name)
			}
		}
	}
	cols := make([][]expr.Node, len(inputs))
	for i, in := range inputs {
		cols[i] = make([]expr.Node, len(names))
		for c, name := range names {
			if _, ok := in.Schema().FieldsByName(name); ok {
				cols[i][c] = &expr.Column{Name: name}
			}
		}
	}
	return names, cols
}

// unifyColumns casts each input's column c to the type all inputs' column c
// compare in; a missing column becomes a NULL of that type.
func unifyColumns(inputs []plan.Node, names []string, cols [][]expr.Node) error {
	for c, name := range names {
		var common arrow.DataType
		for i, in := range inputs {
			if cols[i][c] == nil {
				continue
			}
			t, err := expr.TypeOf(cols[i][c], in.Schema())
			if err != nil {
				return err
			}
			if common == nil {
				common = t
				continue
			}
			if _, _, common, err = expr.Unify(cols[i][c], common, cols[i][c], t); err != nil {
				return fmt.Errorf("%w: column %q: input %d has type %s, which has no common type with %s",
					errs.ErrPlan, name, i+1, t, common)
			}
		}
		if common.ID() == arrow.NULL {
			continue
		}
		for i, in := range inputs {
			if cols[i][c] == nil {
				cols[i][c] = &expr.Cast{In: expr.Lit(nil).Node(), To: common}
				continue
			}
			if t, _ := expr.TypeOf(cols[i][c], in.Schema()); !arrow.TypeEqual(t, common) {
				cols[i][c] = &expr.Cast{In: cols[i][c], To: common}
			}
		}
	}
	return nil
}

// lineUp projects in onto names, unless it already has exactly those
// columns.
func lineUp(in plan.Node, names []string, cols []expr.Node) (plan.Node, error) {
	s := in.Schema()
	same := s.NumFields() == len(names)
	for c := 0; same && c < len(names); c++ {
		col, ok := cols[c].(*expr.Column)
		same = ok && col.Name == names[c] && s.Field(c).Name == names[c]
	}
	if same {
		return in, nil
	}
	exprs := make([]expr.Node, len(names))
	for c, name := range names {
		if col, ok := cols[c].(*expr.Column); ok && col.Name == name {
			exprs[c] = col
		} else {
			exprs[c] = &expr.Alias{In: cols[c], Name: name}
		}
	}
	return plan.NewProject(in, exprs)
}
