package aggregate

import (
	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/memory"
)

// intColumn maps 32- and 64-bit integer keys (and the temporal types stored
// as such) to ids through a u64Map on the raw values.
type intColumn[T int32 | uint32 | int64 | uint64] struct {
	dt   arrow.DataType
	m    u64Map
	vals []T // by id; the NULL id holds a zero
	null int
}

func newIntColumn[T int32 | uint32 | int64 | uint64](dt arrow.DataType) *intColumn[T] {
	c := &intColumn[T]{dt: dt, null: -1}
	c.m.init()
	return c
}

func (c *intColumn[T]) insert(arr arrow.Array, out []uint32) error {
	if err := checkArray(c.dt, arr); err != nil {
		return err
	}
	if err := checkRoom(len(c.vals), arr.Len()); err != nil {
		return err
	}
	vals, err := fixedValues[T](arr)
	if err != nil {
		return err
	}
	next := uint32(len(c.vals))
	if bits := validBits(arr); bits != nil {
		off := arr.Data().Offset()
		for i, v := range vals {
			if !isValid(bits, off, i) {
				out[i] = c.nullGroup()
				next = uint32(len(c.vals))
				continue
			}
			if e := c.m.hit(uint64(v)); e != 0 {
				out[i] = e - 1
				continue
			}
			id, added := c.m.getOrInsert(uint64(v), next)
			if added {
				c.vals = append(c.vals, v)
				next++
			}
			out[i] = id
		}
		return nil
	}
	// Without nulls: convert a chunk of values to keys, look them all up in
	// a tight loop, and add the misses one by one.
	var buf [lookupChunk]uint64
	for base := 0; base < len(vals); base += lookupChunk {
		chunk := vals[base:min(base+lookupChunk, len(vals))]
		keys := buf[:len(chunk)]
		for j, v := range chunk {
			keys[j] = uint64(v)
		}
		c.m.touch(keys)
		ids := out[base : base+len(chunk)]
		for j := c.m.hits(keys, ids, 0); j < len(keys); j = c.m.hits(keys, ids, j+1) {
			id, added := c.m.getOrInsert(keys[j], uint32(len(c.vals)))
			if added {
				c.vals = append(c.vals, chunk[j])
			}
			ids[j] = id
		}
	}
	return nil
}

func (c *intColumn[T]) nullGroup() uint32 {
	if c.null < 0 {
		c.null = len(c.vals)
		var zero T
		c.vals = append(c.vals, zero)
	}
	return uint32(c.null)
}

func (c *intColumn[T]) len() int    { return len(c.vals) }
func (c *intColumn[T]) nullID() int { return c.null }

func (c *intColumn[T]) build(mem memory.Allocator, ids []uint32) (arrow.Array, error) {
	vals := gather(c.vals, ids)
	buf := newBuffer(mem, len(arrow.GetBytes(vals)))
	copy(arrow.GetData[T](buf.Bytes()), vals)
	vb, nulls := validityExcept(mem, len(vals), ids, c.null)
	return makeArray(c.dt, len(vals), nulls, vb, buf), nil
}

func (c *intColumn[T]) sizeBytes() int {
	var zero T
	return c.m.sizeBytes() + cap(c.vals)*int(sizeOf(zero))
}
