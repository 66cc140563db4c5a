package eval

import (
	"fmt"
	"strconv"
	"strings"
	"unsafe"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/bitutil"
	"github.com/apache/arrow-go/v18/arrow/compute"
	"github.com/apache/arrow-go/v18/arrow/decimal128"

	"lakeframe/errs"
	"lakeframe/expr"
)

// castStringToDecimal parses decimal text ("12.5", " -3 ", "1e2") into a
// Decimal128, rounding extra digits; a value that does not parse or does
// not fit the precision is an error. arrow-go has no such cast.
func (e *evaluator) castStringToDecimal(c *expr.Cast, in compute.Datum) (compute.Datum, error) {
	arr, err := e.kernelInput(c, in)
	if err != nil {
		return nil, err
	}
	defer arr.Release()
	dt := c.To.(*arrow.Decimal128Type)
	n := arr.Len()
	values := newBuffer(e.mem, 16*n)
	clear(values.Bytes())
	var out []decimal128.Num
	if n > 0 {
		out = unsafe.Slice((*decimal128.Num)(unsafe.Pointer(unsafe.SliceData(values.Bytes()))), n)
	}
	var bad string
	switch a := arr.(type) {
	case *array.String:
		bad = parseDecimals(out, a.ValueOffsets(), stringData(a), a, dt)
	case *array.LargeString:
		bad = parseDecimals(out, a.ValueOffsets(), stringData(a), a, dt)
	default:
		values.Release()
		return nil, fmt.Errorf("evaluate %s: %w: cast from %s", c, errs.ErrInternal, arr.DataType())
	}
	if bad != "" {
		values.Release()
		return nil, fmt.Errorf("evaluate %s: %w: cannot convert %s to %s", c, errs.ErrExec, bad, dt)
	}
	return kernelOutput(c, newArray(dt, n, validityOf(e.mem, arr), values), isScalar(in))
}

// parseDecimals fills out from the valid rows of a string array and returns
// the first value that does not convert, quoted, or "".
func parseDecimals[O int32 | int64](out []decimal128.Num, offsets []O, data []byte, arr arrow.Array, dt *arrow.Decimal128Type) string {
	var valid []byte
	if arr.NullN() > 0 {
		valid = arr.NullBitmapBytes()
	}
	off := arr.Data().Offset()
	for i := range out {
		if valid != nil && !bitutil.BitIsSet(valid, off+i) {
			continue
		}
		s := stringAt(offsets, data, i)
		v, err := decimal128.FromString(strings.TrimSpace(s), dt.Precision, dt.Scale)
		if err != nil || !v.FitsInPrecision(dt.Precision) {
			return strconv.Quote(s)
		}
		out[i] = v
	}
	return ""
}
