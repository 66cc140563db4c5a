package rules

import (
	"bytes"
	"cmp"
	"math"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/scalar"

	"lakeframe/expr"
)

// Constant folding evaluates operators on literals at plan time with the
// semantics the executor (exec/eval) gives them at run time. Where a result
// is an error or an engine detail (integer overflow, division by zero, NaN
// ordering, dates moved by part of a day, time zones, pattern syntax) the
// expression is left for run time instead.

func nullBool() *expr.Literal {
	return expr.NewLiteral(scalar.MakeNullScalar(arrow.FixedWidthTypes.Boolean))
}

func boolLit(v bool) *expr.Literal { return expr.NewLiteral(scalar.NewBooleanScalar(v)) }

func isNaN(s scalar.Scalar) bool {
	switch v := s.(type) {
	case *scalar.Float64:
		return math.IsNaN(v.Value)
	case *scalar.Float32:
		return math.IsNaN(float64(v.Value))
	}
	return false
}

// foldCompare compares two constants of the same type. NaN is left to run
// time, where its ordering is the executor's choice.
func foldCompare(op expr.BinaryOp, a, b scalar.Scalar) (scalar.Scalar, bool) {
	if !a.IsValid() || !b.IsValid() {
		return nullBool().Value, true
	}
	if isNaN(a) || isNaN(b) || !arrow.TypeEqual(a.DataType(), b.DataType()) {
		return nil, false
	}
	c, ok := compareScalars(a, b)
	if !ok {
		return nil, false
	}
	var v bool
	switch op {
	case expr.OpEq:
		v = c == 0
	case expr.OpNe:
		v = c != 0
	case expr.OpLt:
		v = c < 0
	case expr.OpLe:
		v = c <= 0
	case expr.OpGt:
		v = c > 0
	case expr.OpGe:
		v = c >= 0
	default:
		return nil, false
	}
	return scalar.NewBooleanScalar(v), true
}

// compareScalars orders two valid, non-NaN constants of one type: FALSE
// before TRUE, numbers and times by value, strings and binaries bytewise.
func compareScalars(a, b scalar.Scalar) (int, bool) {
	switch x := a.(type) {
	case *scalar.Boolean:
		y := b.(*scalar.Boolean)
		return cmp.Compare(boolInt(x.Value), boolInt(y.Value)), true
	case *scalar.Int8:
		return cmp.Compare(x.Value, b.(*scalar.Int8).Value), true
	case *scalar.Int16:
		return cmp.Compare(x.Value, b.(*scalar.Int16).Value), true
	case *scalar.Int32:
		return cmp.Compare(x.Value, b.(*scalar.Int32).Value), true
	case *scalar.Int64:
		return cmp.Compare(x.Value, b.(*scalar.Int64).Value), true
	case *scalar.Uint8:
		return cmp.Compare(x.Value, b.(*scalar.Uint8).Value), true
	case *scalar.Uint16:
		return cmp.Compare(x.Value, b.(*scalar.Uint16).Value), true
	case *scalar.Uint32:
		return cmp.Compare(x.Value, b.(*scalar.Uint32).Value), true
	case *scalar.Uint64:
		return cmp.Compare(x.Value, b.(*scalar.Uint64).Value), true
	case *scalar.Float32:
		return cmp.Compare(x.Value, b.(*scalar.Float32).Value), true
	case *scalar.Float64:
		return cmp.Compare(x.Value, b.(*scalar.Float64).Value), true
	case *scalar.Date32:
		return cmp.Compare(x.Value, b.(*scalar.Date32).Value), true
	case *scalar.Date64:
		return cmp.Compare(x.Value, b.(*scalar.Date64).Value), true
	case *scalar.Timestamp:
		return cmp.Compare(x.Value, b.(*scalar.Timestamp).Value), true
	case *scalar.Decimal128:
		return x.Value.Cmp(b.(*scalar.Decimal128).Value), true
	}
	switch a.DataType().ID() {
	case arrow.STRING, arrow.LARGE_STRING, arrow.BINARY, arrow.LARGE_BINARY:
		x, xok := a.(scalar.BinaryScalar)
		y, yok := b.(scalar.BinaryScalar)
		if xok && yok {
			return bytes.Compare(x.Data(), y.Data()), true
		}
	}
	return 0, false
}

