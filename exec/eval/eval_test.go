package eval

import (
	"context"
	"errors"
	"math"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"
	"github.com/apache/arrow-go/v18/arrow/scalar"

	"lakeframe/errs"
	"lakeframe/expr"
)

var (
	i64  = arrow.PrimitiveTypes.Int64
	i32  = arrow.PrimitiveTypes.Int32
	f64  = arrow.PrimitiveTypes.Float64
	boo  = arrow.FixedWidthTypes.Boolean
	str  = arrow.BinaryTypes.String
	lstr = arrow.BinaryTypes.LargeString
	d32  = arrow.FixedWidthTypes.Date32
	tsUS = &arrow.TimestampType{Unit: arrow.Microsecond}
)

// testColumns are five rows with a NULL in every column.
func testColumns() []col {
	return []col{
		{"i", i64, []any{1, -2, nil, 7, 0}},
		{"j", i64, []any{3, 0, 5, nil, -4}},
		{"f", f64, []any{1.5, -2.0, nil, 0.0, 4.25}},
		{"g", f64, []any{2.0, 0.0, 1.0, nil, -0.5}},
		{"b", boo, []any{true, false, nil, true, false}},
		{"s", str, []any{"apple", "Banana", nil, "", "cherry pie"}},
		{"d", d32, []any{"2024-01-31", "2024-02-29", nil, "1970-01-01", "1999-12-31"}},
		{"ts", tsUS, []any{"2024-01-31 23:30:00", "2024-02-29 00:00:00", nil, "1969-12-31 23:59:59", "2000-01-01 12:00:00"}},
		{"i32", i32, []any{10, nil, -3, math.MaxInt32, 0}},
		{"u8", arrow.PrimitiveTypes.Uint8, []any{1, 2, nil, 255, 0}},
		{"ss", str, []any{"12", "-3", nil, "0", "42"}},
		{"ds", str, []any{"2024-01-05", "2024-1-5 10:00:00", nil, " 1999-12-31 ", "1970-01-01T23:59:59"}},
		{"ls", lstr, []any{"x", "y", nil, "x", "z"}},
	}
}

type evalCase struct {
	name string
	e    expr.Expr
	typ  arrow.DataType // of the result
	want []string
}

