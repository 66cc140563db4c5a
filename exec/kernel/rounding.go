package kernel

import (
	"fmt"
	"math"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/decimal128"
	"github.com/apache/arrow-go/v18/arrow/memory"

	"lakeframe/errs"
)

type signedInt interface {
	~int8 | ~int16 | ~int32 | ~int64
}
type unsignedInt interface {
	~uint8 | ~uint16 | ~uint32 | ~uint64
}

// typedValues views the values of a fixed-width array as T, from its
// offset; an all-null array without a value buffer gives zeros.
func typedValues[T any](in arrow.Array) []T {
	n := in.Len()
	buf := in.Data().Buffers()[1]
	if buf == nil {
		return make([]T, n)
	}
	off := in.Data().Offset()
	return viewAs[T](buf.Bytes())[off : off+n]
}

// mapNumbers builds an array of type dt with one O per input row, from
// f over the input's values as I; f sees every row, null or not, and
// reports an error only for a valid row.
func mapNumbers[I, O any](mem memory.Allocator, dt arrow.DataType, in arrow.Array, f func(I) (O, error)) (arrow.Array, error) {
	n := in.Len()
	vals := typedValues[I](in)
	out := allocBuffer(mem, n*sizeOf[O]())
	dst := viewAs[O](out.Bytes())[:n]
	bits, off := nullBitmap(in), in.Data().Offset()
	for i, v := range vals {
		r, err := f(v)
		if err != nil {
			if !isValid(bits, off, i) {
				var zero O
				dst[i] = zero
				continue
			}
			out.Release()
			return nil, err
		}
		dst[i] = r
	}
	validity, nulls := validityOf(mem, in)
	return makeArray(dt, n, []*memory.Buffer{validity, out}, nulls), nil
}

// Abs returns the absolute value of each number, keeping its type. The
// smallest value of a signed integer type has none in that type: an error,
// as in DuckDB.
func Abs(mem memory.Allocator, in arrow.Array) (arrow.Array, error) {
	dt := in.DataType()
	switch dt.ID() {
	case arrow.INT8:
		return mapNumbers(mem, dt, in, absInt[int8])
	case arrow.INT16:
		return mapNumbers(mem, dt, in, absInt[int16])
	case arrow.INT32:
		return mapNumbers(mem, dt, in, absInt[int32])
	case arrow.INT64:
		return mapNumbers(mem, dt, in, absInt[int64])
	case arrow.UINT8, arrow.UINT16, arrow.UINT32, arrow.UINT64:
		in.Retain()
		return in, nil
	case arrow.FLOAT32:
		return mapNumbers(mem, dt, in, func(x float32) (float32, error) { return float32(math.Abs(float64(x))), nil })
	case arrow.FLOAT64:
		return mapNumbers(mem, dt, in, func(x float64) (float64, error) { return math.Abs(x), nil })
	case arrow.DECIMAL128:
		return mapNumbers(mem, dt, in, func(x decimal128.Num) (decimal128.Num, error) { return x.Abs(), nil })
	}
	return nil, errUnsupported("abs", dt)
}

func absInt[T signedInt](x T) (T, error) {
	if x >= 0 {
		return x, nil
	}
	if -x < 0 {
		return 0, fmt.Errorf("abs: %d has no absolute value of its type: %w", x, errs.ErrExec)
	}
	return -x, nil
}

// Sign returns -1, 0 or 1 for each number as Int8; NaN and -0.0 give 0.
func Sign(mem memory.Allocator, in arrow.Array) (arrow.Array, error) {
	i8 := arrow.PrimitiveTypes.Int8
	switch in.DataType().ID() {
	case arrow.INT8:
		return mapNumbers(mem, i8, in, signOf[int8])
	case arrow.INT16:
		return mapNumbers(mem, i8, in, signOf[int16])
	case arrow.INT32:
		return mapNumbers(mem, i8, in, signOf[int32])
	case arrow.INT64:
		return mapNumbers(mem, i8, in, signOf[int64])
	case arrow.UINT8:
		return mapNumbers(mem, i8, in, signOf[uint8])
	case arrow.UINT16:
		return mapNumbers(mem, i8, in, signOf[uint16])
	case arrow.UINT32:
		return mapNumbers(mem, i8, in, signOf[uint32])
	case arrow.UINT64:
		return mapNumbers(mem, i8, in, signOf[uint64])
	case arrow.FLOAT32:
		return mapNumbers(mem, i8, in, signOf[float32])
	case arrow.FLOAT64:
		return mapNumbers(mem, i8, in, signOf[float64])
	case arrow.DECIMAL128:
		return mapNumbers(mem, i8, in, func(x decimal128.Num) (int8, error) { return int8(x.Sign()), nil })
	}
	return nil, errUnsupported("sign", in.DataType())
}

