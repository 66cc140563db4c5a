package sorting

import (
	"slices"

	"github.com/apache/arrow-go/v18/arrow"
)

// rowEncoder turns the key columns of batches into encodedRows.
type rowEncoder struct {
	order []Key
	cols  []colEncoder
	fixed int // bytes per row when every key is fixed-width, else -1
	sizes []int
	cur   []int
}

func newRowEncoder(order []Key, types []arrow.DataType) (*rowEncoder, error) {
	e := &rowEncoder{order: order, cols: make([]colEncoder, len(types))}
	for i, dt := range types {
		c, err := colEncoderFor(dt)
		if err != nil {
			return nil, err
		}
		e.cols[i] = c
		switch w := c.width(); {
		case i == 0:
			e.fixed = w
		case w < 0 || e.fixed < 0:
			e.fixed = -1
		default:
			e.fixed += w
		}
	}
	return e, nil
}

// sizeHint estimates the encoded size of n rows of keys, escapes aside.
func (e *rowEncoder) sizeHint(keys []arrow.Array, n int) int {
	if e.fixed >= 0 {
		return n * e.fixed
	}
	size := 0
	for j, c := range e.cols {
		if w := c.width(); w >= 0 {
			size += n * w
			continue
		}
		size += 3 * n
		if d := keys[j].Data(); d.Len() > 0 {
			switch keys[j].DataType().ID() {
			case arrow.LARGE_STRING, arrow.LARGE_BINARY:
				offs := arrow.GetOffsets[int64](d, 1)
				size += int(offs[len(offs)-1] - offs[0])
			default:
				offs := arrow.GetOffsets[int32](d, 1)
				size += int(offs[len(offs)-1] - offs[0])
			}
		}
	}
	return size
}

// appendRows encodes rows sel of the key columns keys onto r, or all n
// rows when sel is nil.
func (e *rowEncoder) appendRows(r *encodedRows, keys []arrow.Array, n int, sel []uint32) {
	if sel != nil {
		n = len(sel)
	}
	base := r.offs[len(r.offs)-1]
	if e.fixed >= 0 {
		for i := 1; i <= n; i++ {
			r.offs = append(r.offs, base+i*e.fixed)
		}
	} else {
		sizes := resize(&e.sizes, n)
		clear(sizes)
		for j, c := range e.cols {
			if w := c.width(); w >= 0 {
				for i := range sizes {
					sizes[i] += w
				}
			} else {
				c.addSizes(keys[j], sel, sizes)
			}
		}
		end := base
		for _, s := range sizes {
			end += s
			r.offs = append(r.offs, end)
		}
	}
	end := r.offs[len(r.offs)-1]
	r.data = slices.Grow(r.data, end-len(r.data))[:end]
	cur := resize(&e.cur, n)
	copy(cur, r.offs[len(r.offs)-1-n:])
	for j, c := range e.cols {
		c.encode(keys[j], sel, e.order[j], r.data, cur)
	}
}