func evalCases() []evalCase {
	c := expr.Col
	inf := math.Inf(1)
	return []evalCase{
		// Columns, literals, aliases and sort keys.
		{"column", c("i"), i64, want(1, -2, nil, 7, 0)},
		{"literal broadcast", expr.Lit(5), i64, want(5, 5, 5, 5, 5)},
		{"string literal", expr.Lit("x"), str, want("x", "x", "x", "x", "x")},
		{"alias", c("i").Add(1).Alias("x"), i64, want(2, -1, nil, 8, 1)},
		{"sort key", c("i").Desc(), i64, want(1, -2, nil, 7, 0)},

		// Comparisons: NULL on either side gives NULL.
		{"int eq", c("i").Eq(c("j")), boo, want(false, false, nil, nil, false)},
		{"int ne", c("i").Ne(c("j")), boo, want(true, true, nil, nil, true)},
		{"int lt", c("i").Lt(c("j")), boo, want(true, true, nil, nil, false)},
		{"int le", c("i").Le(c("j")), boo, want(true, true, nil, nil, false)},
		{"int gt", c("i").Gt(c("j")), boo, want(false, false, nil, nil, true)},
		{"int ge", c("i").Ge(c("j")), boo, want(false, false, nil, nil, true)},
		{"int gt literal", c("i").Gt(0), boo, want(true, false, nil, true, false)},
		{"literal on the left", expr.Lit(1).Lt(c("i")), boo, want(false, false, nil, true, false)},
		{"compare with NULL", c("i").Eq(nil), boo, want(nil, nil, nil, nil, nil)},
		{"NULL = NULL", expr.Lit(nil).Eq(nil), boo, want(nil, nil, nil, nil, nil)},
		{"float lt", c("f").Lt(c("g")), boo, want(true, true, nil, nil, false)},
		{"float eq int literal", c("f").Eq(0), boo, want(false, false, nil, true, false)},
		{"string eq", c("s").Eq("apple"), boo, want(true, false, nil, false, false)},
		{"string lt", c("s").Lt("b"), boo, want(true, true, nil, true, false)},
		{"large string ge", c("ls").Ge("y"), boo, want(false, true, nil, false, true)},
		{"string vs large string", c("s").Gt(c("ls")), boo, want(false, false, nil, false, false)},
		{"date ge string literal", c("d").Ge("2024-01-01"), boo, want(true, true, nil, false, false)},
		{"timestamp lt", c("ts").Lt(time.Date(2000, 1, 1, 0, 0, 0, 0, time.UTC)), boo, want(false, false, nil, true, false)},
		{"int32 gt literal", c("i32").Gt(5), boo, want(true, nil, false, true, false)},
		{"int32 vs int64", c("i32").Lt(c("i")), boo, want(false, nil, nil, false, false)},
		{"uint8 le", c("u8").Le(2), boo, want(true, true, nil, false, true)},
		{"between", c("f").Between(0, 2), boo, want(true, false, nil, true, false)},

		// Arithmetic: NULL in, NULL out.
		{"add", c("i").Add(c("j")), i64, want(4, -2, nil, nil, -4)},
		{"sub", c("i").Sub(c("j")), i64, want(-2, -2, nil, nil, 4)},
		{"mul", c("i").Mul(c("j")), i64, want(3, 0, nil, nil, 0)},
		{"div ints is float", c("i").Div(c("j")), f64, want(1.0/3, math.Inf(-1), nil, nil, math.Copysign(0, -1))},
		{"div by zero literal", c("f").Div(0), f64, want(inf, math.Inf(-1), nil, math.NaN(), inf)},
		{"mod by zero is NULL", c("i").Mod(c("j")), i64, want(1, nil, nil, nil, 0)},
		{"mod zero divisor row", c("j").Mod(c("i")), i64, want(0, 0, nil, nil, nil)},
		{"mod literal", c("i").Mod(3), i64, want(1, -2, nil, 1, 0)},
		{"mod sign of dividend", c("i").Sub(8).Mod(-3), i64, want(-1, -1, nil, -1, -2)},
		{"mod literal dividend", expr.Lit(7).Mod(c("j")), i64, want(1, nil, 2, nil, 3)},
		{"mod literal zero", c("i").Mod(0), i64, want(nil, nil, nil, nil, nil)},
		{"float mod", c("f").Mod(c("g")), f64, want(1.5, math.NaN(), nil, nil, 0.25)},
		{"float mod negative", expr.Lit(-7.5).Mod(c("g")), f64, want(-1.5, math.NaN(), -0.5, nil, math.Copysign(0, -1))},
		{"float expression", c("f").Mul(expr.Lit(1).Sub(c("g"))), f64, want(-1.5, -2.0, nil, nil, 6.375)},
		{"float NULL operand", c("f").Mul(expr.Lit(nil)), f64, want(nil, nil, nil, nil, nil)},
		{"float constant", expr.Lit(1.5).Mul(2).Sub(0.5), f64, want(2.5, 2.5, 2.5, 2.5, 2.5)},
		{"float nulls from three operands", c("f").Mul(c("g")).Add(c("i").Cast(f64)), f64, want(4.0, -2.0, nil, nil, -2.125)},
		{"float negation inside", c("f").Sub(c("g").Neg()).Div(2), f64, want(1.75, -1.0, nil, nil, 1.875)},
		{"float division by zero column", c("g").Div(c("f")), f64, want(2.0/1.5, math.Copysign(0, -1), nil, nil, -0.5/4.25)},
		{"int plus float literal", c("i").Add(1.5), f64, want(2.5, -0.5, nil, 8.5, 1.5)},
		{"uint8 plus literal widens", c("u8").Add(1), i64, want(2, 3, nil, 256, 1)},
		{"int32 times int32", c("i32").Mul(c("i32")), i64, want(100, nil, 9, int64(math.MaxInt32)*math.MaxInt32, 0)},
		{"add NULL", c("i").Add(nil), i64, want(nil, nil, nil, nil, nil)},
		{"neg int", c("i").Neg(), i64, want(-1, 2, nil, -7, 0)},
		{"neg int32", c("i32").Neg(), i32, want(-10, nil, 3, -math.MaxInt32, 0)},
		{"neg float", c("f").Neg(), f64, want(-1.5, 2.0, nil, math.Copysign(0, -1), -4.25)},

		// Three-valued logic against plain columns (the truth tables have
		// their own test).
		{"and", c("b").And(c("i").Gt(0)), boo, want(true, false, nil, true, false)},
		{"or NULL", c("b").Or(nil), boo, want(true, nil, nil, true, nil)},
		{"and NULL", c("b").And(nil), boo, want(nil, false, nil, nil, false)},
		{"not", c("b").Not(), boo, want(false, true, nil, false, true)},
		{"false and error skips", expr.Lit(false).And(c("i").Add(math.MaxInt64).Gt(0)), boo, want(false, false, false, false, false)},
		{"true or error skips", expr.Lit(true).Or(c("i").Add(math.MaxInt64).Gt(0)), boo, want(true, true, true, true, true)},
		{"is null", c("i").IsNull(), boo, want(false, false, true, false, false)},
		{"is not null", c("s").IsNotNull(), boo, want(true, true, false, true, true)},
		{"NULL is null", expr.Lit(nil).IsNull(), boo, want(true, true, true, true, true)},
		{"NULL is not null", expr.Lit(nil).IsNotNull(), boo, want(false, false, false, false, false)},
		{"not NULL", expr.Lit(nil).Not(), boo, want(nil, nil, nil, nil, nil)},

		// IN lists.
		{"in", c("i").IsIn(1, 7), boo, want(true, false, nil, true, false)},
		{"in with NULL", c("i").IsIn(1, nil), boo, want(true, nil, nil, nil, nil)},
		{"in empty", c("i").IsIn(), boo, want(false, false, false, false, false)},
		{"NULL in", expr.Lit(nil).IsIn(1, 2), boo, want(nil, nil, nil, nil, nil)},
		{"constant in", expr.Lit(2).IsIn(1, 2), boo, want(true, true, true, true, true)},
		{"string in", c("s").IsIn("apple", "cherry pie"), boo, want(true, false, nil, false, true)},
		{"float in ints", c("f").IsIn(1.5, 0), boo, want(true, false, nil, true, false)},
		// IN means "=": -0.0 equals 0.0 and NaN equals nothing.
		{"float in negative zero", c("f").IsIn(math.Copysign(0, -1), 7.0), boo, want(false, false, nil, true, false)},
		{"NaN in NaN", c("f").Div(0).IsIn(math.NaN()), boo, want(false, false, nil, false, false)},
		{"float not in with NULL", c("f").IsIn(1.5, nil).Not(), boo, want(false, nil, nil, nil, nil)},
		{"date in", c("d").IsIn("2024-02-29"), boo, want(false, true, nil, false, false)},
		{"not in with NULL", c("i").IsIn(7, nil).Not(), boo, want(nil, nil, nil, false, nil)},

		// Casts.
		{"string to int", c("ss").Cast(i64), i64, want(12, -3, nil, 0, 42)},
		// Text is base 10: a leading zero is not octal.
		{"leading zero is decimal", expr.Lit("010").Cast(i64), i64, want(10, 10, 10, 10, 10)},
		{"negative leading zero", expr.Lit("-010").Cast(i64), i64, want(-10, -10, -10, -10, -10)},
		{"zero eight", expr.Lit(" 08 ").Cast(i32), i32, want(8, 8, 8, 8, 8)},
		{"string to int32", c("ss").Cast(i32), i32, want(12, -3, nil, 0, 42)},
		{"float to int rounds half to even", c("f").Cast(i64), i64, want(2, -2, nil, 0, 4)},
		{"float to int32", c("g").Cast(i32), i32, want(2, 0, 1, nil, 0)},
		{"int to string", c("i").Cast(str), str, want("1", "-2", nil, "7", "0")},
		{"int to float", c("i32").Cast(f64), f64, want(10.0, nil, -3.0, float64(math.MaxInt32), 0.0)},
		{"int to bool", c("i").Cast(boo), boo, want(true, true, nil, true, false)},
		{"bool to int", c("b").Cast(i64), i64, want(1, 0, nil, 1, 0)},
		{"string to date", c("ds").Cast(d32), d32, want("2024-01-05", "2024-01-05", nil, "1999-12-31", "1970-01-01")},
		{"string to timestamp", c("ds").Cast(tsUS), tsUS, want("2024-01-05 00:00:00", "2024-01-05 10:00:00", nil, "1999-12-31 00:00:00", "1970-01-01 23:59:59")},
		{"string literal to date", expr.Lit("2024-03-01").Cast(d32), d32, want("2024-03-01", "2024-03-01", "2024-03-01", "2024-03-01", "2024-03-01")},
		{"date to timestamp", c("d").Cast(tsUS), tsUS, want("2024-01-31 00:00:00", "2024-02-29 00:00:00", nil, "1970-01-01 00:00:00", "1999-12-31 00:00:00")},
		{"timestamp to date floors", c("ts").Cast(d32), d32, want("2024-01-31", "2024-02-29", nil, "1969-12-31", "2000-01-01")},
		{"NULL to int", expr.Lit(nil).Cast(i64), i64, want(nil, nil, nil, nil, nil)},
		{"same type", c("i").Cast(i64), i64, want(1, -2, nil, 7, 0)},

		// Date arithmetic with intervals.
		{"date plus days", c("d").Add(expr.Days(1)), d32, want("2024-02-01", "2024-03-01", nil, "1970-01-02", "2000-01-01")},
		{"date plus month clamps", c("d").Add(expr.Months(1)), d32, want("2024-02-29", "2024-03-29", nil, "1970-02-01", "2000-01-31")},
		{"date minus year", c("d").Sub(expr.Years(1)), d32, want("2023-01-31", "2023-02-28", nil, "1969-01-01", "1998-12-31")},
		{"interval plus date", expr.Lit(expr.Days(-1)).Add(c("d")), d32, want("2024-01-30", "2024-02-28", nil, "1969-12-31", "1999-12-30")},
		{"timestamp plus duration", c("ts").Add(expr.Duration(90 * time.Minute)), tsUS, want("2024-02-01 01:00:00", "2024-02-29 01:30:00", nil, "1970-01-01 01:29:59", "2000-01-01 13:30:00")},
		{"date plus NULL interval", c("d").Add(scalar.MakeNullScalar(arrow.FixedWidthTypes.MonthDayNanoInterval)), d32, want(nil, nil, nil, nil, nil)},

		// Functions.
		{"contains", c("s").Str().Contains("an"), boo, want(false, true, nil, false, false)},
		{"starts with", c("s").Str().StartsWith("c"), boo, want(false, false, nil, false, true)},
		{"ends with", c("s").Str().EndsWith("e"), boo, want(true, false, nil, false, true)},
		{"like", c("s").Str().Like("%an%"), boo, want(false, true, nil, false, false)},
		{"like underscore", c("s").Str().Like("_pple"), boo, want(true, false, nil, false, false)},
		{"lower", c("s").Str().Lower(), str, want("apple", "banana", nil, "", "cherry pie")},
		{"upper", c("s").Str().Upper(), str, want("APPLE", "BANANA", nil, "", "CHERRY PIE")},
		{"length", c("s").Str().Length(), i64, want(5, 6, nil, 0, 10)},
		{"substr", c("s").Str().Substr(2, 3), str, want("ppl", "ana", nil, "", "her")},
		{"upper of literal", expr.Lit("ab").Str().Upper(), str, want("AB", "AB", "AB", "AB", "AB")},
		{"year", c("d").Dt().Year(), i64, want(2024, 2024, nil, 1970, 1999)},
		{"month", c("d").Dt().Month(), i64, want(1, 2, nil, 1, 12)},
		{"day", c("ts").Dt().Day(), i64, want(31, 29, nil, 31, 1)},
		{"coalesce", expr.Coalesce(c("i"), c("j"), 100), i64, want(1, -2, 5, 7, 0)},
		{"coalesce NULL first", expr.Coalesce(nil, c("j")), i64, want(3, 0, 5, nil, -4)},
		{"coalesce constants", expr.Coalesce(nil, 4), i64, want(4, 4, 4, 4, 4)},
		{"case", expr.When(c("i").Gt(0), "pos").When(c("i").Lt(0), "neg").Otherwise("zero"), str, want("pos", "neg", "zero", "pos", "zero")},
		{"case without else", expr.When(c("b"), c("i")).End(), i64, want(1, nil, nil, 7, nil)},
		{"case constant", expr.When(true, 1).Otherwise(2), i64, want(1, 1, 1, 1, 1)},
		{"case NULL condition", expr.When(nil, 1).Otherwise(c("j")), i64, want(3, 0, 5, nil, -4)},
	}
}

