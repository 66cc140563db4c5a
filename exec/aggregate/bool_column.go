package aggregate

import (
	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/bitutil"
	"github.com/apache/arrow-go/v18/arrow/memory"
)

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
