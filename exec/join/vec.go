package join

import (
	"unsafe"

	"github.com/apache/arrow-go/v18/arrow/memory"
)

// vec is a slice of T whose memory comes from an Arrow allocator, so that a
// table's memory is counted (and checked in tests) with the query's
// buffers. T must hold no pointers.
type vec[T any] struct {
	mem memory.Allocator
	raw []byte
	s   []T
}

func newVec[T any](mem memory.Allocator, n int) vec[T] {
	v := vec[T]{mem: mem}
	v.resize(n)
	return v
}

// resize sets the length to n, keeping the first min(n, len) elements. New
// elements are not cleared.
func (v *vec[T]) resize(n int) {
	size := int(unsafe.Sizeof(*new(T)))
	switch {
	case n == 0 && v.raw != nil:
		v.release()
		return
	case n == 0:
		return
	case v.raw == nil:
		v.raw = v.mem.Allocate(n * size)
	case n*size != len(v.raw):
		v.raw = v.mem.Reallocate(n*size, v.raw)
	}
	v.s = unsafe.Slice((*T)(unsafe.Pointer(unsafe.SliceData(v.raw))), n)
}

// grow makes room for at least n elements, doubling to amortize appends.
func (v *vec[T]) grow(n int) {
	if n > len(v.s) {
		v.resize(max(n, 2*len(v.s), 64))
	}
}

func (v *vec[T]) release() {
	if v.raw != nil {
		v.mem.Free(v.raw)
	}
	v.raw, v.s = nil, nil
}

func (v *vec[T]) bytes() int { return len(v.raw) }