func TestEval(t *testing.T) {
	for _, tc := range evalCases() {
		t.Run(tc.name, func(t *testing.T) {
			mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
			defer mem.AssertSize(t, 0)
			batch := makeBatch(t, mem, testColumns()...)
			defer batch.Release()
			got := mustEval(t, mem, tc.e, batch)
			defer got.Release()
			if !arrow.TypeEqual(got.DataType(), tc.typ) {
				t.Fatalf("type %s, want %s", got.DataType(), tc.typ)
			}
			if rows := rowsOf(t, got); !slices.Equal(rows, tc.want) {
				t.Errorf("got  %q\nwant %q", rows, tc.want)
			}
		})
	}
}

// TestEvalSlicedBatch runs every case on a slice of the batch (rows 1-3),
// which gives the arrays a non-zero offset.
func TestEvalSlicedBatch(t *testing.T) {
	for _, tc := range evalCases() {
		t.Run(tc.name, func(t *testing.T) {
			mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
			defer mem.AssertSize(t, 0)
			full := makeBatch(t, mem, testColumns()...)
			defer full.Release()
			batch := full.NewSlice(1, 4)
			defer batch.Release()
			got := mustEval(t, mem, tc.e, batch)
			defer got.Release()
			if rows := rowsOf(t, got); !slices.Equal(rows, tc.want[1:4]) {
				t.Errorf("got  %q\nwant %q", rows, tc.want[1:4])
			}
		})
	}
}

