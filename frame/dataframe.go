// Package frame is lakeframe's user API: a lazy DataFrame whose chained
// calls build a logical plan, optimized and executed only by Collect (or
// Show, Stream, Iter, the writers).
//
//	df := frame.ReadParquet("data/orders/*.parquet").
//		Where(expr.Col("year").Eq(2025)).
//		GroupBy(expr.Col("region")).
//		Agg(expr.Col("amount").Sum().Alias("total")).
//		Sort(expr.Col("total").Desc()).
//		Limit(10)
//	tbl, err := df.Collect(ctx)
//
// Schemas resolve as the frame is built: a mistake (an unknown column, a
// wrong type) is kept as the frame's error, names the step that made it,
// and comes back from Err, Schema, Explain and Collect.
package frame

import (
	"fmt"

	"github.com/apache/arrow-go/v18/arrow"

	"lakeframe/errs"
	"lakeframe/expr"
	"lakeframe/plan"
)

// DataFrame is a lazy query. Methods return new frames and never change
// the receiver, so a frame can be the base of several queries.
type DataFrame struct {
	node plan.Node
	err  error
}

func fromNode(n plan.Node) *DataFrame { return &DataFrame{node: n} }

func failed(err error) *DataFrame { return &DataFrame{err: err} }

// Err returns the first mistake made while building the frame.
func (df *DataFrame) Err() error {
	if df == nil {
		return fmt.Errorf("%w: nil *DataFrame", errs.ErrPlan)
	}
	return df.err
}

// Schema returns the schema of the frame's rows.
func (df *DataFrame) Schema() (*arrow.Schema, error) {
	if err := df.Err(); err != nil {
		return nil, err
	}
	return df.node.Schema(), nil
}

// Plan returns the frame's logical plan, unoptimized.
func (df *DataFrame) Plan() (plan.Node, error) {
	if err := df.Err(); err != nil {
		return nil, err
	}
	return df.node, nil
}

// then applies one step, keeping the first error.
func (df *DataFrame) then(step string, build func(plan.Node) (plan.Node, error)) *DataFrame {
	if df == nil {
		return failed(fmt.Errorf("%s: %w: the frame is a nil *DataFrame", step, errs.ErrPlan))
	}
	if df.err != nil {
		return df
	}
	n, err := build(df.node)
	if err != nil {
		return failed(fmt.Errorf("%s: %w", step, err))
	}
	return fromNode(n)
}

// exprOf turns an operand of Select, GroupBy or Sort into an expression: an
// expr.Expr as it is, a string as a column name.
func exprOf(v any) (expr.Node, error) {
	switch x := v.(type) {
	case expr.Expr:
		if x.Node() == nil {
			return nil, fmt.Errorf("%w: invalid (zero) expression", errs.ErrPlan)
		}
		return x.Node(), nil
	case string:
		return expr.Col(x).Node(), nil
	}
	return nil, fmt.Errorf("%w: want an expr.Expr or a column name, got %T", errs.ErrPlan, v)
}

func exprsOf(vs []any) ([]expr.Node, error) {
	out := make([]expr.Node, len(vs))
	for i, v := range vs {
		n, err := exprOf(v)
		if err != nil {
			return nil, err
		}
		out[i] = n
	}
	return out, nil
}

func nodesOf(es []expr.Expr) ([]expr.Node, error) {
	vs := make([]any, len(es))
	for i, e := range es {
		vs[i] = e
	}
	return exprsOf(vs)
}

// Where keeps the rows for which pred is true.
func (df *DataFrame) Where(pred expr.Expr) *DataFrame {
	return df.then("where "+pred.String(), func(in plan.Node) (plan.Node, error) {
		p, err := exprOf(pred)
		if err != nil {
			return nil, err
		}
		return plan.NewFilter(in, p)
	})
}

// Select computes the given columns: expressions, or column names.
func (df *DataFrame) Select(columns ...any) *DataFrame {
	return df.then("select", func(in plan.Node) (plan.Node, error) {
		es, err := exprsOf(columns)
		if err != nil {
			return nil, err
		}
		return plan.NewProject(in, es)
	})
}

