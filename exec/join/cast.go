package join

import "unsafe"

// castSlice views a byte buffer as a slice of T (T holds no pointers; the
// buffer is aligned, as Arrow buffers are).
func castSlice[T any](b []byte) []T {
	if len(b) == 0 {
		return nil
	}
	return unsafe.Slice((*T)(unsafe.Pointer(unsafe.SliceData(b))), len(b)/sizeOf[T]())
}

func sizeOf[T any]() int { return int(unsafe.Sizeof(*new(T))) }