func mustEval(t *testing.T, mem memory.Allocator, e expr.Expr, batch arrow.RecordBatch) arrow.Array {
	t.Helper()
	n, err := expr.Resolve(e.Node(), batch.Schema())
	if err != nil {
		t.Fatalf("resolve %s: %v", e, err)
	}
	got, err := Eval(context.Background(), mem, n, batch)
	if err != nil {
		t.Fatalf("eval %s: %v", n, err)
	}
	if got.Len() != int(batch.NumRows()) {
		t.Fatalf("%d rows, want %d", got.Len(), batch.NumRows())
	}
	return got
}

func TestTruthTables(t *testing.T) {
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)
	// Every pair of true, false and NULL.
	batch := makeBatch(t, mem,
		col{"l", boo, []any{true, true, true, false, false, false, nil, nil, nil}},
		col{"r", boo, []any{true, false, nil, true, false, nil, true, false, nil}},
	)
	defer batch.Release()
	l, r := expr.Col("l"), expr.Col("r")
	const T, F = true, false
	for _, tc := range []struct {
		name string
		e    expr.Expr
		want []string
	}{
		{"and", l.And(r), want(T, F, nil, F, F, F, nil, F, nil)},
		{"or", l.Or(r), want(T, T, T, T, F, nil, T, nil, nil)},
		{"not", l.Not(), want(F, F, F, T, T, T, nil, nil, nil)},
		{"is null", l.IsNull(), want(F, F, F, F, F, F, T, T, T)},
		{"is not null", l.IsNotNull(), want(T, T, T, T, T, T, F, F, F)},
		{"eq", l.Eq(r), want(T, F, nil, F, T, nil, nil, nil, nil)},
		{"ne", l.Ne(r), want(F, T, nil, T, F, nil, nil, nil, nil)},
		{"lt", l.Lt(r), want(F, F, nil, T, F, nil, nil, nil, nil)},
		{"le", l.Le(r), want(T, F, nil, T, T, nil, nil, nil, nil)},
		{"gt", l.Gt(r), want(F, T, nil, F, F, nil, nil, nil, nil)},
		{"ge", l.Ge(r), want(T, T, nil, F, T, nil, nil, nil, nil)},
		{"and true", l.And(true), want(T, T, T, F, F, F, nil, nil, nil)},
		{"or false", l.Or(false), want(T, T, T, F, F, F, nil, nil, nil)},
		{"NULL and", expr.Lit(nil).And(r), want(nil, F, nil, nil, F, nil, nil, F, nil)},
		{"NULL or", expr.Lit(nil).Or(r), want(T, nil, nil, T, nil, nil, T, nil, nil)},
		{"not (l and r) is (not l) or (not r)", l.And(r).Not().Eq(l.Not().Or(r.Not())), want(T, T, nil, T, T, T, nil, T, nil)},
		{"l in (r literal)", l.IsIn(true, nil), want(T, T, T, nil, nil, nil, nil, nil, nil)},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got := mustEval(t, mem, tc.e, batch)
			defer got.Release()
			if rows := rowsOf(t, got); !slices.Equal(rows, tc.want) {
				t.Errorf("got  %q\nwant %q", rows, tc.want)
			}
		})
	}
}

