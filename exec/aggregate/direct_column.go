package aggregate

import (
	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/bitutil"
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

// boolColumn maps Boolean keys to ids: false, true and NULL at most.
type boolColumn struct {
	ids  [2]int // id of false and of true, -1 when unseen
	vals []bool
	null int
}

func newBoolColumn() *boolColumn {
	return &boolColumn{ids: [2]int{-1, -1}, null: -1}
}

func (c *boolColumn) insert(arr arrow.Array, out []uint32) error {
	if err := checkArray(arrow.FixedWidthTypes.Boolean, arr); err != nil {
		return err
	}
	data := arr.Data()
	off := data.Offset()
	var values []byte
	if b := data.Buffers()[1]; b != nil {
		values = b.Bytes()
	}
	bits := validBits(arr)
	for i := range arr.Len() {
		if !isValid(bits, off, i) {
			if c.null < 0 {
				c.null = len(c.vals)
				c.vals = append(c.vals, false)
			}
			out[i] = uint32(c.null)
			continue
		}
		v := bitutil.BitIsSet(values, off+i)
		k := 0
		if v {
			k = 1
		}
		if c.ids[k] < 0 {
			c.ids[k] = len(c.vals)
			c.vals = append(c.vals, v)
		}
		out[i] = uint32(c.ids[k])
	}
	return nil
}

func (c *boolColumn) len() int    { return len(c.vals) }
func (c *boolColumn) nullID() int { return c.null }

func (c *boolColumn) build(mem memory.Allocator, ids []uint32) (arrow.Array, error) {
	vals := gather(c.vals, ids)
	buf := newBuffer(mem, int(bitutil.BytesForBits(int64(len(vals)))))
	bits := buf.Bytes()
	clear(bits)
	for i, v := range vals {
		if v {
			bitutil.SetBit(bits, i)
		}
	}
	vb, nulls := validityExcept(mem, len(vals), ids, c.null)
	return makeArray(arrow.FixedWidthTypes.Boolean, len(vals), nulls, vb, buf), nil
}

func (c *boolColumn) sizeBytes() int { return cap(c.vals) }

// nullColumn is a key of type Null: every row is NULL, one group.
type nullColumn struct{ seen bool }

func (c *nullColumn) insert(arr arrow.Array, out []uint32) error {
	if err := checkArray(arrow.Null, arr); err != nil {
		return err
	}
	if arr.Len() > 0 {
		c.seen = true
	}
	clear(out[:arr.Len()])
	return nil
}

func (c *nullColumn) len() int {
	if c.seen {
		return 1
	}
	return 0
}

func (c *nullColumn) nullID() int {
	if c.seen {
		return 0
	}
	return -1
}

func (c *nullColumn) build(mem memory.Allocator, ids []uint32) (arrow.Array, error) {
	n := c.len()
	if ids != nil {
		n = len(ids)
	}
	return array.NewNull(n), nil
}

func (c *nullColumn) sizeBytes() int { return 0 }
