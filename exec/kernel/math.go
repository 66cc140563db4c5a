package kernel

import (
	"fmt"
	"math"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/bitutil"
	"github.com/apache/arrow-go/v18/arrow/memory"

	"lakeframe/errs"
)

// Sqrt returns the square root of each Float64; a negative value is an
// error, as in DuckDB. Null rows give null.
func Sqrt(mem memory.Allocator, in arrow.Array) (arrow.Array, error) {
	return mapFloat64(mem, "sqrt", in, math.Sqrt, func(x float64) error {
		if x < 0 {
			return fmt.Errorf("cannot take the square root of a negative number (%v): %w", x, errs.ErrExec)
		}
		return nil
	})
}

// Exp returns e raised to each Float64.
func Exp(mem memory.Allocator, in arrow.Array) (arrow.Array, error) {
	return mapFloat64(mem, "exp", in, math.Exp, nil)
}

// Ln returns the natural logarithm of each Float64; zero or a negative
// value is an error, as in DuckDB.
func Ln(mem memory.Allocator, in arrow.Array) (arrow.Array, error) {
	return mapFloat64(mem, "ln", in, math.Log, logDomain)
}

// Log10 returns the base-10 logarithm of each Float64, with Ln's domain.
func Log10(mem memory.Allocator, in arrow.Array) (arrow.Array, error) {
	return mapFloat64(mem, "log10", in, math.Log10, logDomain)
}

func logDomain(x float64) error {
	switch {
	case x == 0:
		return fmt.Errorf("cannot take the logarithm of zero: %w", errs.ErrExec)
	case x < 0:
		return fmt.Errorf("cannot take the logarithm of a negative number (%v): %w", x, errs.ErrExec)
	}
	return nil
}

// mapFloat64 applies f to the valid rows of a Float64 array after domain
// (nil for none) accepted each of them.
func mapFloat64(mem memory.Allocator, fn string, in arrow.Array, f func(float64) float64, domain func(float64) error) (arrow.Array, error) {
	a, ok := in.(*array.Float64)
	if !ok {
		return nil, errUnsupported(fn, in.DataType())
	}
	n := in.Len()
	vals := a.Float64Values()
	bits, off := nullBitmap(in), in.Data().Offset()
	if domain != nil {
		for i, x := range vals {
			if isValid(bits, off, i) {
				if err := domain(x); err != nil {
					return nil, fmt.Errorf("%s: %w", fn, err)
				}
			}
		}
	}
	out := allocBuffer(mem, n*8)
	dst := viewAs[float64](out.Bytes())[:n]
	for i, x := range vals {
		dst[i] = f(x)
	}
	validity, nulls := validityOf(mem, in)
	return makeArray(arrow.PrimitiveTypes.Float64, n, []*memory.Buffer{validity, out}, nulls), nil
}

// Pow raises each x to the power y, both Float64 (either may have length
// 1 and stand for a constant). A null on either side gives null.
func Pow(mem memory.Allocator, x, y arrow.Array) (arrow.Array, error) {
	return binaryFloat64(mem, "pow", x, y, math.Pow, nil)
}

// Log returns the logarithm of each x to base b, both Float64: ln(x)/ln(b).
// Besides Ln's domain for x and b, base 1 is an error, as in DuckDB.
func Log(mem memory.Allocator, x, base arrow.Array) (arrow.Array, error) {
	return binaryFloat64(mem, "log", x, base, func(x, b float64) float64 { return math.Log(x) / math.Log(b) },
		func(x, b float64) error {
			if err := logDomain(b); err != nil {
				return fmt.Errorf("base: %w", err)
			}
			if b == 1 {
				return fmt.Errorf("a logarithm to base 1 divides by zero: %w", errs.ErrExec)
			}
			return logDomain(x)
		})
}

func binaryFloat64(mem memory.Allocator, fn string, x, y arrow.Array, f func(a, b float64) float64, domain func(a, b float64) error) (arrow.Array, error) {
	xa, ok := x.(*array.Float64)
	if !ok {
		return nil, errUnsupported(fn, x.DataType())
	}
	ya, ok := y.(*array.Float64)
	if !ok {
		return nil, errUnsupported(fn, y.DataType())
	}
	n, err := checkLengths(fn, x, y)
	if err != nil {
		return nil, err
	}
	xs, ys := stride(x, n), stride(y, n)
	xv, yv := xa.Float64Values(), ya.Float64Values()
	validity := allocBitmap(mem, n)
	vbits := validity.Bytes()
	xb, xo, yb, yo := nullBitmap(x), x.Data().Offset(), nullBitmap(y), y.Data().Offset()
	out := allocBuffer(mem, n*8)
	dst := viewAs[float64](out.Bytes())[:n]
	nulls := 0
	for i := range n {
		if !isValid(xb, xo, i*xs) || !isValid(yb, yo, i*ys) {
			nulls++
			dst[i] = 0
			continue
		}
		a, b := xv[i*xs], yv[i*ys]
		if domain != nil {
			if err := domain(a, b); err != nil {
				releaseBuffers(validity, out)
				return nil, fmt.Errorf("%s: %w", fn, err)
			}
		}
		bitutil.SetBit(vbits, i)
		dst[i] = f(a, b)
	}
	if nulls == 0 {
		validity.Release()
		validity = nil
	}
	return makeArray(arrow.PrimitiveTypes.Float64, n, []*memory.Buffer{validity, out}, nulls), nil
}

// IsNaN is true where a Float64 is NaN; null rows give null.
func IsNaN(mem memory.Allocator, in arrow.Array) (arrow.Array, error) {
	return floatTest(mem, "isnan", in, math.IsNaN)
}

// IsFinite is true where a Float64 is neither infinite nor NaN.
func IsFinite(mem memory.Allocator, in arrow.Array) (arrow.Array, error) {
	return floatTest(mem, "isfinite", in, func(x float64) bool { return !math.IsInf(x, 0) && !math.IsNaN(x) })
}

func floatTest(mem memory.Allocator, fn string, in arrow.Array, test func(float64) bool) (arrow.Array, error) {
	a, ok := in.(*array.Float64)
	if !ok {
		return nil, errUnsupported(fn, in.DataType())
	}
	n := in.Len()
	out := allocBitmap(mem, n)
	bits := out.Bytes()
	for i, x := range a.Float64Values() {
		if test(x) {
			bitutil.SetBit(bits, i)
		}
	}
	validity, nulls := validityOf(mem, in)
	if validity != nil {
		clearNullBits(bits, validity.Bytes(), n)
	}
	return makeArray(arrow.FixedWidthTypes.Boolean, n, []*memory.Buffer{validity, out}, nulls), nil
}
