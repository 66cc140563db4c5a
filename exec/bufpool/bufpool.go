// Package bufpool is an Arrow allocator that recycles large buffers.
//
// A query decodes and computes batch after batch of the same shapes, so it
// allocates and frees the same buffer sizes over and over. Go's allocator
// hands out fresh memory each time: the pages fault in, get zeroed, and
// the garbage collector runs often because the heap churns. Recycling the
// buffers through size-class pools keeps them mapped and warm.
package bufpool

import (
	"math/bits"
	"sync"
	"unsafe"

	"github.com/apache/arrow-go/v18/arrow/memory"
)

const (
	// Buffers smaller than 1<<minClass bytes come from Go's allocator, which
	// is fast for them.
	minClass = 12
	// Buffers larger than 1<<maxClass bytes are not pooled either.
	maxClass  = 27
	alignment = 64
)

// Allocator recycles buffers of 4 KiB to 128 MiB in power-of-two size
// classes. Like Go's and C's allocators it returns zeroed memory, which
// Arrow relies on, and slices whose capacity equals their length: some
// arrow-go kernels size their output by a buffer's capacity. It is safe
// for concurrent use.
type Allocator struct {
	small memory.Allocator
	pools [maxClass + 1]sync.Pool
}

var _ memory.Allocator = (*Allocator)(nil)

// New returns an empty pool.
func New() *Allocator { return &Allocator{small: memory.NewGoAllocator()} }

// Default is the pool shared by queries that name no allocator.
var Default = New()

func class(size int) int { return bits.Len(uint(size - 1)) }

// Allocate returns size zeroed bytes, 64-byte aligned.
func (a *Allocator) Allocate(size int) []byte {
	c := class(size)
	if size < 1<<minClass || c > maxClass {
		return a.small.Allocate(size)
	}
	if p, ok := a.pools[c].Get().(*[]byte); ok {
		buf := *p
		clear(buf)
		return buf[:size:size]
	}
	raw := make([]byte, 1<<c+alignment)
	shift := 0
	if r := uintptr(unsafe.Pointer(&raw[0])) % alignment; r != 0 {
		shift = alignment - int(r)
	}
	return raw[shift : shift+size : shift+size]
}

// Reallocate grows or shrinks b, keeping its contents.
func (a *Allocator) Reallocate(size int, b []byte) []byte {
	if cap(b) >= size {
		return b[:size]
	}
	out := a.Allocate(size)
	copy(out, b)
	a.Free(b)
	return out
}

// Free returns b to its pool. Every buffer of a pooled size came from a
// pool, whose class gives the real length behind b's clipped capacity;
// other buffers are left to the garbage collector.
func (a *Allocator) Free(b []byte) {
	size := cap(b)
	c := class(size)
	if size < 1<<minClass || c > maxClass {
		return
	}
	full := unsafe.Slice(unsafe.SliceData(b[:size]), 1<<c)
	a.pools[c].Put(&full)
}
