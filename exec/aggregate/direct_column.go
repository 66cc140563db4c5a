package aggregate

import (
	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/memory"
)

// directColumn maps 8- and 16-bit integer keys to ids through a table
// indexed by the value itself: no hashing, no probing.
type directColumn[T int8 | uint8 | int16 | uint16] struct {
	dt    arrow.DataType
	table []uint32 // id+1 by value bits; 0 when unseen
	mask  int
	vals  []T
	null  int
}

func newDirectColumn[T int8 | uint8 | int16 | uint16](dt arrow.DataType, bits int) *directColumn[T] {
	return &directColumn[T]{dt: dt, table: make([]uint32, 1<<bits), mask: 1<<bits - 1, null: -1}
}

func (c *directColumn[T]) insert(arr arrow.Array, out []uint32) error {
	if err := checkArray(c.dt, arr); err != nil {
		return err
	}
	vals, err := fixedValues[T](arr)
	if err != nil {
		return err
	}
	bits := validBits(arr)
	off := arr.Data().Offset()
	for i, v := range vals {
		if !isValid(bits, off, i) {
			if c.null < 0 {
				c.null = len(c.vals)
				c.vals = append(c.vals, 0)
			}
			out[i] = uint32(c.null)
			continue
		}
		slot := &c.table[int(uint16(v))&c.mask]
		if *slot == 0 {
			c.vals = append(c.vals, v)
			*slot = uint32(len(c.vals))
		}
		out[i] = *slot - 1
	}
	return nil
}

func (c *directColumn[T]) len() int    { return len(c.vals) }
func (c *directColumn[T]) nullID() int { return c.null }

func (c *directColumn[T]) build(mem memory.Allocator, ids []uint32) (arrow.Array, error) {
	vals := gather(c.vals, ids)
	buf := newBuffer(mem, len(arrow.GetBytes(vals)))
	copy(arrow.GetData[T](buf.Bytes()), vals)
	vb, nulls := validityExcept(mem, len(vals), ids, c.null)
	return makeArray(c.dt, len(vals), nulls, vb, buf), nil
}

func (c *directColumn[T]) sizeBytes() int { return 4*len(c.table) + 2*cap(c.vals) }
