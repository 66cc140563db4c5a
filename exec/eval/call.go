package eval

import (
	"context"
	"fmt"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/compute"
	"github.com/apache/arrow-go/v18/arrow/memory"
	"github.com/apache/arrow-go/v18/arrow/scalar"

	"lakeframe/errs"
	"lakeframe/exec/kernel"
	"lakeframe/expr"
)

// call evaluates a scalar function with lakeframe's kernels. Arguments
// after the first of string functions are literals (Resolve checks it).
func (e *evaluator) call(ctx context.Context, c *expr.Call) (compute.Datum, error) {
	if c.Fn == expr.FnCoalesce {
		return e.coalesce(ctx, c)
	}
	if len(c.Args) == 0 {
		return nil, fmt.Errorf("evaluate %s: %w: no arguments", c, errs.ErrInternal)
	}
	var fn func(memory.Allocator, arrow.Array) (arrow.Array, error)
	switch c.Fn {
	case expr.FnContains, expr.FnStartsWith, expr.FnEndsWith, expr.FnLike:
		pattern, ok, err := stringArg(c, 1)
		if err != nil {
			return nil, err
		}
		if !ok {
			return nullScalarOf(arrow.FixedWidthTypes.Boolean), nil
		}
		fn = patternKernel(c.Fn, pattern)
	case expr.FnLower:
		fn = kernel.Lower
	case expr.FnUpper:
		fn = kernel.Upper
	case expr.FnLength:
		fn = kernel.Length
	case expr.FnSubstr:
		return e.substr(ctx, c)
	case expr.FnYear:
		fn = kernel.Year
	case expr.FnMonth:
		fn = kernel.Month
	case expr.FnDay:
		fn = kernel.Day
	case expr.FnAbs, expr.FnSign, expr.FnFloor, expr.FnCeil, expr.FnSqrt, expr.FnExp, expr.FnLn, expr.FnLog10,
		expr.FnIsNaN, expr.FnIsFinite:
		fn = mathKernels[c.Fn]
	case expr.FnRound:
		digits, ok, err := intArg(c, 1)
		if err != nil {
			return nil, err
		}
		if !ok {
			return nil, fmt.Errorf("evaluate %s: %w: the digits of round are NULL", c, errs.ErrInternal)
		}
		fn = func(mem memory.Allocator, in arrow.Array) (arrow.Array, error) { return kernel.Round(mem, in, digits) }
	case expr.FnTrim, expr.FnLTrim, expr.FnRTrim, expr.FnReverse, expr.FnPadStart, expr.FnPadEnd,
		expr.FnReplace, expr.FnSplit, expr.FnRegexMatch, expr.FnRegexExtract, expr.FnRegexReplace:
		var err error
		if fn, err = stringKernel(c); err != nil {
			return nil, err
		}
	case expr.FnHour, expr.FnMinute, expr.FnSecond, expr.FnWeekday, expr.FnQuarter, expr.FnDayOfYear:
		part := c.Fn
		fn = func(mem memory.Allocator, in arrow.Array) (arrow.Array, error) { return kernel.TimePart(mem, in, part) }
	case expr.FnStrftime, expr.FnStrptime:
		format, ok, err := stringArg(c, 1)
		if err != nil {
			return nil, err
		}
		if !ok {
			return nil, fmt.Errorf("evaluate %s: %w: the format is NULL", c, errs.ErrInternal)
		}
		parse := c.Fn == expr.FnStrptime
		fn = func(mem memory.Allocator, in arrow.Array) (arrow.Array, error) {
			if parse {
				return kernel.Strptime(mem, in, format)
			}
			return kernel.Strftime(mem, in, format)
		}
	case expr.FnDateTrunc:
		unit, err := unitArg(c, 1)
		if err != nil {
			return nil, err
		}
		fn = func(mem memory.Allocator, in arrow.Array) (arrow.Array, error) {
			return kernel.DateTrunc(mem, in, unit)
		}
	case expr.FnDateDiff:
		unit, err := unitArg(c, 2)
		if err != nil {
			return nil, err
		}
		return e.naryKernel(ctx, c, func(mem memory.Allocator, arrs []arrow.Array) (arrow.Array, error) {
			return kernel.DateDiff(mem, arrs[0], arrs[1], unit)
		})
	case expr.FnConcat:
		return e.naryKernel(ctx, c, func(mem memory.Allocator, arrs []arrow.Array) (arrow.Array, error) {
			return kernel.Concat(mem, arrs...)
		})
	case expr.FnLog:
		return e.binaryKernel(ctx, c, kernel.Log)
	case expr.FnPow:
		return e.binaryKernel(ctx, c, kernel.Pow)
	default:
		return nil, fmt.Errorf("evaluate %s: %w: unknown function %d", c, errs.ErrInternal, c.Fn)
	}
	return e.unaryKernel(ctx, c, fn)
}

