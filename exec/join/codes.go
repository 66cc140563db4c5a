package join

import (
	"fmt"
	"math"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/bitutil"

	"lakeframe/errs"
)

// codeKind says how a key column turns into uint64 codes.
type codeKind uint8

const (
	// codeDirect: the value itself, as an order-free uint64 (see encode).
	codeDirect codeKind = iota
	// codeDict: an id from a dictionary of the column's byte strings.
	codeDict
	// codeNull: a column of the Null type; no row ever matches.
	codeNull
)

// kindOf picks the coding of a key type, or fails for types joins do not
// support.
func kindOf(dt arrow.DataType) (codeKind, error) {
	switch dt.ID() {
	case arrow.BOOL, arrow.INT8, arrow.UINT8, arrow.INT16, arrow.UINT16,
		arrow.INT32, arrow.UINT32, arrow.INT64, arrow.UINT64,
		arrow.FLOAT32, arrow.FLOAT64,
		arrow.DATE32, arrow.DATE64, arrow.TIME32, arrow.TIME64, arrow.TIMESTAMP, arrow.DURATION,
		arrow.DECIMAL32, arrow.DECIMAL64, arrow.INTERVAL_MONTHS, arrow.INTERVAL_DAY_TIME:
		return codeDirect, nil
	case arrow.STRING, arrow.BINARY, arrow.LARGE_STRING, arrow.LARGE_BINARY,
		arrow.FIXED_SIZE_BINARY, arrow.DECIMAL128, arrow.DECIMAL256, arrow.INTERVAL_MONTH_DAY_NANO:
		return codeDict, nil
	case arrow.NULL:
		return codeNull, nil
	}
	return 0, fmt.Errorf("join on a %s key: %w", dt, errs.ErrNotImplemented)
}

// CheckKeyType reports whether a join can use keys of type dt.
func CheckKeyType(dt arrow.DataType) error {
	_, err := kindOf(dt)
	return err
}

// signBit maps signed integers to uint64 codes: flipping the sign bit of
// the sign-extended value keeps the order, so that a column's codes span
// max-min+1 values whatever their sign.
const signBit = 1 << 63

// encode writes the code of every row of arr (a codeDirect column) to out;
// null rows get arbitrary codes. Equal values get equal codes: floats are
// normalized so that -0 equals 0 and every NaN equals every other, as
// SQL engines compare them.
func encode(arr arrow.Array, out []uint64) {
	if len(out) == 0 {
		return
	}
	data := arr.Data()
	switch arr.DataType().ID() {
	case arrow.BOOL:
		bits, off := data.Buffers()[1].Bytes(), data.Offset()
		for i := range out {
			out[i] = 0
			if bitutil.BitIsSet(bits, off+i) {
				out[i] = 1
			}
		}
	case arrow.INT8:
		encodeSigned(arrow.GetValues[int8](data, 1), out)
	case arrow.UINT8:
		encodeUnsigned(arrow.GetValues[uint8](data, 1), out)
	case arrow.INT16:
		encodeSigned(arrow.GetValues[int16](data, 1), out)
	case arrow.UINT16:
		encodeUnsigned(arrow.GetValues[uint16](data, 1), out)
	case arrow.INT32, arrow.DATE32, arrow.TIME32, arrow.DECIMAL32, arrow.INTERVAL_MONTHS:
		encodeSigned(arrow.GetValues[int32](data, 1), out)
	case arrow.UINT32:
		encodeUnsigned(arrow.GetValues[uint32](data, 1), out)
	case arrow.INT64, arrow.DATE64, arrow.TIME64, arrow.TIMESTAMP, arrow.DURATION, arrow.DECIMAL64:
		encodeSigned(arrow.GetValues[int64](data, 1), out)
	case arrow.UINT64, arrow.INTERVAL_DAY_TIME:
		encodeUnsigned(arrow.GetValues[uint64](data, 1), out)
	case arrow.FLOAT32:
		for i, v := range arrow.GetValues[float32](data, 1)[:len(out)] {
			out[i] = floatCode(float64(v))
		}
	case arrow.FLOAT64:
		for i, v := range arrow.GetValues[float64](data, 1)[:len(out)] {
			out[i] = floatCode(v)
		}
	}
}

func encodeSigned[T int8 | int16 | int32 | int64](vals []T, out []uint64) {
	vals = vals[:len(out)]
	for i, v := range vals {
		out[i] = uint64(int64(v)) ^ signBit
	}
}

func encodeUnsigned[T uint8 | uint16 | uint32 | uint64](vals []T, out []uint64) {
	vals = vals[:len(out)]
	for i, v := range vals {
		out[i] = uint64(v)
	}
}

// canonicalNaN is the code of every NaN.
var canonicalNaN = math.Float64bits(math.NaN())

func floatCode(v float64) uint64 {
	switch {
	case v == 0:
		return 0 // -0 and +0
	case v != v:
		return canonicalNaN
	}
	return math.Float64bits(v)
}

// markNulls sets bad[i] for the null rows of arr (bad is not cleared).
func markNulls(arr arrow.Array, bad []bool) {
	if arr.NullN() == 0 {
		return
	}
	if arr.DataType().ID() == arrow.NULL {
		for i := range bad {
			bad[i] = true
		}
		return
	}
	bits, off := arr.Data().Buffers()[0].Bytes(), arr.Data().Offset()
	for i := range bad {
		if !bitutil.BitIsSet(bits, off+i) {
			bad[i] = true
		}
	}
}
