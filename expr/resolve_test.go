package expr_test

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/apache/arrow-go/v18/arrow"

	"lakeframe/errs"
	"lakeframe/expr"
)

var testSchema = arrow.NewSchema([]arrow.Field{
	{Name: "i32", Type: arrow.PrimitiveTypes.Int32, Nullable: true},
	{Name: "i64", Type: arrow.PrimitiveTypes.Int64, Nullable: true},
	{Name: "f64", Type: arrow.PrimitiveTypes.Float64, Nullable: true},
	{Name: "s", Type: arrow.BinaryTypes.String, Nullable: true},
	{Name: "d", Type: arrow.FixedWidthTypes.Date32, Nullable: true},
	{Name: "ts", Type: &arrow.TimestampType{Unit: arrow.Microsecond}, Nullable: true},
	{Name: "b", Type: arrow.FixedWidthTypes.Boolean, Nullable: true},
	{Name: "dec", Type: &arrow.Decimal128Type{Precision: 12, Scale: 2}, Nullable: true},
}, nil)

func TestResolveTypes(t *testing.T) {
	cases := []struct {
		name string
		e    expr.Expr
		want string // resolved tree
		typ  arrow.DataType
	}{
		{"int literal takes int32 column type", expr.Col("i32").Eq(2025), "(i32 = 2025)", arrow.FixedWidthTypes.Boolean},
		{"too large literal widens the column", expr.Col("i32").Lt(int64(1) << 40), "(CAST(i32 AS int64) < 1099511627776)", arrow.FixedWidthTypes.Boolean},
		{"float literal on int column widens to float64", expr.Col("i64").Gt(2.5), "(CAST(i64 AS float64) > 2.5)", arrow.FixedWidthTypes.Boolean},
		{"whole float literal on int column stays int", expr.Col("i64").Gt(3.0), "(i64 > 3)", arrow.FixedWidthTypes.Boolean},
		{"int32 with int64 column", expr.Col("i32").Eq(expr.Col("i64")), "(CAST(i32 AS int64) = i64)", arrow.FixedWidthTypes.Boolean},
		{"string literal on date column", expr.Col("d").Ge("1994-01-01"), "(d >= DATE '1994-01-01')", arrow.FixedWidthTypes.Boolean},
		{"midnight time on date column", expr.Col("d").Lt(time.Date(1995, 3, 15, 0, 0, 0, 0, time.UTC)), "(d < DATE '1995-03-15')", arrow.FixedWidthTypes.Boolean},
		{"time of day on date column widens the column", expr.Col("d").Lt(time.Date(1995, 3, 15, 12, 0, 0, 0, time.UTC)), "(CAST(d AS timestamp[us, tz=UTC]) < TIMESTAMP '1995-03-15 12:00:00')", arrow.FixedWidthTypes.Boolean},
		{"time on naive timestamp column", expr.Col("ts").Ge(time.Date(2020, 1, 2, 3, 4, 5, 0, time.UTC)), "(ts >= TIMESTAMP '2020-01-02 03:04:05')", arrow.FixedWidthTypes.Boolean},
		{"decimal literal", expr.Col("dec").Eq(12.5), "(dec = 12.5)", arrow.FixedWidthTypes.Boolean},
		{"integer arithmetic is int64", expr.Col("i32").Add(1), "(CAST(i32 AS int64) + 1)", arrow.PrimitiveTypes.Int64},
		{"division is float64", expr.Col("i64").Div(2), "(CAST(i64 AS float64) / 2)", arrow.PrimitiveTypes.Float64},
		{"date plus interval", expr.Col("d").Add(expr.Years(1)), "(d + INTERVAL '12 months 0 days 0 ns')", arrow.FixedWidthTypes.Date32},
		{"null literal takes the other side's type", expr.Col("f64").Eq(nil), "(f64 = NULL)", arrow.FixedWidthTypes.Boolean},
		{"is in coerces list", expr.Col("i32").IsIn(1, 2, 3), "i32 IN (1, 2, 3)", arrow.FixedWidthTypes.Boolean},
		{"between", expr.Col("f64").Between(0.05, 0.07), "((f64 >= 0.05) AND (f64 <= 0.07))", arrow.FixedWidthTypes.Boolean},
		{"case common type", expr.When(expr.Col("b"), 1).Otherwise(2.5), "CASE WHEN b THEN 1 ELSE 2.5 END", arrow.PrimitiveTypes.Float64},
		{"coalesce", expr.Coalesce(expr.Col("i64"), 0), "coalesce(i64, 0)", arrow.PrimitiveTypes.Int64},
		{"year of date", expr.Col("d").Dt().Year(), "year(d)", arrow.PrimitiveTypes.Int64},
		{"like", expr.Col("s").Str().Like("%green%"), `like(s, "%green%")`, arrow.FixedWidthTypes.Boolean},
		{"sum of int32 is int64", expr.Col("i32").Sum(), "sum(i32)", arrow.PrimitiveTypes.Int64},
		{"sum of decimal keeps scale", expr.Col("dec").Sum(), "sum(dec)", &arrow.Decimal128Type{Precision: 38, Scale: 2}},
		{"mean is float64", expr.Col("i32").Mean(), "mean(i32)", arrow.PrimitiveTypes.Float64},
		{"min keeps type", expr.Col("s").Min(), "min(s)", arrow.BinaryTypes.String},
		{"count star", expr.CountAll(), "count(*)", arrow.PrimitiveTypes.Int64},
		{"float literal cast to int rounds half to even", expr.Lit(2.5).Cast(arrow.PrimitiveTypes.Int64), "2", arrow.PrimitiveTypes.Int64},
		{"float literal cast to int rounds", expr.Lit(3.5).Cast(arrow.PrimitiveTypes.Int64), "4", arrow.PrimitiveTypes.Int64},
		{"explicit cast of literal folds", expr.Lit("42").Cast(arrow.PrimitiveTypes.Int32), "42", arrow.PrimitiveTypes.Int32},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got, err := expr.Resolve(c.e.Node(), testSchema)
			if err != nil {
				t.Fatalf("resolve %s: %v", c.e, err)
			}
			if got.String() != c.want {
				t.Errorf("resolved %s\n got %s\nwant %s", c.e, got, c.want)
			}
			typ, err := expr.TypeOf(got, testSchema)
			if err != nil {
				t.Fatal(err)
			}
			if !arrow.TypeEqual(typ, c.typ) {
				t.Errorf("type of %s = %s, want %s", got, typ, c.typ)
			}
		})
	}
}