func patternKernel(fn expr.ScalarFunc, pattern string) func(memory.Allocator, arrow.Array) (arrow.Array, error) {
	return func(mem memory.Allocator, in arrow.Array) (arrow.Array, error) {
		switch fn {
		case expr.FnContains:
			return kernel.Contains(mem, in, pattern)
		case expr.FnStartsWith:
			return kernel.StartsWith(mem, in, pattern)
		case expr.FnEndsWith:
			return kernel.EndsWith(mem, in, pattern)
		}
		// LIKE has no escape character unless one is given, as in DuckDB.
		return kernel.Like(mem, in, pattern, 0)
	}
}

// unaryKernel applies fn to the first argument of c.
func (e *evaluator) unaryKernel(ctx context.Context, c *expr.Call, fn func(memory.Allocator, arrow.Array) (arrow.Array, error)) (compute.Datum, error) {
	in, err := e.eval(ctx, c.Args[0])
	if err != nil {
		return nil, err
	}
	defer in.Release()
	arr, err := e.kernelInput(c, in)
	if err != nil {
		return nil, err
	}
	defer arr.Release()
	out, err := fn(e.mem, arr)
	if err != nil {
		return nil, wrapErr(c, err)
	}
	return kernelOutput(c, out, isScalar(in))
}

// substr is substr(s, start[, length]); a NULL start or length gives NULL.
func (e *evaluator) substr(ctx context.Context, c *expr.Call) (compute.Datum, error) {
	if len(c.Args) < 2 || len(c.Args) > 3 {
		return nil, fmt.Errorf("evaluate %s: %w: substr takes 2 or 3 arguments, got %d", c, errs.ErrInternal, len(c.Args))
	}
	start, ok, err := intArg(c, 1)
	if err != nil {
		return nil, err
	}
	length, hasLength := int64(0), len(c.Args) == 3
	if ok && hasLength {
		length, ok, err = intArg(c, 2)
		if err != nil {
			return nil, err
		}
	}
	if !ok {
		t, err := e.typeOf(c.Args[0])
		if err != nil {
			return nil, err
		}
		return nullScalarOf(t), nil
	}
	return e.unaryKernel(ctx, c, func(mem memory.Allocator, in arrow.Array) (arrow.Array, error) {
		if hasLength {
			return kernel.Substr(mem, in, start, length)
		}
		return kernel.SubstrFrom(mem, in, start)
	})
}

// coalesce returns, per row, the first non-NULL argument.
func (e *evaluator) coalesce(ctx context.Context, c *expr.Call) (compute.Datum, error) {
	args := make([]compute.Datum, 0, len(c.Args))
	defer func() { releaseAll(args) }()
	rows := int(e.batch.NumRows())
	for _, a := range c.Args {
		d, err := e.eval(ctx, a)
		if err != nil {
			// Only rows where every earlier argument is NULL need this one.
			need := allRows(rows)
			for _, prev := range args {
				need = need.and(rowsWhere(prev, rows, false, true))
			}
			if d, err = e.retryOn(ctx, a, need, err); err != nil {
				return nil, err
			}
		}
		args = append(args, d)
	}
	constant := true
	for _, d := range args {
		constant = constant && isScalar(d)
	}
	return e.choose(c, args, constant, func(arrs []arrow.Array) (arrow.Array, error) {
		return kernel.Coalesce(e.mem, arrs...)
	})
}

