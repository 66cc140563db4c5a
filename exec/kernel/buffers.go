package kernel

import (
	"unsafe"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/bitutil"
	"github.com/apache/arrow-go/v18/arrow/memory"
)

// allocBuffer returns a buffer of n bytes. The bytes are not cleared: use
// it for buffers the caller fills completely.
func allocBuffer(mem memory.Allocator, n int) *memory.Buffer {
	b := memory.NewResizableBuffer(mem)
	b.Resize(n)
	return b
}

// allocZeroed is allocBuffer with the bytes cleared: not every allocator
// hands out zeroed memory.
func allocZeroed(mem memory.Allocator, n int) *memory.Buffer {
	b := allocBuffer(mem, n)
	clear(b.Buf())
	return b
}

// allocBitmap returns a zeroed bitmap buffer for n bits.
func allocBitmap(mem memory.Allocator, n int) *memory.Buffer {
	return allocZeroed(mem, int(bitutil.BytesForBits(int64(n))))
}

// releaseBuffers releases every non-nil buffer.
func releaseBuffers(bufs ...*memory.Buffer) {
	for _, b := range bufs {
		if b != nil {
			b.Release()
		}
	}
}

// makeArray wraps freshly allocated buffers into an array of length n and
// drops the caller's references to them.
func makeArray(dt arrow.DataType, n int, bufs []*memory.Buffer, nulls int) arrow.Array {
	data := array.NewData(dt, n, bufs, nil, nulls, 0)
	defer data.Release()
	releaseBuffers(bufs...)
	return array.MakeFromData(data)
}

// validityOf returns a validity bitmap for in starting at bit 0, and the
// null count. It is nil when in has no nulls. An unsliced input's bitmap is
// shared rather than copied.
func validityOf(mem memory.Allocator, in arrow.Array) (*memory.Buffer, int) {
	nulls := in.NullN()
	if nulls == 0 {
		return nil, 0
	}
	src := in.Data().Buffers()[0]
	if in.Data().Offset() == 0 {
		src.Retain()
		return src, nulls
	}
	n := in.Len()
	out := allocBitmap(mem, n)
	bitutil.CopyBitmap(src.Bytes(), in.Data().Offset(), n, out.Bytes(), 0)
	return out, nulls
}

// isValid reports whether row i (relative to the array's offset) is valid,
// given the raw bitmap (nil when there are no nulls) and the array offset.
func isValid(bitmap []byte, off, i int) bool {
	return bitmap == nil || bitutil.BitIsSet(bitmap, off+i)
}

// nullBitmap returns the raw validity bitmap of in, or nil when in has no
// nulls, so loops can test a nil slice instead of calling NullN per row.
func nullBitmap(in arrow.Array) []byte {
	if in.NullN() == 0 {
		return nil
	}
	return in.NullBitmapBytes()
}

// clearNullBits zeroes the value bits of null rows in a boolean result, so
// that a null never reads as true when a consumer skips the validity check.
func clearNullBits(values, validity []byte, n int) {
	if validity == nil {
		return
	}
	bitutil.BitmapAnd(values, validity, 0, 0, values, 0, int64(n))
}

// fixedWidth lists the Go types that fixed-width Arrow values are moved as:
// the value's bytes, never its meaning.
type fixedWidth interface {
	~uint8 | ~uint16 | ~uint32 | ~uint64 | ~[16]byte | ~[32]byte
}

// viewAs reinterprets b as a slice of T; len(b) need not be a multiple of T.
func viewAs[T any](b []byte) []T {
	var zero T
	size := int(unsafe.Sizeof(zero))
	if len(b) < size {
		return nil
	}
	return unsafe.Slice((*T)(unsafe.Pointer(unsafe.SliceData(b))), len(b)/size)
}

// sizeOf returns the size of T in bytes.
func sizeOf[T any]() int {
	var zero T
	return int(unsafe.Sizeof(zero))
}

// viewAsBytes views any slice as its bytes.
func viewAsBytes[T any](s []T) []byte {
	if len(s) == 0 {
		return nil
	}
	var zero T
	return unsafe.Slice((*byte)(unsafe.Pointer(unsafe.SliceData(s))), len(s)*int(unsafe.Sizeof(zero)))
}

// fixedValues returns the n values of a fixed-width array as T, starting at
// the array's offset.
func fixedValues[T fixedWidth](in arrow.Array) []T {
	buf := in.Data().Buffers()[1]
	if buf == nil {
		return nil
	}
	off := in.Data().Offset()
	return viewAs[T](buf.Bytes())[off : off+in.Len()]
}

// byteWidth returns the value width in bytes of a fixed-width type other
// than Boolean, or 0.
func byteWidth(dt arrow.DataType) int {
	switch dt.ID() {
	case arrow.BOOL, arrow.DICTIONARY, arrow.EXTENSION:
		return 0
	}
	fw, ok := dt.(arrow.FixedWidthDataType)
	if !ok {
		return 0
	}
	switch w := fw.BitWidth(); w {
	case 8, 16, 32, 64, 128, 256:
		return w / 8
	}
	return 0
}
