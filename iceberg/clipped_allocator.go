package iceberg

import "github.com/apache/arrow-go/v18/arrow/memory"

// clippedAllocator hands out buffers whose capacity equals their length.
// arrow-go's take kernel for strings and binary sizes its output by the
// capacity of the slice a buffer holds and then writes only within its
// length, so an allocator that returns spare capacity (a pooling one
// rounds sizes up) makes it drop bytes and panic; iceberg-go runs that
// kernel to apply positional deletes. Buffers still come from, and are
// counted by, the wrapped allocator.
type clippedAllocator struct{ mem memory.Allocator }

var _ memory.Allocator = clippedAllocator{}

func (c clippedAllocator) Allocate(size int) []byte {
	b := c.mem.Allocate(size)
	return b[:size:size]
}

func (c clippedAllocator) Reallocate(size int, b []byte) []byte {
	out := c.mem.Reallocate(size, b)
	return out[:size:size]
}

func (c clippedAllocator) Free(b []byte) { c.mem.Free(b) }
