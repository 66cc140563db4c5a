package rules

import (
	"math"
	"testing"
	"time"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/decimal128"
	"github.com/apache/arrow-go/v18/arrow/scalar"

	"lakeframe/expr"
)

func TestIntArith(t *testing.T) {
	tests := []struct {
		op     expr.BinaryOp
		a, b   int64
		want   int64
		wantOK bool
	}{
		{expr.OpAdd, 2, 3, 5, true},
		{expr.OpAdd, math.MaxInt64, 1, 0, false},
		{expr.OpAdd, math.MinInt64, -1, 0, false},
		{expr.OpAdd, math.MaxInt64, math.MinInt64, -1, true},
		{expr.OpSub, 2, 5, -3, true},
		{expr.OpSub, math.MinInt64, 1, 0, false},
		{expr.OpSub, 0, math.MinInt64, 0, false},
		{expr.OpSub, -1, math.MinInt64, math.MaxInt64, true},
		{expr.OpMul, -4, 5, -20, true},
		{expr.OpMul, 0, math.MinInt64, 0, true},
		{expr.OpMul, 1 << 32, 1 << 31, 0, false},
		{expr.OpMul, -1, math.MinInt64, 0, false},
		{expr.OpMul, math.MinInt64, -1, 0, false},
		{expr.OpMod, -7, 3, -1, true},
		{expr.OpMod, 7, -3, 1, true},
		{expr.OpMod, math.MinInt64, -1, 0, true},
		{expr.OpMod, 7, 0, 0, false},
		{expr.OpDiv, 6, 3, 0, false}, // integer division is resolved to float64
	}
	for _, tc := range tests {
		got, ok := intArith(tc.op, tc.a, tc.b)
		if ok != tc.wantOK || ok && got != tc.want {
			t.Errorf("%d %s %d = %d, %v; want %d, %v", tc.a, tc.op, tc.b, got, ok, tc.want, tc.wantOK)
		}
	}
}

func TestFoldArith(t *testing.T) {
	f := func(v float64) scalar.Scalar { return scalar.NewFloat64Scalar(v) }
	i := func(v int64) scalar.Scalar { return scalar.NewInt64Scalar(v) }
	tests := []struct {
		name string
		op   expr.BinaryOp
		a, b scalar.Scalar
		want scalar.Scalar // nil: not folded
	}{
		{"int add", expr.OpAdd, i(40), i(2), i(42)},
		{"float div", expr.OpDiv, f(1), f(4), f(0.25)},
		{"float div by zero left to run time", expr.OpDiv, f(1), f(0), nil},
		{"float div by negative zero left to run time", expr.OpDiv, f(1), f(math.Copysign(0, -1)), nil},
		{"float overflow is infinite", expr.OpMul, f(math.MaxFloat64), f(2), f(math.Inf(1))},
		{"float mod not folded", expr.OpMod, f(7), f(2), nil},
		{"mixed types not folded", expr.OpAdd, i(1), f(2), nil},
		{"int32 not folded", expr.OpAdd, scalar.NewInt32Scalar(1), scalar.NewInt32Scalar(2), nil},
	}
	for _, tc := range tests {
		got, ok := foldArith(tc.op, tc.a, tc.b)
		switch {
		case tc.want == nil && ok:
			t.Errorf("%s: folded to %s", tc.name, got)
		case tc.want != nil && (!ok || !scalar.Equals(got, tc.want)):
			t.Errorf("%s: got %v (%v), want %s", tc.name, got, ok, tc.want)
		}
	}
}

func TestFoldNeg(t *testing.T) {
	if got, ok := foldNeg(scalar.NewInt32Scalar(5)); !ok || !scalar.Equals(got, scalar.NewInt32Scalar(-5)) {
		t.Errorf("-int32(5) = %v, %v", got, ok)
	}
	if _, ok := foldNeg(scalar.NewInt64Scalar(math.MinInt64)); ok {
		t.Error("negating the smallest int64 was folded")
	}
	if _, ok := foldNeg(scalar.NewInt8Scalar(math.MinInt8)); ok {
		t.Error("negating the smallest int8 was folded")
	}
	null := scalar.MakeNullScalar(arrow.PrimitiveTypes.Float64)
	if got, ok := foldNeg(null); !ok || got.IsValid() {
		t.Errorf("-NULL = %v, %v", got, ok)
	}
}