func boolInt(b bool) int {
	if b {
		return 1
	}
	return 0
}

// foldArith evaluates arithmetic on two non-null constants. Resolution
// leaves arithmetic operands as int64 or float64, or as a date or
// timestamp and an interval.
func foldArith(op expr.BinaryOp, a, b scalar.Scalar) (scalar.Scalar, bool) {
	switch x := a.(type) {
	case *scalar.Date32, *scalar.Timestamp:
		return foldDateArith(op, a, b)
	case *scalar.MonthDayNanoInterval:
		if op != expr.OpAdd {
			return nil, false
		}
		return foldDateArith(op, b, a)
	case *scalar.Int64:
		y, ok := b.(*scalar.Int64)
		if !ok {
			return nil, false
		}
		v, ok := intArith(op, x.Value, y.Value)
		if !ok {
			return nil, false
		}
		return scalar.NewInt64Scalar(v), true
	case *scalar.Float64:
		y, ok := b.(*scalar.Float64)
		if !ok {
			return nil, false
		}
		return floatArith(op, x.Value, y.Value)
	}
	return nil, false
}

// intArith fails on overflow and on a zero divisor, leaving those to the
// executor's rules.
func intArith(op expr.BinaryOp, a, b int64) (int64, bool) {
	switch op {
	case expr.OpAdd:
		s := a + b
		return s, (s > a) == (b > 0)
	case expr.OpSub:
		d := a - b
		return d, (d < a) == (b > 0)
	case expr.OpMul:
		if a == 0 || b == 0 {
			return 0, true
		}
		p := a * b
		if p/b != a || (a == -1 && b == math.MinInt64) || (b == -1 && a == math.MinInt64) {
			return 0, false
		}
		return p, true
	case expr.OpMod:
		if b == 0 {
			return 0, false
		}
		return a % b, true
	}
	return 0, false
}

// floatArith follows IEEE 754. Division by zero is left to run time: the
// executor gives ±Inf or NaN where expr.Div's documentation promises NULL.
func floatArith(op expr.BinaryOp, a, b float64) (scalar.Scalar, bool) {
	switch op {
	case expr.OpAdd:
		return scalar.NewFloat64Scalar(a + b), true
	case expr.OpSub:
		return scalar.NewFloat64Scalar(a - b), true
	case expr.OpMul:
		return scalar.NewFloat64Scalar(a * b), true
	case expr.OpDiv:
		if b == 0 {
			return nil, false
		}
		return scalar.NewFloat64Scalar(a / b), true
	}
	return nil, false
}

// foldNeg negates a constant; the most negative integer has no negation.
func foldNeg(s scalar.Scalar) (scalar.Scalar, bool) {
	if !s.IsValid() {
		return s, true
	}
	switch v := s.(type) {
	case *scalar.Int8:
		return scalar.NewInt8Scalar(-v.Value), v.Value != math.MinInt8
	case *scalar.Int16:
		return scalar.NewInt16Scalar(-v.Value), v.Value != math.MinInt16
	case *scalar.Int32:
		return scalar.NewInt32Scalar(-v.Value), v.Value != math.MinInt32
	case *scalar.Int64:
		return scalar.NewInt64Scalar(-v.Value), v.Value != math.MinInt64
	case *scalar.Float32:
		return scalar.NewFloat32Scalar(-v.Value), true
	case *scalar.Float64:
		return scalar.NewFloat64Scalar(-v.Value), true
	}
	return nil, false
}

