package eval

import (
	"fmt"
	"math"
	"math/bits"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/bitutil"
	"github.com/apache/arrow-go/v18/arrow/compute"

	"lakeframe/errs"
	"lakeframe/expr"
)

// Integer +, -, * and negation are checked here rather than by arrow's
// checked kernels, which report overflow in NULL rows (whose hidden values
// are arbitrary) and miss it in x - MinInt64. The loops run without
// branches and check for overflow once at the end; only then does a second
// pass look for a valid row that overflowed.

// int64Arith evaluates l op r on Int64 operands.
func (e *evaluator) int64Arith(b *expr.Binary, l, r compute.Datum) (compute.Datum, error) {
	if isNullScalar(l) || isNullScalar(r) {
		return nullScalarOf(arrow.PrimitiveTypes.Int64), nil
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
	valid := andValidity(e.mem, la, ra, n)
	values := newBuffer(e.mem, n*8)
	out := viewAs[int64](values.Bytes())[:n]
	lv, rv := fixedValues[int64](la), fixedValues[int64](ra)
	lm, rm := strideMask(la, n), strideMask(ra, n)
	var overflow bool
	switch b.Op {
	case expr.OpAdd:
		overflow = addInt64(out, lv, rv, lm, rm, bitsOf(valid))
	case expr.OpSub:
		overflow = subInt64(out, lv, rv, lm, rm, bitsOf(valid))
	case expr.OpMul:
		overflow = mulInt64(out, lv, rv, lm, rm, bitsOf(valid))
	}
	if overflow {
		values.Release()
		if valid != nil {
			valid.Release()
		}
		return nil, fmt.Errorf("evaluate %s: %w: integer overflow", b, errs.ErrExec)
	}
	return kernelOutput(b, newArray(arrow.PrimitiveTypes.Int64, n, valid, values), isScalar(l) && isScalar(r))
}

func addInt64(out, l, r []int64, lm, rm int, valid []byte) bool {
	var ovf int64
	for i := range out {
		x, y := l[i&lm], r[i&rm]
		s := x + y
		out[i] = s
		ovf |= (x ^ s) & (y ^ s) // sign changed against both operands
	}
	if ovf >= 0 {
		return false
	}
	for i, s := range out {
		x, y := l[i&lm], r[i&rm]
		if (x^s)&(y^s) < 0 && (valid == nil || bitutil.BitIsSet(valid, i)) {
			return true
		}
	}
	return false
}

func subInt64(out, l, r []int64, lm, rm int, valid []byte) bool {
	var ovf int64
	for i := range out {
		x, y := l[i&lm], r[i&rm]
		d := x - y
		out[i] = d
		ovf |= (x ^ y) & (x ^ d) // operands differ in sign and the result left x's
	}
	if ovf >= 0 {
		return false
	}
	for i, d := range out {
		x, y := l[i&lm], r[i&rm]
		if (x^y)&(x^d) < 0 && (valid == nil || bitutil.BitIsSet(valid, i)) {
			return true
		}
	}
	return false
}

// mulOverflow is non-zero when x * y does not fit in 64 bits: the high word
// of the 128-bit signed product must be the sign extension of the low word.
func mulOverflow(x, y int64) (int64, int64) {
	hi, lo := bits.Mul64(uint64(x), uint64(y))
	shi := int64(hi) - (x>>63)&y - (y>>63)&x
	return int64(lo), shi ^ (int64(lo) >> 63)
}

func mulInt64(out, l, r []int64, lm, rm int, valid []byte) bool {
	var ovf int64
	for i := range out {
		p, o := mulOverflow(l[i&lm], r[i&rm])
		out[i] = p
		ovf |= o
	}
	if ovf == 0 {
		return false
	}
	for i := range out {
		if _, o := mulOverflow(l[i&lm], r[i&rm]); o != 0 && (valid == nil || bitutil.BitIsSet(valid, i)) {
			return true
		}
	}
	return false
}

// negateSigned evaluates -x for a signed integer type; the most negative
// value has no negation and is an overflow error, as in DuckDB.
func (e *evaluator) negateSigned(u *expr.Unary, in compute.Datum) (compute.Datum, error) {
	t := datumType(in)
	if isNullScalar(in) {
		return nullScalarOf(t), nil
	}
	arr, err := e.kernelInput(u, in)
	if err != nil {
		return nil, err
	}
	defer arr.Release()
	n := arr.Len()
	valid := validityOf(e.mem, arr)
	values := newBuffer(e.mem, n*t.(arrow.FixedWidthDataType).BitWidth()/8)
	var overflow bool
	switch t.ID() {
	case arrow.INT8:
		overflow = negate[int8](values.Bytes(), arr, bitsOf(valid), math.MinInt8)
	case arrow.INT16:
		overflow = negate[int16](values.Bytes(), arr, bitsOf(valid), math.MinInt16)
	case arrow.INT32:
		overflow = negate[int32](values.Bytes(), arr, bitsOf(valid), math.MinInt32)
	case arrow.INT64:
		overflow = negate[int64](values.Bytes(), arr, bitsOf(valid), math.MinInt64)
	}
	if overflow {
		values.Release()
		if valid != nil {
			valid.Release()
		}
		return nil, fmt.Errorf("evaluate %s: %w: integer overflow in negation", u, errs.ErrExec)
	}
	return kernelOutput(u, newArray(t, n, valid, values), isScalar(in))
}

func negate[T signed](dst []byte, in arrow.Array, valid []byte, minVal T) bool {
	src := fixedValues[T](in)
	out := viewAs[T](dst)[:len(src)]
	hit := false
	for i, x := range src {
		out[i] = -x
		hit = hit || x == minVal
	}
	if !hit {
		return false
	}
	for i, x := range src {
		if x == minVal && (valid == nil || bitutil.BitIsSet(valid, i)) {
			return true
		}
	}
	return false
}