func signOf[T signedInt | unsignedInt | ~float32 | ~float64](x T) (int8, error) {
	switch {
	case x > 0:
		return 1, nil
	case x < 0:
		return -1, nil
	}
	return 0, nil // zero, -0.0 and NaN
}

// Floor rounds each Float32, Float64 or Decimal128 down to an integral
// value; a decimal's result has scale 0 and the same precision.
func Floor(mem memory.Allocator, in arrow.Array) (arrow.Array, error) {
	return floorCeil(mem, "floor", in, math.Floor, false)
}

// Ceil rounds each Float32, Float64 or Decimal128 up, as Floor.
func Ceil(mem memory.Allocator, in arrow.Array) (arrow.Array, error) {
	return floorCeil(mem, "ceil", in, math.Ceil, true)
}

func floorCeil(mem memory.Allocator, fn string, in arrow.Array, f func(float64) float64, up bool) (arrow.Array, error) {
	dt := in.DataType()
	switch dt.ID() {
	case arrow.FLOAT32:
		return mapNumbers(mem, dt, in, func(x float32) (float32, error) { return float32(f(float64(x))), nil })
	case arrow.FLOAT64:
		return mapNumbers(mem, dt, in, func(x float64) (float64, error) { return f(x), nil })
	case arrow.DECIMAL128:
		d := dt.(*arrow.Decimal128Type)
		out := &arrow.Decimal128Type{Precision: d.Precision}
		div := decimal128.GetScaleMultiplier(int(d.Scale))
		return mapNumbers(mem, out, in, func(x decimal128.Num) (decimal128.Num, error) {
			q, r := divDecimal(x, div, d.Scale)
			switch {
			case up && r.Sign() > 0:
				q = q.Add(decimal128.FromI64(1))
			case !up && r.Sign() < 0:
				q = q.Sub(decimal128.FromI64(1))
			}
			return q, nil
		})
	}
	return nil, errUnsupported(fn, dt)
}

// divDecimal divides x by div = 10^scale, truncating toward zero, in
// int64 when x fits (decimals of precision up to 18 always do).
func divDecimal(x, div decimal128.Num, scale int32) (q, r decimal128.Num) {
	if scale == 0 {
		return x, decimal128.Num{}
	}
	if fitsInt64(x) && scale <= 18 {
		v, d := int64(x.LowBits()), int64(div.LowBits())
		return decimal128.FromI64(v / d), decimal128.FromI64(v % d)
	}
	return x.Div(div)
}

func fitsInt64(x decimal128.Num) bool { return x.HighBits() == int64(x.LowBits())>>63 }

// Round rounds each number to digits decimal places, halves away from
// zero, as DuckDB does. Integers keep their type (negative digits round to
// tens, hundreds, ...; a result out of the type's range is an error).
// Floats keep their type and are rounded as round(x*10^d)/10^d (for
// negative digits round(x/10^-d)*10^-d), keeping x where that overflows.
// A Decimal128 of scale s gets scale min(max(digits, 0), s).
func Round(mem memory.Allocator, in arrow.Array, digits int64) (arrow.Array, error) {
	dt := in.DataType()
	switch dt.ID() {
	case arrow.INT8:
		return mapNumbers(mem, dt, in, roundSigned[int8](digits, math.MinInt8, math.MaxInt8))
	case arrow.INT16:
		return mapNumbers(mem, dt, in, roundSigned[int16](digits, math.MinInt16, math.MaxInt16))
	case arrow.INT32:
		return mapNumbers(mem, dt, in, roundSigned[int32](digits, math.MinInt32, math.MaxInt32))
	case arrow.INT64:
		return mapNumbers(mem, dt, in, roundSigned[int64](digits, math.MinInt64, math.MaxInt64))
	case arrow.UINT8:
		return mapNumbers(mem, dt, in, roundUnsigned[uint8](digits, math.MaxUint8))
	case arrow.UINT16:
		return mapNumbers(mem, dt, in, roundUnsigned[uint16](digits, math.MaxUint16))
	case arrow.UINT32:
		return mapNumbers(mem, dt, in, roundUnsigned[uint32](digits, math.MaxUint32))
	case arrow.UINT64:
		return mapNumbers(mem, dt, in, roundUnsigned[uint64](digits, math.MaxUint64))
	case arrow.FLOAT32:
		round := floatRounder(digits)
		return mapNumbers(mem, dt, in, func(x float32) (float32, error) { return float32(round(float64(x))), nil })
	case arrow.FLOAT64:
		round := floatRounder(digits)
		return mapNumbers(mem, dt, in, func(x float64) (float64, error) { return round(x), nil })
	case arrow.DECIMAL128:
		return roundDecimal(mem, in, digits)
	}
	return nil, errUnsupported("round", dt)
}

