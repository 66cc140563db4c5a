package sorting

import (
	"encoding/binary"
	"unsafe"

	"github.com/apache/arrow-go/v18/arrow"
)

// resize returns (*s)[:n], growing the backing array when needed.
func resize[T any](s *[]T, n int) []T {
	if cap(*s) < n {
		*s = make([]T, n)
	}
	*s = (*s)[:n]
	return *s
}

// validity returns arr's validity bitmap and bit offset, or nil when arr has
// no nulls.
func validity(arr arrow.Array) ([]byte, int) {
	if arr.NullN() == 0 {
		return nil, 0
	}
	return arr.NullBitmapBytes(), arr.Data().Offset()
}

// invert flips every bit of b, which reverses the order of normalized
// bytes.
func invert(b []byte) {
	for len(b) >= 8 {
		binary.LittleEndian.PutUint64(b, ^binary.LittleEndian.Uint64(b))
		b = b[8:]
	}
	for i := range b {
		b[i] = ^b[i]
	}
}

// grow extends *s by n elements and returns them.
func grow[T any](s *[]T, n int) []T {
	l := len(*s)
	if cap(*s)-l < n {
		ns := make([]T, l, 2*cap(*s)+n)
		copy(ns, *s)
		*s = ns
	}
	*s = (*s)[:l+n]
	return (*s)[l:]
}

// castSlice reinterprets the bytes of an Arrow buffer as a slice of T.
func castSlice[T any](b []byte) []T {
	if len(b) == 0 {
		return nil
	}
	var zero T
	return unsafe.Slice((*T)(unsafe.Pointer(&b[0])), len(b)/int(unsafe.Sizeof(zero)))
}

// sizeOf returns the size of a T.
func sizeOf[T any](v T) uintptr { return unsafe.Sizeof(v) }