func TestEvalErrors(t *testing.T) {
	c := expr.Col
	for _, tc := range []struct {
		name string
		e    expr.Expr
		kind error
		msg  string // a part of the message
	}{
		{"add overflow", c("i").Add(int64(math.MaxInt64)), errs.ErrExec, "overflow"},
		{"sub overflow", c("j").Sub(int64(math.MinInt64)), errs.ErrExec, "overflow"},
		{"mul overflow", c("i").Mul(int64(math.MaxInt64)), errs.ErrExec, "overflow"},
		{"neg overflow", c("min").Neg(), errs.ErrExec, "overflow"},
		{"mod overflow", c("min").Mod(-1), errs.ErrExec, "overflow"},
		{"int32 cast overflow", c("i").Mul(1 << 40).Cast(i32), errs.ErrExec, ""},
		{"float cast overflow", c("f").Mul(1e300).Cast(i64), errs.ErrExec, ""},
		{"cast bad string to int", c("bad").Cast(i64), errs.ErrExec, `"x"`},
		{"cast bad string to float", c("bad").Cast(f64), errs.ErrExec, `"x"`},
		{"cast bad string to date", c("baddate").Cast(d32), errs.ErrExec, `"x"`},
		{"cast bad string to timestamp", c("baddate").Cast(tsUS), errs.ErrExec, `"x"`},
		{"cast bad string to decimal", c("bad").Cast(&arrow.Decimal128Type{Precision: 5, Scale: 2}), errs.ErrExec, `"x"`},
		{"cast bad string to bool", c("bad").Cast(boo), errs.ErrExec, `"x"`},
		{"cast bad date", expr.Lit("2023-02-29").Cast(d32), errs.ErrExec, `"2023-02-29"`},
		{"date out of range", c("d").Add(expr.Years(1 << 24)), errs.ErrExec, ""},
		{"aggregate", c("i").Sum(), errs.ErrInternal, "aggregate"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
			defer mem.AssertSize(t, 0)
			batch := makeBatch(t, mem,
				col{"i", i64, []any{1, 2, nil}},
				col{"j", i64, []any{3, nil, 0}},
				col{"f", f64, []any{1.0, nil, 2.0}},
				col{"min", i64, []any{0, math.MinInt64, nil}},
				col{"bad", str, []any{"1", nil, "x"}},
				col{"baddate", str, []any{"2024-01-01", nil, "x"}},
				col{"d", d32, []any{"2024-01-01", nil, "2024-01-02"}},
			)
			defer batch.Release()
			n, err := expr.Resolve(tc.e.Node(), batch.Schema())
			if err != nil {
				t.Fatalf("resolve: %v", err)
			}
			got, err := Eval(context.Background(), mem, n, batch)
			if err == nil {
				defer got.Release()
				t.Fatalf("no error; got %q", rowsOf(t, got))
			}
			if !errors.Is(err, tc.kind) {
				t.Errorf("error %q is not %v", err, tc.kind)
			}
			if !strings.Contains(err.Error(), "evaluate "+n.String()) && !strings.Contains(err.Error(), n.String()) {
				t.Errorf("error %q does not name %s", err, n)
			}
			if !strings.Contains(err.Error(), tc.msg) {
				t.Errorf("error %q does not mention %q", err, tc.msg)
			}
		})
	}
}

