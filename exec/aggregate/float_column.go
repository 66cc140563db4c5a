package aggregate

import (
	"math"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/memory"
)

// floatColumn maps float keys to ids. It hashes the bits of the value with
// -0.0 folded into 0.0 and every NaN folded into one, so those group
// together as SQL requires.
type floatColumn[T float32 | float64] struct {
	dt   arrow.DataType
	m    u64Map
	vals []T
	null int
}

func newFloatColumn[T float32 | float64](dt arrow.DataType) *floatColumn[T] {
	c := &floatColumn[T]{dt: dt, null: -1}
	c.m.init()
	return c
}

// canonical folds -0.0 into 0.0 and NaNs into one NaN.
func canonical[T float32 | float64](v T) T {
	if v == 0 {
		return 0
	}
	if v != v {
		return T(math.NaN())
	}
	return v
}

func (c *floatColumn[T]) insert(arr arrow.Array, out []uint32) error {
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
	bits := validBits(arr)
	off := arr.Data().Offset()
	next := uint32(len(c.vals))
	for i, v := range vals {
		if !isValid(bits, off, i) {
			if c.null < 0 {
				c.null = len(c.vals)
				c.vals = append(c.vals, 0)
				next++
			}
			out[i] = uint32(c.null)
			continue
		}
		v = canonical(v)
		key := math.Float64bits(float64(v))
		if e := c.m.hit(key); e != 0 {
			out[i] = e - 1
			continue
		}
		id, added := c.m.getOrInsert(key, next)
		if added {
			c.vals = append(c.vals, v)
			next++
		}
		out[i] = id
	}
	return nil
}

func (c *floatColumn[T]) len() int    { return len(c.vals) }
func (c *floatColumn[T]) nullID() int { return c.null }

func (c *floatColumn[T]) build(mem memory.Allocator, ids []uint32) (arrow.Array, error) {
	vals := gather(c.vals, ids)
	buf := newBuffer(mem, len(arrow.GetBytes(vals)))
	copy(arrow.GetData[T](buf.Bytes()), vals)
	vb, nulls := validityExcept(mem, len(vals), ids, c.null)
	return makeArray(c.dt, len(vals), nulls, vb, buf), nil
}

func (c *floatColumn[T]) sizeBytes() int {
	var zero T
	return c.m.sizeBytes() + cap(c.vals)*int(sizeOf(zero))
}