func TestResolveErrors(t *testing.T) {
	cases := []struct {
		name    string
		e       expr.Expr
		wantSub []string
	}{
		{"unknown column lists columns", expr.Col("amount").Gt(1), []string{`unknown column "amount"`, "i32, i64, f64, s, d, ts, b, dec"}},
		{"compare string with int", expr.Col("s").Eq(expr.Col("i64")), []string{"cannot compare", "utf8", "int64"}},
		{"and on non-boolean", expr.Col("i64").And(expr.Col("b")), []string{"AND needs boolean operands"}},
		{"sum of strings", expr.Col("s").Sum(), []string{"sum needs a numeric input"}},
		{"nested aggregate", expr.Col("i64").Sum().Max(), []string{"aggregates cannot be nested"}},
		{"year of string", expr.Col("s").Dt().Year(), []string{"year needs a date or timestamp"}},
		{"bad literal type", expr.Col("i64").Eq(struct{}{}), []string{"cannot use a Go value of type struct {}"}},
		{"arithmetic on strings", expr.Col("s").Add(1), []string{"+ needs numeric operands"}},
		{"is in with a column", expr.Col("i64").IsIn(expr.Col("i32")), []string{"IN list values must be literals"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, err := expr.Resolve(c.e.Node(), testSchema)
			if err == nil {
				t.Fatalf("resolve %s: no error", c.e)
			}
			if !errors.Is(err, errs.ErrPlan) {
				t.Errorf("error %v is not a plan error", err)
			}
			for _, sub := range c.wantSub {
				if !strings.Contains(err.Error(), sub) {
					t.Errorf("error %q does not mention %q", err, sub)
				}
			}
		})
	}
}

func TestOutputName(t *testing.T) {
	cases := []struct {
		e    expr.Expr
		want string
	}{
		{expr.Col("a"), "a"},
		{expr.Col("a").Add(expr.Col("b")), "a"},
		{expr.Col("a").Sum(), "a"},
		{expr.Col("a").Sum().Alias("total"), "total"},
		{expr.CountAll(), "count"},
		{expr.Lit(1).Add(2), "literal"},
	}
	for _, c := range cases {
		if got := expr.OutputName(c.e.Node()); got != c.want {
			t.Errorf("OutputName(%s) = %q, want %q", c.e, got, c.want)
		}
	}
}

func TestTransformSharesUntouchedSubtrees(t *testing.T) {
	left := expr.Col("a").Gt(1).Node()
	right := expr.Col("b").Lt(2).Node()
	tree := &expr.Binary{Op: expr.OpAnd, Left: left, Right: right}
	out, err := expr.Transform(tree, func(n expr.Node) (expr.Node, error) {
		if c, ok := n.(*expr.Column); ok && c.Name == "b" {
			return &expr.Column{Name: "c"}, nil
		}
		return n, nil
	})
	if err != nil {
		t.Fatal(err)
	}
	b := out.(*expr.Binary)
	if b.Left != left {
		t.Error("untouched left subtree was copied")
	}
	if b.Right.String() != "(c < 2)" {
		t.Errorf("right = %s", b.Right)
	}
	if tree.Right.String() != "(b < 2)" {
		t.Error("the input tree changed")
	}
}

func TestConjuncts(t *testing.T) {
	p := expr.Col("a").Gt(1).And(expr.Col("b").Lt(2).And(expr.Col("c").IsNull())).Node()
	got := expr.Conjuncts(p)
	if len(got) != 3 {
		t.Fatalf("got %d conjuncts: %v", len(got), got)
	}
	if back := expr.And(got...); back.String() != "(((a > 1) AND (b < 2)) AND c IS NULL)" {
		t.Errorf("And(conjuncts) = %s", back)
	}
}