// floatRounder returns DuckDB's rounding of a float to digits places,
// with the power of ten computed once.
func floatRounder(digits int64) func(float64) float64 {
	if digits < 0 {
		m := math.Pow(10, float64(-digits))
		return func(x float64) float64 {
			r := math.Round(x/m) * m
			if math.IsInf(r, 0) || math.IsNaN(r) {
				return 0
			}
			return r
		}
	}
	m := math.Pow(10, float64(digits))
	return func(x float64) float64 {
		r := math.Round(x*m) / m
		if math.IsInf(r, 0) || math.IsNaN(r) {
			return x
		}
		return r
	}
}

// pow10 is 10^k for k in [0, 19].
func pow10(k int64) uint64 {
	p := uint64(1)
	for range k {
		p *= 10
	}
	return p
}

func roundSigned[T signedInt](digits int64, lo, hi int64) func(T) (T, error) {
	if digits >= 0 {
		return func(x T) (T, error) { return x, nil }
	}
	k := -digits
	return func(x T) (T, error) {
		v := int64(x)
		mag := uint64(v)
		if v < 0 {
			mag = uint64(-(v + 1)) + 1
		}
		r, ok := roundMagnitude(mag, k)
		if !ok || (v >= 0 && r > uint64(hi)) || (v < 0 && r > uint64(-(lo+1))+1) {
			return 0, fmt.Errorf("round(%d, %d) is out of the range of its type: %w", v, digits, errs.ErrExec)
		}
		if v < 0 && r > 0 {
			return T(-int64(r-1) - 1), nil
		}
		return T(r), nil
	}
}

func roundUnsigned[T unsignedInt](digits int64, hi uint64) func(T) (T, error) {
	if digits >= 0 {
		return func(x T) (T, error) { return x, nil }
	}
	k := -digits
	return func(x T) (T, error) {
		r, ok := roundMagnitude(uint64(x), k)
		if !ok || r > hi {
			return 0, fmt.Errorf("round(%d, %d) is out of the range of its type: %w", uint64(x), digits, errs.ErrExec)
		}
		return T(r), nil
	}
}

// roundMagnitude rounds m to a multiple of 10^k, halves up; ok is false
// when the result does not fit a uint64.
func roundMagnitude(m uint64, k int64) (uint64, bool) {
	if k > 19 {
		return 0, true // half of 10^20 already exceeds every uint64
	}
	p := pow10(k)
	q, rem := m/p, m%p
	if rem >= p-p/2 {
		q++
	}
	if q > math.MaxUint64/p {
		return 0, false
	}
	return q * p, true
}

func roundDecimal(mem memory.Allocator, in arrow.Array, digits int64) (arrow.Array, error) {
	d := in.DataType().(*arrow.Decimal128Type)
	scale := int64(d.Scale)
	if digits >= scale {
		in.Retain()
		return in, nil
	}
	outScale := max(digits, 0)
	out := &arrow.Decimal128Type{Precision: d.Precision, Scale: int32(outScale)}
	reduce := scale - digits // the places dropped, > 0
	if reduce > 38 {
		return mapNumbers(mem, out, in, func(decimal128.Num) (decimal128.Num, error) { return decimal128.Num{}, nil })
	}
	back := outScale - digits // places put back as zeros, for negative digits
	maxAbs := decimal128.GetMaxValue(d.Precision)
	return mapNumbers(mem, out, in, func(x decimal128.Num) (decimal128.Num, error) {
		var r decimal128.Num
		if fitsInt64(x) && reduce <= 18 {
			v, p := int64(x.LowBits()), int64(pow10(reduce))
			q, rem := v/p, v%p
			if rem >= (p+1)/2 {
				q++
			} else if -rem >= (p+1)/2 {
				q--
			}
			r = decimal128.FromI64(q)
		} else {
			r = x.ReduceScaleBy(int32(reduce), true)
		}
		if back > 0 {
			r = r.IncreaseScaleBy(int32(back))
			if r.Abs().Greater(maxAbs) {
				return decimal128.Num{}, fmt.Errorf("round(%s, %d) does not fit %s: %w", x.ToString(d.Scale), digits, out, errs.ErrExec)
			}
		}
		return r, nil
	})
}
