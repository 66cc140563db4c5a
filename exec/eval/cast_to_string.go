package eval

import (
	"fmt"
	"math"
	"strconv"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/bitutil"
	"github.com/apache/arrow-go/v18/arrow/compute"
	"github.com/apache/arrow-go/v18/arrow/memory"

	"lakeframe/errs"
	"lakeframe/expr"
)

// castToString formats values as text the way DuckDB does: floats in their
// shortest round-trip form with ".0" on whole numbers and an exponent
// outside [1e-4, 1e16) ("1e+16", "1.5e-05", "inf", "nan", "-nan" for a NaN
// with its sign bit set, as 0.0/0.0 gives on x86), booleans as
// true/false, dates as 2006-01-02 (with " (BC)" before year 1), timestamps
// as 2006-01-02 15:04:05.999999999 with trailing zeros dropped (and "+00"
// for a timestamp with a time zone, shown in UTC), decimals with all their
// scale digits. arrow-go's casts to string leak memory, so this replaces
// them.
func (e *evaluator) castToString(c *expr.Cast, in compute.Datum) (compute.Datum, error) {
	arr, err := e.kernelInput(c, in)
	if err != nil {
		return nil, err
	}
	defer arr.Release()
	n := arr.Len()
	ends := make([]int64, n)
	data := make([]byte, 0, 8*n)
	valid, off := []byte(nil), arr.Data().Offset()
	if arr.NullN() > 0 {
		valid = arr.NullBitmapBytes()
	}
	switch a := arr.(type) {
	case *array.Int8:
		data = formatRows(data, ends, fixedValues[int8](a), valid, off, appendInt[int8])
	case *array.Int16:
		data = formatRows(data, ends, fixedValues[int16](a), valid, off, appendInt[int16])
	case *array.Int32:
		data = formatRows(data, ends, fixedValues[int32](a), valid, off, appendInt[int32])
	case *array.Int64:
		data = formatRows(data, ends, fixedValues[int64](a), valid, off, appendInt[int64])
	case *array.Uint8:
		data = formatRows(data, ends, fixedValues[uint8](a), valid, off, appendUint[uint8])
	case *array.Uint16:
		data = formatRows(data, ends, fixedValues[uint16](a), valid, off, appendUint[uint16])
	case *array.Uint32:
		data = formatRows(data, ends, fixedValues[uint32](a), valid, off, appendUint[uint32])
	case *array.Uint64:
		data = formatRows(data, ends, fixedValues[uint64](a), valid, off, appendUint[uint64])
	case *array.Float32:
		data = formatRows(data, ends, fixedValues[float32](a), valid, off, func(b []byte, v float32) []byte {
			return appendFloat(b, float64(v), 32)
		})
	case *array.Float64:
		data = formatRows(data, ends, fixedValues[float64](a), valid, off, func(b []byte, v float64) []byte {
			return appendFloat(b, v, 64)
		})
	case *array.Boolean:
		for i := range n {
			if valid == nil || bitutil.BitIsSet(valid, off+i) {
				data = strconv.AppendBool(data, a.Value(i))
			}
			ends[i] = int64(len(data))
		}
	case *array.Date32:
		data = formatRows(data, ends, fixedValues[int32](a), valid, off, func(b []byte, v int32) []byte {
			return appendDate(b, int64(v))
		})
	case *array.Date64:
		data = formatRows(data, ends, fixedValues[int64](a), valid, off, func(b []byte, v int64) []byte {
			return appendDate(b, floorDiv(v, 86_400_000))
		})
	case *array.Timestamp:
		ts := a.DataType().(*arrow.TimestampType)
		perSec := unitsPerSecond(ts.Unit)
		zoned := ts.TimeZone != ""
		data = formatRows(data, ends, fixedValues[int64](a), valid, off, func(b []byte, v int64) []byte {
			return appendTimestamp(b, v, perSec, zoned)
		})
	case *array.Decimal128:
		scale := a.DataType().(*arrow.Decimal128Type).Scale
		for i := range n {
			if valid == nil || bitutil.BitIsSet(valid, off+i) {
				data = append(data, a.Value(i).ToString(scale)...)
			}
			ends[i] = int64(len(data))
		}
	default:
		return nil, fmt.Errorf("evaluate %s: %w: cast from %s to %s", c, errs.ErrNotImplemented, arr.DataType(), c.To)
	}
	out, err := stringArray(e.mem, c.To, ends, data, arr)
	if err != nil {
		return nil, fmt.Errorf("evaluate %s: %w", c, err)
	}
	return kernelOutput(c, out, isScalar(in))
}

// formatRows appends the text of each valid row to data and records where
// each row ends.
func formatRows[T any](data []byte, ends []int64, vals []T, valid []byte, off int, format func([]byte, T) []byte) []byte {
	for i, v := range vals {
		if valid == nil || bitutil.BitIsSet(valid, off+i) {
			data = format(data, v)
		}
		ends[i] = int64(len(data))
	}
	return data
}

