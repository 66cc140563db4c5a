package eval

import (
	"context"
	"fmt"
	"math"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/compute"
	"github.com/apache/arrow-go/v18/arrow/scalar"

	"lakeframe/errs"
	"lakeframe/exec/kernel"
	"lakeframe/expr"
)

// arithmetic evaluates +, -, *, / and % on operands of one numeric type,
// and date/timestamp +/- interval.
func (e *evaluator) arithmetic(ctx context.Context, b *expr.Binary, l, r compute.Datum) (compute.Datum, error) {
	lt, rt := datumType(l), datumType(r)
	if rt.ID() == arrow.INTERVAL_MONTH_DAY_NANO {
		return e.dateArithmetic(b, l, r)
	}
	if b.Op == expr.OpDiv {
		return divide(ctx, b, l, r)
	}
	if !arrow.TypeEqual(lt, rt) {
		return nil, fmt.Errorf("evaluate %s: %w: operands have types %s and %s; the tree is not resolved", b, errs.ErrInternal, lt, rt)
	}
	var fn string
	switch b.Op {
	case expr.OpAdd:
		fn = "add"
	case expr.OpSub:
		fn = "subtract"
	case expr.OpMul:
		fn = "multiply"
	case expr.OpMod:
		return e.modulo(b, l, r)
	default:
		return nil, fmt.Errorf("evaluate %s: %w: %s is not arithmetic", b, errs.ErrInternal, b.Op)
	}
	if lt.ID() == arrow.INT64 {
		return e.int64Arith(b, l, r)
	}
	// arrow's plain names check integer overflow (Resolve leaves only
	// Int64, above, but a tree built by hand may hold others); floats
	// overflow to ±Inf as IEEE 754 says and take the unchecked loop.
	if isFloat(lt) {
		fn += "_unchecked"
	}
	return callFn(ctx, b, fn, nil, l, r)
}

// divide is float division: Resolve makes both operands float64, so x / 0
// is ±Inf and 0 / 0 NaN (as in DuckDB). Other operands, which a resolved
// tree does not hold, are converted to float64 first.
func divide(ctx context.Context, b *expr.Binary, l, r compute.Datum) (compute.Datum, error) {
	args := []compute.Datum{l, r}
	for i, d := range args {
		if t := datumType(d); !isFloat(t) || !arrow.TypeEqual(t, datumType(args[1-i])) {
			f, err := compute.CastDatum(ctx, d, castOptions(datumType(d), arrow.PrimitiveTypes.Float64))
			if err != nil {
				return nil, wrapErr(b, err)
			}
			defer f.Release()
			args[i] = f
		}
	}
	return callFn(ctx, b, "divide_unchecked", nil, args...)
}

// dateArithmetic moves dates and timestamps by a constant interval.
func (e *evaluator) dateArithmetic(b *expr.Binary, l, r compute.Datum) (compute.Datum, error) {
	lt := datumType(l)
	if b.Op != expr.OpAdd && b.Op != expr.OpSub {
		return nil, fmt.Errorf("evaluate %s: %w: %s with an interval", b, errs.ErrInternal, b.Op)
	}
	if !isScalar(r) {
		return nil, fmt.Errorf("evaluate %s: %w: intervals that vary by row", b, errs.ErrNotImplemented)
	}
	if isNullScalar(l) || isNullScalar(r) {
		return nullScalarOf(lt), nil
	}
	iv := scalarOf(r).(*scalar.MonthDayNanoInterval).Value
	if b.Op == expr.OpSub {
		if iv.Months == math.MinInt32 || iv.Days == math.MinInt32 || iv.Nanoseconds == math.MinInt64 {
			return nil, fmt.Errorf("evaluate %s: %w: interval out of range", b, errs.ErrExec)
		}
		iv = arrow.MonthDayNanoInterval{Months: -iv.Months, Days: -iv.Days, Nanoseconds: -iv.Nanoseconds}
	}
	in, err := e.kernelInput(b, l)
	if err != nil {
		return nil, err
	}
	defer in.Release()
	out, err := kernel.DateAdd(e.mem, in, iv)
	if err != nil {
		return nil, wrapErr(b, err)
	}
	return kernelOutput(b, out, isScalar(l))
}
