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
// Arrow relies on. It is safe for concurrent use.
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
		clear(buf[:cap(buf)])
		return buf[:size]
	}
	raw := make([]byte, 1<<c+alignment)
	shift := 0
	if r := uintptr(unsafe.Pointer(&raw[0])) % alignment; r != 0 {
		shift = alignment - int(r)
	}
	return raw[shift : shift+size : shift+1<<c]
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

// Free returns b to its pool. Buffers that did not come from a pool are
// left to the garbage collector.
func (a *Allocator) Free(b []byte) {
	c := cap(b)
	if c < 1<<minClass || c > 1<<maxClass || c&(c-1) != 0 {
		return
	}
	b = b[:c]
	a.pools[class(c)].Put(&b)
}