func TestFoldCompare(t *testing.T) {
	dec := func(v int64) scalar.Scalar {
		return scalar.NewDecimal128Scalar(decimal128.FromI64(v), &arrow.Decimal128Type{Precision: 10, Scale: 2})
	}
	ts := &arrow.TimestampType{Unit: arrow.Microsecond, TimeZone: "UTC"}
	tests := []struct {
		name string
		op   expr.BinaryOp
		a, b scalar.Scalar
		want string // "true", "false", "null" or "" for not folded
	}{
		{"int lt", expr.OpLt, scalar.NewInt64Scalar(-1), scalar.NewInt64Scalar(1), "true"},
		{"uint64 beyond int64", expr.OpGt, scalar.NewUint64Scalar(math.MaxUint64), scalar.NewUint64Scalar(1), "true"},
		{"float ge", expr.OpGe, scalar.NewFloat64Scalar(0.5), scalar.NewFloat64Scalar(0.5), "true"},
		{"negative zero equals zero", expr.OpEq, scalar.NewFloat64Scalar(math.Copysign(0, -1)), scalar.NewFloat64Scalar(0), "true"},
		{"nan left to run time", expr.OpLt, scalar.NewFloat64Scalar(math.NaN()), scalar.NewFloat64Scalar(1), ""},
		{"string bytewise", expr.OpLt, scalar.NewStringScalar("B"), scalar.NewStringScalar("a"), "true"},
		{"string prefix first", expr.OpLt, scalar.NewStringScalar("ab"), scalar.NewStringScalar("abc"), "true"},
		{"large string ne", expr.OpNe, scalar.NewLargeStringScalar("x"), scalar.NewLargeStringScalar("x"), "false"},
		{"bool false before true", expr.OpLt, scalar.NewBooleanScalar(false), scalar.NewBooleanScalar(true), "true"},
		{"date", expr.OpLe, scalar.NewDate32Scalar(19000), scalar.NewDate32Scalar(18999), "false"},
		{"timestamp", expr.OpGt, scalar.NewTimestampScalar(10, ts), scalar.NewTimestampScalar(9, ts), "true"},
		{"decimal", expr.OpLt, dec(-150), dec(100), "true"},
		{"null left", expr.OpEq, scalar.MakeNullScalar(arrow.PrimitiveTypes.Int64), scalar.NewInt64Scalar(1), "null"},
		{"null both", expr.OpNe, scalar.MakeNullScalar(arrow.BinaryTypes.String), scalar.MakeNullScalar(arrow.BinaryTypes.String), "null"},
		{"different types", expr.OpEq, scalar.NewInt64Scalar(1), scalar.NewInt32Scalar(1), ""},
	}
	for _, tc := range tests {
		got, ok := foldCompare(tc.op, tc.a, tc.b)
		if s := describe(got, ok); s != tc.want {
			t.Errorf("%s: got %q, want %q", tc.name, s, tc.want)
		}
	}
}

func describe(s scalar.Scalar, ok bool) string {
	switch {
	case !ok:
		return ""
	case !s.IsValid():
		return "null"
	case s.(*scalar.Boolean).Value:
		return "true"
	}
	return "false"
}

func TestFoldIsIn(t *testing.T) {
	i := func(v int64) scalar.Scalar { return scalar.NewInt64Scalar(v) }
	null := scalar.MakeNullScalar(arrow.PrimitiveTypes.Int64)
	tests := []struct {
		name string
		x    scalar.Scalar
		list []scalar.Scalar
		want string
	}{
		{"match", i(2), []scalar.Scalar{i(1), i(2)}, "true"},
		{"match beside null", i(2), []scalar.Scalar{null, i(2)}, "true"},
		{"no match", i(3), []scalar.Scalar{i(1), i(2)}, "false"},
		{"no match with null", i(3), []scalar.Scalar{i(1), null}, "null"},
		{"null value", null, []scalar.Scalar{i(1)}, "null"},
		{"nan left to run time", scalar.NewFloat64Scalar(math.NaN()), []scalar.Scalar{scalar.NewFloat64Scalar(1)}, ""},
	}
	for _, tc := range tests {
		got, ok := foldIsIn(tc.x, tc.list)
		if s := describe(got, ok); s != tc.want {
			t.Errorf("%s: got %q, want %q", tc.name, s, tc.want)
		}
	}
}

