package frame_test

import (
	"context"
	"errors"
	"testing"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"

	"lakeframe/errs"
	"lakeframe/expr"
	"lakeframe/frame"
)

// TestMisuseIsAPlanError: nil frames and zero expressions given to the API
// are user mistakes: a plan error from Err and Collect, never a panic or
// an internal error.
func TestMisuseIsAPlanError(t *testing.T) {
	schema := arrow.NewSchema([]arrow.Field{{Name: "a", Type: arrow.PrimitiveTypes.Int64}}, nil)
	b := array.NewInt64Builder(memory.DefaultAllocator)
	b.AppendValues([]int64{1, 2}, nil)
	col := b.NewArray()
	b.Release()
	rec := array.NewRecordBatch(schema, []arrow.Array{col}, 2)
	col.Release()
	tbl := array.NewTableFromRecords(schema, []arrow.RecordBatch{rec})
	rec.Release()
	defer tbl.Release()
	df := frame.FromArrow(tbl)
	var nilFrame *frame.DataFrame
	cases := map[string]*frame.DataFrame{
		"join nil right":        df.Join(nilFrame, frame.Inner, frame.On("a")),
		"where on nil frame":    nilFrame.Where(expr.Col("a").Eq(1)),
		"zero operand":          df.Where(expr.Col("a").Eq(expr.Expr{})),
		"zero receiver":         df.Where(expr.Expr{}.Eq(1)),
		"zero predicate":        df.Where(expr.Expr{}),
		"zero in select":        df.Select(expr.Expr{}),
		"nested zero in select": df.Select(expr.Col("a").Add(expr.Expr{}).Alias("b")),
		"zero in an IN list":    df.Where(expr.Col("a").IsIn(1, expr.Expr{})),
		"zero string function":  df.Where(expr.Expr{}.Str().StartsWith("x")),
		"zero in an aggregate":  df.Agg(expr.Expr{}.Sum()),
		"zero sort key":         df.Sort(expr.Expr{}.Desc()),
		"zero computed column":  df.WithColumn("c", expr.Expr{}),
		"nil arrow table":       frame.FromArrow(nil),
		"nil in a union":        df.UnionAll(nilFrame),
		"zero in with_columns":  df.WithColumns(expr.Expr{}),
	}
	for name, d := range cases {
		t.Run(name, func(t *testing.T) {
			err := d.Err()
			if err == nil {
				t.Fatal("no error")
			}
			if !errors.Is(err, errs.ErrPlan) || errors.Is(err, errs.ErrInternal) {
				t.Errorf("err = %v, want a plan error", err)
			}
			out, cerr := d.Collect(context.Background())
			if cerr == nil {
				out.Release()
				t.Error("Collect: no error")
			}
		})
	}
}
