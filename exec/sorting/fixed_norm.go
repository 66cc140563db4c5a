package sorting

import (
	"math"
	"unsafe"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/bitutil"
)

// fixedNorm writes, for every slot of arr, an unsigned integer whose order
// is the ascending order of the values (out has arr.Len() elements). Null
// slots receive arbitrary values; callers consult the validity bitmap.
type fixedNorm func(arr arrow.Array, out []uint64)

// fixedNormFor returns the normalizer of a key type whose values fit 64
// bits, with the number of significant low-order bytes it produces.
func fixedNormFor(dt arrow.DataType) (fixedNorm, int, bool) {
	switch dt.ID() {
	case arrow.BOOL:
		return normBool, 1, true
	case arrow.INT8:
		return normSigned[int8], 1, true
	case arrow.INT16:
		return normSigned[int16], 2, true
	case arrow.INT32, arrow.DATE32, arrow.TIME32, arrow.DECIMAL32:
		return normSigned[int32], 4, true
	case arrow.INT64, arrow.DATE64, arrow.TIMESTAMP, arrow.TIME64, arrow.DURATION, arrow.DECIMAL64:
		return normSigned[int64], 8, true
	case arrow.UINT8:
		return normUnsigned[uint8], 1, true
	case arrow.UINT16:
		return normUnsigned[uint16], 2, true
	case arrow.UINT32:
		return normUnsigned[uint32], 4, true
	case arrow.UINT64:
		return normUnsigned[uint64], 8, true
	case arrow.FLOAT32:
		return normFloat32, 4, true
	case arrow.FLOAT64:
		return normFloat64, 8, true
	}
	return nil, 0, false
}

func normBool(arr arrow.Array, out []uint64) {
	if len(out) == 0 {
		return
	}
	d := arr.Data()
	bits := d.Buffers()[1].Bytes()
	off := d.Offset()
	for i := range out {
		if bitutil.BitIsSet(bits, off+i) {
			out[i] = 1
		} else {
			out[i] = 0
		}
	}
}

// normSigned flips the sign bit within the type's width, so that negative
// values sort below positive ones and the unused high bytes stay zero.
func normSigned[T int8 | int16 | int32 | int64](arr arrow.Array, out []uint64) {
	vals := arrow.GetValues[T](arr.Data(), 1)
	w := uint(unsafe.Sizeof(T(0))) * 8
	mask := ^uint64(0) >> (64 - w)
	sign := uint64(1) << (w - 1)
	out = out[:len(vals)]
	for i, v := range vals {
		out[i] = (uint64(v) & mask) ^ sign
	}
}

func normUnsigned[T uint8 | uint16 | uint32 | uint64](arr arrow.Array, out []uint64) {
	vals := arrow.GetValues[T](arr.Data(), 1)
	out = out[:len(vals)]
	for i, v := range vals {
		out[i] = uint64(v)
	}
}

// Floats follow a total order: -0 equals 0 and every NaN equals every other
// NaN and sorts above +Inf. Negative numbers have all bits inverted, the
// others only the sign bit.
func normFloat32(arr arrow.Array, out []uint64) {
	vals := arrow.GetValues[float32](arr.Data(), 1)
	out = out[:len(vals)]
	for i, v := range vals {
		b := math.Float32bits(v)
		if v != v {
			b = 0x7fc00000
		} else if v == 0 {
			b = 0
		}
		out[i] = uint64(b ^ (uint32(int32(b)>>31) | 1<<31))
	}
}

func normFloat64(arr arrow.Array, out []uint64) {
	vals := arrow.GetValues[float64](arr.Data(), 1)
	out = out[:len(vals)]
	for i, v := range vals {
		b := math.Float64bits(v)
		if v != v {
			b = 0x7ff8000000000000
		} else if v == 0 {
			b = 0
		}
		out[i] = b ^ (uint64(int64(b)>>63) | 1<<63)
	}
}