// stringArray builds a String or LargeString array from row ends and
// character data, with the validity of src.
func stringArray(mem memory.Allocator, t arrow.DataType, ends []int64, data []byte, src arrow.Array) (arrow.Array, error) {
	n := len(ends)
	var offsets *memory.Buffer
	switch t.ID() {
	case arrow.STRING:
		if len(data) > math.MaxInt32 {
			return nil, fmt.Errorf("%w: %d bytes of text do not fit a string array", errs.ErrResourcesExhausted, len(data))
		}
		offsets = newBuffer(mem, 4*(n+1))
		o := viewAs[int32](offsets.Bytes())
		o[0] = 0
		for i, end := range ends {
			o[i+1] = int32(end)
		}
	case arrow.LARGE_STRING:
		offsets = newBuffer(mem, 8*(n+1))
		o := viewAs[int64](offsets.Bytes())
		o[0] = 0
		copy(o[1:], ends)
	default:
		return nil, fmt.Errorf("%w: cast to %s", errs.ErrInternal, t)
	}
	chars := newBuffer(mem, len(data))
	copy(chars.Bytes(), data)
	return newArray(t, n, validityOf(mem, src), offsets, chars), nil
}

func appendInt[T signed](b []byte, v T) []byte { return strconv.AppendInt(b, int64(v), 10) }

func appendUint[T ~uint8 | ~uint16 | ~uint32 | ~uint64](b []byte, v T) []byte {
	return strconv.AppendUint(b, uint64(v), 10)
}

// appendFloat formats f in its shortest round-trip form, in positional
// notation with at least one decimal when its exponent is in [-4, 16).
func appendFloat(b []byte, f float64, bitSize int) []byte {
	switch {
	case math.IsNaN(f) && math.Signbit(f):
		return append(b, "-nan"...)
	case math.IsNaN(f):
		return append(b, "nan"...)
	case math.IsInf(f, 1):
		return append(b, "inf"...)
	case math.IsInf(f, -1):
		return append(b, "-inf"...)
	}
	var tmp [32]byte
	sci := strconv.AppendFloat(tmp[:0], f, 'e', -1, bitSize)
	exp := exponentOf(sci)
	if f != 0 && (exp < -4 || exp >= 16) {
		return append(b, sci...)
	}
	start := len(b)
	b = strconv.AppendFloat(b, f, 'f', -1, bitSize)
	for _, c := range b[start:] {
		if c == '.' {
			return b
		}
	}
	return append(b, ".0"...)
}

// appendDate formats days since the epoch as YYYY-MM-DD; years before 1
// are written as DuckDB does, "0045-03-15 (BC)" for 44 BC.
func appendDate(b []byte, days int64) []byte {
	y, m, d := civilFromDays(days)
	bc := y <= 0
	if bc {
		y = 1 - y
	}
	b = appendPadded(b, y, 4)
	b = append(b, '-')
	b = appendPadded(b, m, 2)
	b = append(b, '-')
	b = appendPadded(b, d, 2)
	if bc {
		b = append(b, " (BC)"...)
	}
	return b
}

// appendTimestamp formats v units of 1/perSec second since the epoch.
func appendTimestamp(b []byte, v, perSec int64, zoned bool) []byte {
	perDay := 86_400 * perSec
	days, rem := floorDiv(v, perDay), v-floorDiv(v, perDay)*perDay
	b = appendDate(b, days)
	var bc []byte
	if n := len(b); n >= 5 && string(b[n-5:]) == " (BC)" {
		b, bc = b[:n-5], []byte(" (BC)")
	}
	secs, frac := rem/perSec, rem%perSec
	b = append(b, ' ')
	b = appendPadded(b, secs/3600, 2)
	b = append(b, ':')
	b = appendPadded(b, secs/60%60, 2)
	b = append(b, ':')
	b = appendPadded(b, secs%60, 2)
	if frac != 0 {
		digits := fracDigits(perSec)
		for frac%10 == 0 {
			frac /= 10
			digits--
		}
		b = append(b, '.')
		b = appendPadded(b, frac, digits)
	}
	if zoned {
		b = append(b, "+00"...)
	}
	return append(b, bc...)
}

// exponentOf reads the exponent of a number in Go's 'e' format.
func exponentOf(sci []byte) int {
	i := len(sci) - 1
	for i >= 0 && sci[i] != 'e' {
		i--
	}
	exp, sign := 0, 1
	for _, c := range sci[i+1:] {
		switch {
		case c == '-':
			sign = -1
		case c >= '0' && c <= '9':
			exp = exp*10 + int(c-'0')
		}
	}
	return sign * exp
}

// fracDigits is the number of decimals of a second a unit has.
func fracDigits(perSec int64) int {
	d := 0
	for ; perSec > 1; perSec /= 10 {
		d++
	}
	return d
}

// appendPadded writes a non-negative v with at least width digits.
func appendPadded(b []byte, v int64, width int) []byte {
	var tmp [20]byte
	s := strconv.AppendInt(tmp[:0], v, 10)
	for i := len(s); i < width; i++ {
		b = append(b, '0')
	}
	return append(b, s...)
}

func floorDiv(a, b int64) int64 {
	q := a / b
	if (a%b != 0) && ((a < 0) != (b < 0)) {
		q--
	}
	return q
}

// civilFromDays is the inverse of daysFromCivil.
func civilFromDays(z int64) (y, m, d int64) {
	z += 719468
	era := z / 146097
	if z < 0 && z%146097 != 0 {
		era--
	}
	doe := z - era*146097
	yoe := (doe - doe/1460 + doe/36524 - doe/146096) / 365
	y = yoe + era*400
	doy := doe - (365*yoe + yoe/4 - yoe/100)
	mp := (5*doy + 2) / 153
	d = doy - (153*mp+2)/5 + 1
	m = mp + 3
	if m > 12 {
		m -= 12
	}
	if m <= 2 {
		y++
	}
	return y, m, d
}