// WithColumn adds a column computed by e, or replaces the column of that
// name in place.
func (df *DataFrame) WithColumn(name string, e expr.Expr) *DataFrame {
	return df.then("with_column "+name, func(in plan.Node) (plan.Node, error) {
		n, err := exprOf(e)
		if err != nil {
			return nil, err
		}
		var es []expr.Node
		replaced := false
		for _, f := range in.Schema().Fields() {
			if f.Name == name {
				es = append(es, &expr.Alias{In: n, Name: name})
				replaced = true
				continue
			}
			es = append(es, &expr.Column{Name: f.Name})
		}
		if !replaced {
			es = append(es, &expr.Alias{In: n, Name: name})
		}
		return plan.NewProject(in, es)
	})
}

// Exclude drops the named columns.
func (df *DataFrame) Exclude(names ...string) *DataFrame {
	return df.then("exclude", func(in plan.Node) (plan.Node, error) {
		drop := map[string]bool{}
		for _, n := range names {
			if len(in.Schema().FieldIndices(n)) == 0 {
				return nil, expr.UnknownColumnError(n, in.Schema())
			}
			drop[n] = true
		}
		var es []expr.Node
		for _, f := range in.Schema().Fields() {
			if !drop[f.Name] {
				es = append(es, &expr.Column{Name: f.Name})
			}
		}
		return plan.NewProject(in, es)
	})
}

// GroupedFrame is a frame grouped by keys, waiting for its aggregates.
type GroupedFrame struct {
	df   *DataFrame
	keys []any
}

// GroupBy groups rows by the keys (expressions or column names); NULL keys
// form a group of their own.
func (df *DataFrame) GroupBy(keys ...any) *GroupedFrame {
	return &GroupedFrame{df: df, keys: keys}
}

// Agg computes aggregates per group; the result has the keys, then the
// aggregates.
func (g *GroupedFrame) Agg(aggs ...expr.Expr) *DataFrame {
	return g.df.then("agg", func(in plan.Node) (plan.Node, error) {
		keys, err := exprsOf(g.keys)
		if err != nil {
			return nil, err
		}
		as, err := nodesOf(aggs)
		if err != nil {
			return nil, err
		}
		return plan.NewAggregate(in, keys, as)
	})
}

// Agg computes aggregates over all rows, giving exactly one row.
func (df *DataFrame) Agg(aggs ...expr.Expr) *DataFrame {
	return df.GroupBy().Agg(aggs...)
}

// Count counts the frame's rows, as a one-row frame with column "count".
func (df *DataFrame) Count() *DataFrame { return df.Agg(expr.CountAll()) }

// Sort orders rows by keys: expressions, sort keys (e.Desc()) or column
// names. Ascending with nulls last unless the key says otherwise.
func (df *DataFrame) Sort(keys ...any) *DataFrame {
	return df.then("sort", func(in plan.Node) (plan.Node, error) {
		ks, err := exprsOf(keys)
		if err != nil {
			return nil, err
		}
		return plan.NewSort(in, ks)
	})
}

// Limit keeps the first n rows.
func (df *DataFrame) Limit(n int) *DataFrame {
	return df.then(fmt.Sprintf("limit %d", n), func(in plan.Node) (plan.Node, error) {
		return plan.NewLimit(in, 0, int64(n))
	})
}

// Offset skips the first n rows.
func (df *DataFrame) Offset(n int) *DataFrame {
	return df.then(fmt.Sprintf("offset %d", n), func(in plan.Node) (plan.Node, error) {
		if n < 0 {
			return nil, fmt.Errorf("%w: the number of rows to skip must not be negative", errs.ErrPlan)
		}
		if l, ok := in.(*plan.Limit); ok {
			return plan.NewLimit(l.Input, l.Offset+int64(n), max(l.N-int64(n), 0))
		}
		return plan.NewLimit(in, int64(n), 1<<62)
	})
}

// Distinct removes duplicate rows.
func (df *DataFrame) Distinct() *DataFrame {
	return df.then("distinct", func(in plan.Node) (plan.Node, error) {
		return plan.NewDistinct(in), nil
	})
}
