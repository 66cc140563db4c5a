package kernel

import (
	"fmt"
	"math"
	"strconv"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/bitutil"
	"github.com/apache/arrow-go/v18/arrow/memory"

	"lakeframe/errs"
)

// The casts here fill gaps of arrow-go v18.8.0's cast (see
// arrowcompute_test.go): it has no string to date32 kernel, it refuses or
// truncates fractions where SQL rounds, and its casts to string leak
// allocator memory.

// CastStringToDate32 parses ISO dates (YYYY-MM-DD, the month and day may
// have one digit, surrounding blanks are ignored) as SQL CAST does: an
// invalid string or date (2023-02-29) is an error. Null rows give null.
func CastStringToDate32(mem memory.Allocator, in arrow.Array) (arrow.Array, error) {
	return castStringToDate32(mem, in, false)
}

// TryCastStringToDate32 is CastStringToDate32 with TRY_CAST's rule: an
// invalid string gives null.
func TryCastStringToDate32(mem memory.Allocator, in arrow.Array) (arrow.Array, error) {
	return castStringToDate32(mem, in, true)
}

func castStringToDate32(mem memory.Allocator, in arrow.Array, nullOnError bool) (arrow.Array, error) {
	src, err := stringInput(mem, "cast", in)
	if err != nil {
		return nil, err
	}
	defer src.Release()
	n := src.Len()
	out := allocZeroed(mem, n*4)
	var validity *memory.Buffer
	if nullOnError {
		// A private copy: invalid rows get their bit cleared.
		validity = validBits(mem, src)
	} else {
		validity, _ = validityOf(mem, src)
	}
	dst := viewAs[arrow.Date32](out.Bytes())[:n]
	var bad int
	if src.DataType().ID() == arrow.STRING {
		bad = parseDates(layoutOf[int32](src), dst, validity, nullOnError)
	} else {
		bad = parseDates(layoutOf[int64](src), dst, validity, nullOnError)
	}
	if bad >= 0 {
		releaseBuffers(out, validity)
		return nil, fmt.Errorf("cast %q to date32: invalid date: %w", src.ValueStr(bad), errs.ErrExec)
	}
	nulls := 0
	if validity != nil {
		nulls = n - bitutil.CountSetBits(validity.Bytes(), 0, n)
	}
	return makeArray(arrow.FixedWidthTypes.Date32, n, []*memory.Buffer{validity, out}, nulls), nil
}

// parseDates fills dst and returns the first invalid valid row, or -1.
// With nullOnError it clears the validity bit of invalid rows instead.
func parseDates[O offsetT](l varBinary[O], dst []arrow.Date32, validity *memory.Buffer, nullOnError bool) int {
	var vb []byte
	if validity != nil {
		vb = validity.Bytes()
	}
	for i := range dst {
		if vb != nil && !bitutil.BitIsSet(vb, i) {
			continue
		}
		d, ok := parseDate(l.data[l.offs[i]:l.offs[i+1]])
		switch {
		case ok:
			dst[i] = d
		case nullOnError:
			bitutil.ClearBit(vb, i)
		default:
			return i
		}
	}
	return -1
}

// parseDate parses [blanks][-]Y…Y-M[M]-D[D][blanks].
func parseDate(s []byte) (arrow.Date32, bool) {
	for len(s) > 0 && (s[0] == ' ' || s[0] == '\t') {
		s = s[1:]
	}
	for len(s) > 0 && (s[len(s)-1] == ' ' || s[len(s)-1] == '\t') {
		s = s[:len(s)-1]
	}
	neg := len(s) > 0 && s[0] == '-'
	if neg {
		s = s[1:]
	}
	year, s, ok := parseDigits(s, 1, 6)
	if !ok || len(s) == 0 || s[0] != '-' {
		return 0, false
	}
	month, s, ok := parseDigits(s[1:], 1, 2)
	if !ok || len(s) == 0 || s[0] != '-' {
		return 0, false
	}
	day, s, ok := parseDigits(s[1:], 1, 2)
	if !ok || len(s) != 0 {
		return 0, false
	}
	if neg {
		year = -year
	}
	if month < 1 || month > 12 || day < 1 || day > int64(daysInMonth(year, int(month))) {
		return 0, false
	}
	return arrow.Date32(daysFromCivil(year, int(month), int(day))), true
}

// parseDigits reads between lo and hi decimal digits.
func parseDigits(s []byte, lo, hi int) (int64, []byte, bool) {
	var v int64
	i := 0
	for ; i < len(s) && i < hi && '0' <= s[i] && s[i] <= '9'; i++ {
		v = v*10 + int64(s[i]-'0')
	}
	return v, s[i:], i >= lo
}

// CastFloatToInt casts Float32 or Float64 to an integer type rounding to
// the nearest integer, ties to even, as DuckDB does for DOUBLE to INTEGER
// (2.5 → 2, 3.5 → 4). A value out of the target's range, NaN or an
// infinity is an error. Null rows give null.
func CastFloatToInt(mem memory.Allocator, in arrow.Array, to arrow.DataType) (arrow.Array, error) {
	switch a := in.(type) {
	case *array.Float64:
		return floatToIntAs(mem, in, a.Float64Values(), to)
	case *array.Float32:
		return floatToIntAs(mem, in, a.Float32Values(), to)
	}
	return nil, errUnsupported("cast", in.DataType())
}

