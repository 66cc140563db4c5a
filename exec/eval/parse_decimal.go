package eval

import (
	"fmt"
	"strings"
	"unsafe"

	"github.com/apache/arrow-go/v18/arrow"
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
	bad, err := parseRows(arr, func(i int, s string) bool {
		v, err := decimal128.FromString(strings.TrimSpace(s), dt.Precision, dt.Scale)
		out[i] = v
		return err == nil && v.FitsInPrecision(dt.Precision)
	})
	if err != nil {
		values.Release()
		return nil, fmt.Errorf("evaluate %s: %w: %w", c, errs.ErrInternal, err)
	}
	if bad != "" {
		values.Release()
		return nil, fmt.Errorf("evaluate %s: %w: cannot convert %s to %s", c, errs.ErrExec, bad, dt)
	}
	return kernelOutput(c, newArray(dt, n, validityOf(e.mem, arr), values), isScalar(in))
}