// TestOverflowInNullRowsIgnored checks that a NULL row whose hidden value
// would overflow does not fail the whole batch.
func TestOverflowInNullRowsIgnored(t *testing.T) {
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)
	// Row 1 is NULL but holds MaxInt64 (and MinInt64 for the modulo).
	vals := memory.NewResizableBuffer(mem)
	vals.Resize(16)
	copy(arrow.Int64Traits.CastFromBytes(vals.Bytes()), []int64{1, math.MinInt64})
	valid := memory.NewResizableBuffer(mem)
	valid.Resize(1)
	valid.Bytes()[0] = 0b01
	data := array.NewData(i64, 2, []*memory.Buffer{valid, vals}, nil, 1, 0)
	arr := array.MakeFromData(data)
	data.Release()
	vals.Release()
	valid.Release()
	batch := array.NewRecordBatch(arrow.NewSchema([]arrow.Field{{Name: "x", Type: i64, Nullable: true}}, nil), []arrow.Array{arr}, 2)
	arr.Release()
	defer batch.Release()
	for _, tc := range []struct {
		e    expr.Expr
		want []string
	}{
		{expr.Col("x").Sub(1), want(0, nil)},
		{expr.Col("x").Mul(2), want(2, nil)},
		{expr.Col("x").Neg(), want(-1, nil)},
		{expr.Col("x").Mod(-1), want(0, nil)},
	} {
		got := mustEval(t, mem, tc.e, batch)
		if rows := rowsOf(t, got); !slices.Equal(rows, tc.want) {
			t.Errorf("%s: got %q, want %q", tc.e, rows, tc.want)
		}
		got.Release()
	}
}