// choose runs a kernel that picks each row from one of several values of
// one type (Coalesce, CaseWhen): the values become kernel inputs, and the
// result is a constant when every input is (the caller says). When every
// value is of the Null type the result is simply NULL.
func (e *evaluator) choose(n expr.Node, args []compute.Datum, constant bool, fn func([]arrow.Array) (arrow.Array, error)) (compute.Datum, error) {
	allNull := true
	for _, d := range args {
		allNull = allNull && isNullType(d)
	}
	if allNull {
		return nullScalarOf(arrow.Null), nil
	}
	arrs := make([]arrow.Array, 0, len(args))
	defer func() {
		for _, a := range arrs {
			a.Release()
		}
	}()
	for _, d := range args {
		a, err := e.kernelInput(n, d)
		if err != nil {
			return nil, err
		}
		arrs = append(arrs, a)
	}
	out, err := fn(arrs)
	if err != nil {
		return nil, wrapErr(n, err)
	}
	return kernelOutput(n, out, constant)
}

// typeOf is the type of a resolved node against the batch.
func (e *evaluator) typeOf(n expr.Node) (arrow.DataType, error) {
	t, err := expr.TypeOf(n, e.batch.Schema())
	if err != nil {
		return nil, fmt.Errorf("evaluate %s: %w: %w", n, errs.ErrInternal, err)
	}
	return t, nil
}

// literalArg returns argument i of c, which must be a literal; ok is false
// when it is NULL.
func literalArg(c *expr.Call, i int) (scalar.Scalar, bool, error) {
	if i >= len(c.Args) {
		return nil, false, fmt.Errorf("evaluate %s: %w: missing argument %d", c, errs.ErrInternal, i+1)
	}
	lit, isLit := c.Args[i].(*expr.Literal)
	if !isLit {
		return nil, false, fmt.Errorf("evaluate %s: %w: argument %d is not a literal", c, errs.ErrNotImplemented, i+1)
	}
	return lit.Value, lit.Value.IsValid(), nil
}

func stringArg(c *expr.Call, i int) (string, bool, error) {
	v, ok, err := literalArg(c, i)
	if err != nil || !ok {
		return "", ok, err
	}
	switch s := v.(type) {
	case *scalar.String:
		return string(s.Data()), true, nil
	case *scalar.LargeString:
		return string(s.Data()), true, nil
	}
	return "", false, fmt.Errorf("evaluate %s: %w: argument %d is %s, not a string", c, errs.ErrInternal, i+1, v.DataType())
}

func intArg(c *expr.Call, i int) (int64, bool, error) {
	v, ok, err := literalArg(c, i)
	if err != nil || !ok {
		return 0, ok, err
	}
	if !isInteger(v.DataType()) {
		return 0, false, fmt.Errorf("evaluate %s: %w: argument %d is %s, not an integer", c, errs.ErrInternal, i+1, v.DataType())
	}
	n, err := v.CastTo(arrow.PrimitiveTypes.Int64)
	if err != nil {
		return 0, false, fmt.Errorf("evaluate %s: %w: argument %d: %w", c, errs.ErrExec, i+1, err)
	}
	return n.(*scalar.Int64).Value, true, nil
}

// unitArg reads the TimeUnit constant at argument i of c.
func unitArg(c *expr.Call, i int) (expr.TimeUnit, error) {
	v, ok, err := intArg(c, i)
	if err != nil {
		return 0, err
	}
	if !ok || v < int64(expr.UnitYear) || v > int64(expr.UnitMicrosecond) {
		return 0, fmt.Errorf("evaluate %s: %w: argument %d is not a time unit", c, errs.ErrInternal, i+1)
	}
	return expr.TimeUnit(v), nil
}