func TestFoldCall(t *testing.T) {
	str := scalar.NewStringScalar
	i64 := arrow.PrimitiveTypes.Int64
	boolT := arrow.FixedWidthTypes.Boolean
	ts := &arrow.TimestampType{Unit: arrow.Second, TimeZone: "UTC"}
	berlin := &arrow.TimestampType{Unit: arrow.Second, TimeZone: "Europe/Berlin"}
	newYear := time.Date(2023, 12, 31, 23, 30, 0, 0, time.UTC).Unix()
	tests := []struct {
		name string
		fn   expr.ScalarFunc
		args []scalar.Scalar
		out  arrow.DataType
		want scalar.Scalar // nil: not folded
	}{
		{"lower", expr.FnLower, []scalar.Scalar{str("ÀbC")}, arrow.BinaryTypes.String, str("àbc")},
		{"lower of invalid utf-8 left to run time", expr.FnLower, []scalar.Scalar{str("A\xffB")}, arrow.BinaryTypes.String, nil},
		{"upper large", expr.FnUpper, []scalar.Scalar{scalar.NewLargeStringScalar("abc")}, arrow.BinaryTypes.LargeString, scalar.NewLargeStringScalar("ABC")},
		{"length counts characters", expr.FnLength, []scalar.Scalar{str("añb")}, i64, scalar.NewInt64Scalar(3)},
		{"ends with", expr.FnEndsWith, []scalar.Scalar{str("abc"), str("bc")}, boolT, scalar.NewBooleanScalar(true)},
		{"contains empty", expr.FnContains, []scalar.Scalar{str("abc"), str("")}, boolT, scalar.NewBooleanScalar(true)},
		{"null input", expr.FnLength, []scalar.Scalar{scalar.MakeNullScalar(arrow.BinaryTypes.String)}, i64, scalar.MakeNullScalar(i64)},
		{"null pattern", expr.FnStartsWith, []scalar.Scalar{str("a"), scalar.MakeNullScalar(arrow.BinaryTypes.String)}, boolT, scalar.MakeNullScalar(boolT)},
		{"year of date", expr.FnYear, []scalar.Scalar{scalar.NewDate32Scalar(arrow.Date32FromTime(time.Date(1999, 2, 3, 0, 0, 0, 0, time.UTC)))}, i64, scalar.NewInt64Scalar(1999)},
		{"month of date64", expr.FnMonth, []scalar.Scalar{scalar.NewDate64Scalar(arrow.Date64FromTime(time.Date(1999, 2, 3, 0, 0, 0, 0, time.UTC)))}, i64, scalar.NewInt64Scalar(2)},
		{"day of utc timestamp", expr.FnDay, []scalar.Scalar{scalar.NewTimestampScalar(arrow.Timestamp(newYear), ts)}, i64, scalar.NewInt64Scalar(31)},
		{"zoned timestamp left to run time", expr.FnYear, []scalar.Scalar{scalar.NewTimestampScalar(arrow.Timestamp(newYear), berlin)}, i64, nil},
		{"like left to run time", expr.FnLike, []scalar.Scalar{str("abc"), str("a%")}, boolT, nil},
		{"substr left to run time", expr.FnSubstr, []scalar.Scalar{str("abc"), scalar.NewInt64Scalar(1), scalar.NewInt64Scalar(2)}, arrow.BinaryTypes.String, nil},
	}
	for _, tc := range tests {
		got, ok := foldCall(tc.fn, tc.args, tc.out)
		switch {
		case tc.want == nil && ok:
			t.Errorf("%s: folded to %s", tc.name, got)
		case tc.want != nil && (!ok || !scalar.Equals(got, tc.want)):
			t.Errorf("%s: got %v (%v), want %s", tc.name, got, ok, tc.want)
		}
	}
}

func TestSameExpr(t *testing.T) {
	a, b := expr.Col("a"), expr.Col("b")
	tests := []struct {
		name string
		x, y expr.Expr
		want bool
	}{
		{"same tree", a.Gt(1).And(b.IsNull()), a.Gt(1).And(b.IsNull()), true},
		{"other column", a.Gt(1), b.Gt(1), false},
		{"other operator", a.Gt(1), a.Ge(1), false},
		{"other literal", a.Gt(1), a.Gt(2), false},
		{"literal types differ", a.Gt(expr.Lit(int64(1))), a.Gt(expr.Lit(scalar.NewInt32Scalar(1))), false},
		{"nulls of one type", a.Eq(nil), a.Eq(nil), true},
		{"swapped operands", a.Gt(b), b.Gt(a), false},
		{"other alias", a.Alias("x"), a.Alias("y"), false},
		{"other cast", a.Cast(arrow.PrimitiveTypes.Int32), a.Cast(arrow.PrimitiveTypes.Int64), false},
		{"in lists", a.IsIn(1, 2), a.IsIn(1, 2), true},
		{"in lists differ", a.IsIn(1, 2), a.IsIn(1, 2, 3), false},
		{"case without else", expr.When(a.Gt(1), 1).End(), expr.When(a.Gt(1), 1).Otherwise(nil), false},
		{"functions", a.Str().StartsWith("x"), a.Str().EndsWith("x"), false},
		{"sort direction", a.Desc(), a.Asc(), false},
		{"aggregates", a.Sum(), a.Max(), false},
	}
	for _, tc := range tests {
		if got := sameExpr(tc.x.Node(), tc.y.Node()); got != tc.want {
			t.Errorf("%s: sameExpr(%s, %s) = %v", tc.name, tc.x, tc.y, got)
		}
	}
}