func floatToIntAs[F float32 | float64](mem memory.Allocator, in arrow.Array, src []F, to arrow.DataType) (arrow.Array, error) {
	switch to.ID() {
	case arrow.INT8:
		return floatToInt[F, int8](mem, in, src, to)
	case arrow.INT16:
		return floatToInt[F, int16](mem, in, src, to)
	case arrow.INT32:
		return floatToInt[F, int32](mem, in, src, to)
	case arrow.INT64:
		return floatToInt[F, int64](mem, in, src, to)
	case arrow.UINT8:
		return floatToInt[F, uint8](mem, in, src, to)
	case arrow.UINT16:
		return floatToInt[F, uint16](mem, in, src, to)
	case arrow.UINT32:
		return floatToInt[F, uint32](mem, in, src, to)
	case arrow.UINT64:
		return floatToInt[F, uint64](mem, in, src, to)
	}
	return nil, fmt.Errorf("cast %s to %s: %w", in.DataType(), to, errs.ErrNotImplemented)
}

type integer interface {
	~int8 | ~int16 | ~int32 | ~int64 | ~uint8 | ~uint16 | ~uint32 | ~uint64
}

func floatToInt[F float32 | float64, I integer](mem memory.Allocator, in arrow.Array, src []F, to arrow.DataType) (arrow.Array, error) {
	// Both bounds are powers of two (or zero), so exact as floats: the
	// integer range is [lo, hi).
	var zero I
	lo := 0.0
	if zero-1 < 0 {
		lo = -math.Ldexp(1, 8*sizeOf[I]()-1)
	}
	hi := math.Ldexp(1, 8*sizeOf[I]())
	if lo < 0 {
		hi /= 2
	}
	n := in.Len()
	out := allocZeroed(mem, n*sizeOf[I]())
	dst := viewAs[I](out.Bytes())[:n]
	valid, off := nullBitmap(in), in.Data().Offset()
	for i, v := range src {
		r := math.RoundToEven(float64(v))
		if r >= lo && r < hi {
			dst[i] = I(r)
		} else if isValid(valid, off, i) {
			out.Release()
			return nil, fmt.Errorf("cast %v to %s: out of range: %w", v, to, errs.ErrExec)
		}
	}
	validity, nulls := validityOf(mem, in)
	return makeArray(to, n, []*memory.Buffer{validity, out}, nulls), nil
}

// CastToString formats integers, floats, Booleans and Date32 as String.
// Floats use the shortest representation that reads back exactly, with an
// exponent for large and small magnitudes (1e+20), as arrow-go does;
// DuckDB writes 3.0 where this writes 3. Dates are YYYY-MM-DD (astronomical
// year numbering, at least four digits). Null rows give null.
func CastToString(mem memory.Allocator, in arrow.Array) (arrow.Array, error) {
	n := in.Len()
	b := newStringBuilder[int32](mem, n, 8*n)
	var err error
	switch a := in.(type) {
	case *array.Int8:
		err = formatRows(b, a.Int8Values(), appendInt)
	case *array.Int16:
		err = formatRows(b, a.Int16Values(), appendInt)
	case *array.Int32:
		err = formatRows(b, a.Int32Values(), appendInt)
	case *array.Int64:
		err = formatRows(b, a.Int64Values(), appendInt)
	case *array.Uint8:
		err = formatRows(b, a.Uint8Values(), appendUint)
	case *array.Uint16:
		err = formatRows(b, a.Uint16Values(), appendUint)
	case *array.Uint32:
		err = formatRows(b, a.Uint32Values(), appendUint)
	case *array.Uint64:
		err = formatRows(b, a.Uint64Values(), appendUint)
	case *array.Float32:
		err = formatRows(b, a.Float32Values(), func(dst []byte, v float32) []byte {
			return strconv.AppendFloat(dst, float64(v), 'g', -1, 32)
		})
	case *array.Float64:
		err = formatRows(b, a.Float64Values(), func(dst []byte, v float64) []byte {
			return strconv.AppendFloat(dst, v, 'g', -1, 64)
		})
	case *array.Date32:
		err = formatRows(b, a.Date32Values(), appendDate)
	case *array.Boolean:
		for i := range n {
			if a.Value(i) {
				b.append([]byte("true"))
			} else {
				b.append([]byte("false"))
			}
			if err = b.endRow(i); err != nil {
				break
			}
		}
	default:
		b.release()
		return nil, errUnsupported("cast to string", in.DataType())
	}
	if err != nil {
		b.release()
		return nil, fmt.Errorf("cast to string: %w", err)
	}
	validity, nulls := validityOf(mem, in)
	return b.finish(n, validity, nulls), nil
}

// formatRows appends each value's text. format gets room for any number:
// 32 bytes hold the longest float64, int64 and date texts.
func formatRows[T any](b *stringBuilder[int32], vals []T, format func([]byte, T) []byte) error {
	for i, v := range vals {
		t := b.tail(32)
		b.n += len(format(t[:0:32], v))
		if err := b.endRow(i); err != nil {
			return err
		}
	}
	return nil
}

func appendInt[T ~int8 | ~int16 | ~int32 | ~int64](dst []byte, v T) []byte {
	return strconv.AppendInt(dst, int64(v), 10)
}

func appendUint[T ~uint8 | ~uint16 | ~uint32 | ~uint64](dst []byte, v T) []byte {
	return strconv.AppendUint(dst, uint64(v), 10)
}

func appendDate(dst []byte, v arrow.Date32) []byte {
	y, m, d := civilFromDays(int64(v))
	if y < 0 {
		dst = append(dst, '-')
		y = -y
	}
	for p := int64(1000); p > 1 && y < p; p /= 10 {
		dst = append(dst, '0')
	}
	dst = strconv.AppendInt(dst, y, 10)
	return append(dst, '-', byte('0'+m/10), byte('0'+m%10), '-', byte('0'+d/10), byte('0'+d%10))
}
