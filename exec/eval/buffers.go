package eval

import (
	"unsafe"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/bitutil"
	"github.com/apache/arrow-go/v18/arrow/memory"
)

// The hand-written kernels of this package take their operands as arrays
// from kernelInput: an array of n rows, or a one-row array standing for a
// non-NULL constant, which strideMask reads at row 0 every time.

type integer interface {
	~int8 | ~int16 | ~int32 | ~int64 | ~uint8 | ~uint16 | ~uint32 | ~uint64
}

type signed interface {
	~int8 | ~int16 | ~int32 | ~int64
}

type float interface{ ~float32 | ~float64 }

// fixedValues returns the values of a fixed-width array as T, from its
// offset on.
func fixedValues[T integer | float](a arrow.Array) []T {
	buf := a.Data().Buffers()[1]
	if buf == nil || a.Len() == 0 {
		return nil
	}
	all := viewAs[T](buf.Bytes())
	off := a.Data().Offset()
	return all[off : off+a.Len()]
}

// viewAs reinterprets a byte slice as a slice of T.
func viewAs[T integer | float](b []byte) []T {
	var zero T
	size := int(unsafe.Sizeof(zero))
	if len(b) < size {
		return nil
	}
	return unsafe.Slice((*T)(unsafe.Pointer(unsafe.SliceData(b))), len(b)/size)
}

// strideMask is 0 for a one-row constant broadcast over n rows, so that
// v[i&mask] reads row 0 every time, and all ones otherwise.
func strideMask(a arrow.Array, n int) int {
	if a.Len() == 1 && n != 1 {
		return 0
	}
	return -1
}

// newBuffer allocates a buffer of size bytes; its contents are undefined.
func newBuffer(mem memory.Allocator, size int) *memory.Buffer {
	buf := memory.NewResizableBuffer(mem)
	buf.Resize(size)
	return buf
}

func newBitmap(mem memory.Allocator, n int) *memory.Buffer {
	return newBuffer(mem, int(bitutil.BytesForBits(int64(n))))
}

// andValidity returns a bitmap of the n rows valid in both operands, or nil
// when every row is.
func andValidity(mem memory.Allocator, l, r arrow.Array, n int) *memory.Buffer {
	var ls, rs []byte
	if l.Len() == n && l.NullN() > 0 {
		ls = l.NullBitmapBytes()
	}
	if r.Len() == n && r.NullN() > 0 {
		rs = r.NullBitmapBytes()
	}
	if ls == nil && rs == nil {
		return nil
	}
	buf := newBitmap(mem, n)
	out := buf.Bytes()
	lo, ro := l.Data().Offset(), r.Data().Offset()
	switch {
	case ls != nil && rs != nil:
		bitutil.BitmapAnd(ls, rs, int64(lo), int64(ro), out, 0, int64(n))
	case ls != nil:
		bitutil.CopyBitmap(ls, lo, n, out, 0)
	default:
		bitutil.CopyBitmap(rs, ro, n, out, 0)
	}
	return buf
}

// validityOf copies the validity bitmap of a to offset 0, or returns nil
// when a has no nulls.
func validityOf(mem memory.Allocator, a arrow.Array) *memory.Buffer {
	if a.NullN() == 0 {
		return nil
	}
	buf := newBitmap(mem, a.Len())
	bitutil.CopyBitmap(a.NullBitmapBytes(), a.Data().Offset(), a.Len(), buf.Bytes(), 0)
	return buf
}

// bitsOf returns the bytes of a bitmap buffer, or nil.
func bitsOf(buf *memory.Buffer) []byte {
	if buf == nil {
		return nil
	}
	return buf.Bytes()
}

// newArray wraps freshly made buffers (validity may be nil) into an array
// of n rows, taking over the caller's references.
func newArray(t arrow.DataType, n int, validity *memory.Buffer, buffers ...*memory.Buffer) arrow.Array {
	nulls := 0
	if validity != nil {
		nulls = n - bitutil.CountSetBits(validity.Bytes(), 0, n)
		if nulls == 0 {
			validity.Release()
			validity = nil
		}
	}
	bufs := append([]*memory.Buffer{validity}, buffers...)
	data := array.NewData(t, n, bufs, nil, nulls, 0)
	for _, b := range bufs {
		if b != nil {
			b.Release()
		}
	}
	defer data.Release()
	return array.MakeFromData(data)
}
