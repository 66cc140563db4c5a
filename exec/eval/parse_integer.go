package eval

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"unsafe"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/compute"

	"lakeframe/errs"
	"lakeframe/expr"
)

// castStringToInteger parses text as base-10 integers, as SQL engines do:
// arrow-go's cast reads a leading 0 as octal ('010' is 8) and 0x as hex.
// Surrounding spaces are allowed. Values are parsed as 64-bit integers
// (unsigned for unsigned targets) and then cast, which checks the range.
func (e *evaluator) castStringToInteger(ctx context.Context, c *expr.Cast, in compute.Datum) (compute.Datum, error) {
	arr, err := e.kernelInput(c, in)
	if err != nil {
		return nil, err
	}
	defer arr.Release()
	wide := arrow.DataType(arrow.PrimitiveTypes.Int64)
	if isUnsigned(c.To) {
		wide = arrow.PrimitiveTypes.Uint64
	}
	n := arr.Len()
	values := newBuffer(e.mem, 8*n)
	clear(values.Bytes())
	var out []uint64
	if n > 0 {
		out = unsafe.Slice((*uint64)(unsafe.Pointer(unsafe.SliceData(values.Bytes()))), n)
	}
	unsigned := isUnsigned(c.To)
	bad, err := parseRows(arr, func(i int, s string) bool {
		t := strings.TrimSpace(s)
		if unsigned {
			v, err := strconv.ParseUint(strings.TrimPrefix(t, "+"), 10, 64)
			out[i] = v
			return err == nil
		}
		v, err := strconv.ParseInt(t, 10, 64)
		out[i] = uint64(v)
		return err == nil
	})
	if err != nil {
		values.Release()
		return nil, fmt.Errorf("evaluate %s: %w: %w", c, errs.ErrInternal, err)
	}
	if bad != "" {
		values.Release()
		return nil, fmt.Errorf("evaluate %s: %w: cannot convert %s to %s", c, errs.ErrExec, bad, c.To)
	}
	parsed, err := kernelOutput(c, newArray(wide, n, validityOf(e.mem, arr), values), isScalar(in))
	if err != nil || arrow.TypeEqual(wide, c.To) {
		return parsed, err
	}
	defer parsed.Release()
	narrow, err := compute.CastDatum(ctx, parsed, compute.SafeCastOptions(c.To))
	if err != nil {
		return nil, wrapErr(c, err)
	}
	return narrow, nil
}
