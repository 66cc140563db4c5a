package aggregate

import (
	"fmt"
	"math"
	"unsafe"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/bitutil"
	"github.com/apache/arrow-go/v18/arrow/memory"

	"lakeframe/errs"
)

// newBuffer allocates a buffer of n bytes from mem.
func newBuffer(mem memory.Allocator, n int) *memory.Buffer {
	b := memory.NewResizableBuffer(mem)
	b.Resize(n)
	return b
}

// makeArray wraps buffers into an array of type dt and drops the caller's
// references to them; nil buffers are allowed.
func makeArray(dt arrow.DataType, n, nulls int, bufs ...*memory.Buffer) arrow.Array {
	data := array.NewData(dt, n, bufs, nil, nulls, 0)
	arr := array.MakeFromData(data)
	data.Release()
	for _, b := range bufs {
		if b != nil {
			b.Release()
		}
	}
	return arr
}

// validityFromBools returns a validity bitmap for valid and its null count,
// or nil and 0 when every element is valid.
func validityFromBools(mem memory.Allocator, valid []bool) (*memory.Buffer, int) {
	nulls := 0
	for _, v := range valid {
		if !v {
			nulls++
		}
	}
	if nulls == 0 {
		return nil, 0
	}
	buf := newBuffer(mem, int(bitutil.BytesForBits(int64(len(valid)))))
	bits := buf.Bytes()
	clear(bits)
	for i, v := range valid {
		if v {
			bitutil.SetBit(bits, i)
		}
	}
	return buf, nulls
}

// validityExcept returns a validity bitmap that is null exactly where
// ids[i] == null, and the null count; nil and 0 when there is no such id.
func validityExcept(mem memory.Allocator, n int, ids []uint32, null int) (*memory.Buffer, int) {
	if null < 0 {
		return nil, 0
	}
	nulls := 0
	if ids == nil {
		if null < n {
			nulls = 1
		}
	} else {
		for _, id := range ids {
			if int(id) == null {
				nulls++
			}
		}
	}
	if nulls == 0 {
		return nil, 0
	}
	buf := newBuffer(mem, int(bitutil.BytesForBits(int64(n))))
	bits := buf.Bytes()
	bitutil.SetBitsTo(bits, 0, int64(n), true)
	if ids == nil {
		bitutil.ClearBit(bits, null)
	} else {
		for i, id := range ids {
			if int(id) == null {
				bitutil.ClearBit(bits, i)
			}
		}
	}
	return buf, nulls
}

// fixedArray builds an array of type dt, whose layout is one T per value,
// from vals; valid may be nil (all valid).
func fixedArray[T arrow.FixedWidthType](mem memory.Allocator, dt arrow.DataType, vals []T, valid []bool) arrow.Array {
	buf := newBuffer(mem, len(arrow.GetBytes(vals)))
	copy(arrow.GetData[T](buf.Bytes()), vals)
	vb, nulls := validityFromBools(mem, valid)
	return makeArray(dt, len(vals), nulls, vb, buf)
}

// boolArray builds a Boolean array from vals; valid may be nil.
func boolArray(mem memory.Allocator, vals, valid []bool) arrow.Array {
	buf := newBuffer(mem, int(bitutil.BytesForBits(int64(len(vals)))))
	bits := buf.Bytes()
	clear(bits)
	for i, v := range vals {
		if v {
			bitutil.SetBit(bits, i)
		}
	}
	vb, nulls := validityFromBools(mem, valid)
	return makeArray(arrow.FixedWidthTypes.Boolean, len(vals), nulls, vb, buf)
}

// gather returns vals[ids[i]] for every i, or vals itself when ids is nil.
func gather[T any](vals []T, ids []uint32) []T {
	if ids == nil {
		return vals
	}
	out := make([]T, len(ids))
	for i, id := range ids {
		out[i] = vals[id]
	}
	return out
}

// isValid reports whether row i of an array with validity bitmap bits and
// offset off is not null; bits is nil when the array has no nulls.
func isValid(bits []byte, off, i int) bool {
	return bits == nil || bitutil.BitIsSet(bits, off+i)
}

// validBits returns the validity bitmap of arr, or nil when it has no nulls.
func validBits(arr arrow.Array) []byte {
	if arr.NullN() == 0 {
		return nil
	}
	return arr.NullBitmapBytes()
}

// sizeOf returns the size of a value of type T.
func sizeOf[T any](v T) uintptr { return unsafe.Sizeof(v) }

// bytesArray builds a String, Binary, LargeString or LargeBinary array of
// type dt from vals; valid may be nil.
func bytesArray(mem memory.Allocator, dt arrow.DataType, vals [][]byte, valid []bool) (arrow.Array, error) {
	total := 0
	for _, v := range vals {
		total += len(v)
	}
	var offBuf *memory.Buffer
	switch dt.ID() {
	case arrow.STRING, arrow.BINARY:
		if total > math.MaxInt32 {
			return nil, fmt.Errorf("%d bytes of %s values exceed the 2 GiB of one array: %w", total, dt, errs.ErrResourcesExhausted)
		}
		offBuf = newBuffer(mem, 4*(len(vals)+1))
		fillByteOffsets(arrow.GetData[int32](offBuf.Bytes()), vals)
	default:
		offBuf = newBuffer(mem, 8*(len(vals)+1))
		fillByteOffsets(arrow.GetData[int64](offBuf.Bytes()), vals)
	}
	dataBuf := newBuffer(mem, total)
	dst := dataBuf.Bytes()[:0]
	for _, v := range vals {
		dst = append(dst, v...)
	}
	vb, nulls := validityFromBools(mem, valid)
	return makeArray(dt, len(vals), nulls, vb, offBuf, dataBuf), nil
}

func fillByteOffsets[O int32 | int64](dst []O, vals [][]byte) {
	var pos O
	dst[0] = 0
	for i, v := range vals {
		pos += O(len(v))
		dst[i+1] = pos
	}
}

// fixedValues returns the values of a fixed-width array as a []T of length
// arr.Len(). An all-null array may come without a value buffer; it then gets
// zeros, which every caller ignores under the validity bitmap.
func fixedValues[T arrow.FixedWidthType](arr arrow.Array) ([]T, error) {
	n := arr.Len()
	vals := arrow.GetValues[T](arr.Data(), 1)
	if len(vals) == n {
		return vals, nil
	}
	if arr.NullN() == n {
		return make([]T, n), nil
	}
	return nil, fmt.Errorf("%s array of %d rows has %d values: %w", arr.DataType(), n, len(vals), errs.ErrInternal)
}