func TestEvalPredicate(t *testing.T) {
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)
	batch := makeBatch(t, mem, testColumns()...)
	defer batch.Release()
	for _, tc := range []struct {
		e    expr.Expr
		want []string
	}{
		{expr.Col("i").Gt(0), want(true, false, nil, true, false)},
		{expr.Lit(true), want(true, true, true, true, true)},
		{expr.Lit(nil), want(nil, nil, nil, nil, nil)},
	} {
		n, err := expr.Resolve(tc.e.Node(), batch.Schema())
		if err != nil {
			t.Fatal(err)
		}
		got, err := EvalPredicate(context.Background(), mem, n, batch)
		if err != nil {
			t.Fatalf("%s: %v", n, err)
		}
		if rows := rowsOf(t, got); !slices.Equal(rows, tc.want) {
			t.Errorf("%s: got %q, want %q", n, rows, tc.want)
		}
		got.Release()
	}
	n, err := expr.Resolve(expr.Col("i").Add(1).Node(), batch.Schema())
	if err != nil {
		t.Fatal(err)
	}
	if got, err := EvalPredicate(context.Background(), mem, n, batch); !errors.Is(err, errs.ErrInternal) {
		if got != nil {
			got.Release()
		}
		t.Errorf("non-boolean predicate: err = %v, want ErrInternal", err)
	}
}

func TestEvalScalar(t *testing.T) {
	empty := arrow.NewSchema(nil, nil)
	for _, tc := range []struct {
		e    expr.Expr
		want string
	}{
		{expr.Lit(2).Add(3), "5"},
		{expr.Lit(1).Div(0), "+Inf"},
		{expr.Lit(7).Mod(0), "null"},
		{expr.Lit("abc").Str().Upper(), "ABC"},
		{expr.Lit(nil).IsNull(), "true"},
		{expr.Lit(1).Gt(2).Or(expr.Lit(nil)), "null"},
	} {
		n, err := expr.Resolve(tc.e.Node(), empty)
		if err != nil {
			t.Fatal(err)
		}
		got, err := EvalScalar(context.Background(), n)
		if err != nil {
			t.Fatalf("%s: %v", n, err)
		}
		if got.String() != tc.want {
			t.Errorf("%s = %s, want %s", n, got, tc.want)
		}
	}
	if _, err := EvalScalar(context.Background(), expr.Col("x").Node()); !errors.Is(err, errs.ErrInternal) {
		t.Errorf("column in a constant: err = %v, want ErrInternal", err)
	}
	overflow, err := expr.Resolve(expr.Lit(int64(math.MaxInt64)).Add(1).Node(), empty)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := EvalScalar(context.Background(), overflow); !errors.Is(err, errs.ErrExec) {
		t.Errorf("constant overflow: err = %v, want ErrExec", err)
	}
}

func TestEvalCancelled(t *testing.T) {
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)
	batch := makeBatch(t, mem, testColumns()...)
	defer batch.Release()
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := Eval(ctx, mem, expr.Col("i").Node(), batch); !errors.Is(err, context.Canceled) {
		t.Errorf("err = %v, want context.Canceled", err)
	}
}
