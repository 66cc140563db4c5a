package eval

import (
	"fmt"
	"math"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/bitutil"
	"github.com/apache/arrow-go/v18/arrow/compute"
	"github.com/apache/arrow-go/v18/arrow/memory"

	"lakeframe/errs"
	"lakeframe/expr"
)

// modulo is x % y with the sign of x, as in DuckDB and C: an integer
// remainder by zero is NULL, the most negative integer % -1 is an overflow
// error, and float remainders follow fmod (x % 0.0 is NaN). arrow-go has
// no modulo kernel.
func (e *evaluator) modulo(b *expr.Binary, l, r compute.Datum) (compute.Datum, error) {
	t := datumType(l)
	if isNullScalar(l) || isNullScalar(r) {
		return nullScalarOf(t), nil
	}
	la, err := e.kernelInput(b, l)
	if err != nil {
		return nil, err
	}
	defer la.Release()
	ra, err := e.kernelInput(b, r)
	if err != nil {
		return nil, err
	}
	defer ra.Release()
	n := max(la.Len(), ra.Len())
	// Rows with a zero divisor become NULL, so the bitmap is always made.
	valid := andValidity(e.mem, la, ra, n)
	if valid == nil {
		valid = newBitmap(e.mem, n)
		bitutil.SetBitsTo(valid.Bytes(), 0, int64(n), true)
	}
	values := newBuffer(e.mem, n*t.(arrow.FixedWidthDataType).BitWidth()/8)
	var overflow bool
	switch t.ID() {
	case arrow.INT8:
		overflow = modInts[int8](la, ra, values, valid, n, math.MinInt8)
	case arrow.INT16:
		overflow = modInts[int16](la, ra, values, valid, n, math.MinInt16)
	case arrow.INT32:
		overflow = modInts[int32](la, ra, values, valid, n, math.MinInt32)
	case arrow.INT64:
		overflow = modInts[int64](la, ra, values, valid, n, math.MinInt64)
	case arrow.UINT8:
		modInts[uint8](la, ra, values, valid, n, 0)
	case arrow.UINT16:
		modInts[uint16](la, ra, values, valid, n, 0)
	case arrow.UINT32:
		modInts[uint32](la, ra, values, valid, n, 0)
	case arrow.UINT64:
		modInts[uint64](la, ra, values, valid, n, 0)
	case arrow.FLOAT32:
		modFloats[float32](la, ra, values, n)
	case arrow.FLOAT64:
		modFloats[float64](la, ra, values, n)
	default:
		values.Release()
		valid.Release()
		return nil, fmt.Errorf("evaluate %s: %w: %% on %s", b, errs.ErrNotImplemented, t)
	}
	if overflow {
		values.Release()
		valid.Release()
		return nil, fmt.Errorf("evaluate %s: %w: integer overflow in modulo", b, errs.ErrExec)
	}
	return kernelOutput(b, newArray(t, n, valid, values), isScalar(l) && isScalar(r))
}

// modInts computes integer remainders, clearing the validity bit of rows
// whose divisor is zero. It reports an overflow (min % -1) in a valid row;
// minVal is 0 for unsigned types, which cannot overflow.
func modInts[T integer](l, r arrow.Array, values, valid *memory.Buffer, n int, minVal T) (overflow bool) {
	lv, rv := fixedValues[T](l), fixedValues[T](r)
	lm, rm := strideMask(l, n), strideMask(r, n)
	out := viewAs[T](values.Bytes())[:n]
	bits := valid.Bytes()
	minusOne := ^T(0) // -1 for signed types
	for i := range out {
		x, y := lv[i&lm], rv[i&rm]
		switch {
		case y == 0:
			out[i] = 0
			bitutil.ClearBit(bits, i)
			continue
		case minVal != 0 && y == minusOne && x == minVal && bitutil.BitIsSet(bits, i):
			overflow = true
		}
		out[i] = x % y
	}
	return overflow
}

func modFloats[T float](l, r arrow.Array, values *memory.Buffer, n int) {
	lv, rv := fixedValues[T](l), fixedValues[T](r)
	lm, rm := strideMask(l, n), strideMask(r, n)
	out := viewAs[T](values.Bytes())[:n]
	for i := range out {
		x, y := float64(lv[i&lm]), float64(rv[i&rm])
		if y == 0 || math.IsInf(x, 0) || x != x || y != y {
			// NaN, made by the hardware as C's fmod makes it, so that it
			// prints as DuckDB prints it ("-nan" on x86).
			out[i] = T((x * y) / (x * y))
			continue
		}
		out[i] = T(math.Mod(x, y))
	}
}