// foldIsIn evaluates x IN (list) in three-valued logic: TRUE on a match,
// else NULL when x or an item is NULL, else FALSE.
func foldIsIn(x scalar.Scalar, list []scalar.Scalar) (scalar.Scalar, bool) {
	if !x.IsValid() && len(list) > 0 {
		return nullBool().Value, true
	}
	sawNull := false
	for _, item := range list {
		if !item.IsValid() {
			sawNull = true
			continue
		}
		eq, ok := foldCompare(expr.OpEq, x, item)
		if !ok {
			return nil, false
		}
		if eq.(*scalar.Boolean).Value {
			return scalar.NewBooleanScalar(true), true
		}
	}
	if sawNull {
		return nullBool().Value, true
	}
	return scalar.NewBooleanScalar(false), true
}

func stringValue(s scalar.Scalar) (string, bool) {
	switch s.DataType().ID() {
	case arrow.STRING, arrow.LARGE_STRING:
		if b, ok := s.(scalar.BinaryScalar); ok {
			return string(b.Data()), true
		}
	}
	return "", false
}

func stringOf(v string, t arrow.DataType) scalar.Scalar {
	if t.ID() == arrow.LARGE_STRING {
		return scalar.NewLargeStringScalar(v)
	}
	return scalar.NewStringScalar(v)
}

// timeValue reads a date, or a timestamp in UTC or without a time zone.
func timeValue(s scalar.Scalar) (time.Time, bool) {
	switch v := s.(type) {
	case *scalar.Date32:
		return v.Value.ToTime(), true
	case *scalar.Date64:
		return v.Value.ToTime(), true
	case *scalar.Timestamp:
		dt := v.DataType().(*arrow.TimestampType)
		if dt.TimeZone != "" && dt.TimeZone != "UTC" {
			return time.Time{}, false
		}
		return v.Value.ToTime(dt.Unit).UTC(), true
	}
	return time.Time{}, false
}

// foldCall evaluates a scalar function whose arguments are all constants;
// out is the call's result type. NULL in gives NULL out. LIKE and substr
// are left to their kernels.
func foldCall(fn expr.ScalarFunc, args []scalar.Scalar, out arrow.DataType) (scalar.Scalar, bool) {
	switch fn {
	case expr.FnLower, expr.FnUpper, expr.FnLength, expr.FnContains, expr.FnStartsWith, expr.FnEndsWith,
		expr.FnYear, expr.FnMonth, expr.FnDay:
	default:
		return nil, false
	}
	for _, a := range args {
		if !a.IsValid() {
			return scalar.MakeNullScalar(out), true
		}
	}
	switch fn {
	case expr.FnYear, expr.FnMonth, expr.FnDay:
		t, ok := timeValue(args[0])
		if !ok {
			return nil, false
		}
		v := t.Year()
		switch fn {
		case expr.FnMonth:
			v = int(t.Month())
		case expr.FnDay:
			v = t.Day()
		}
		return scalar.NewInt64Scalar(int64(v)), true
	}
	s, ok := stringValue(args[0])
	if !ok {
		return nil, false
	}
	switch fn {
	case expr.FnLower, expr.FnUpper:
		// Both map rune by rune as the kernels do; the kernels keep invalid
		// UTF-8 bytes, which strings.Map would replace.
		if !utf8.ValidString(s) {
			return nil, false
		}
		if fn == expr.FnLower {
			return stringOf(strings.ToLower(s), out), true
		}
		return stringOf(strings.ToUpper(s), out), true
	case expr.FnLength:
		return scalar.NewInt64Scalar(int64(utf8.RuneCountInString(s))), true
	}
	if len(args) != 2 {
		return nil, false
	}
	p, ok := stringValue(args[1])
	if !ok {
		return nil, false
	}
	switch fn {
	case expr.FnContains:
		return scalar.NewBooleanScalar(strings.Contains(s, p)), true
	case expr.FnStartsWith:
		return scalar.NewBooleanScalar(strings.HasPrefix(s, p)), true
	case expr.FnEndsWith:
		return scalar.NewBooleanScalar(strings.HasSuffix(s, p)), true
	}
	return nil, false
}
