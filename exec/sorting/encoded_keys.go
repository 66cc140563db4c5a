package sorting

import (
	"bytes"

	"github.com/apache/arrow-go/v18/arrow"
)

// encodedKeys holds any combination of sort keys as normalized byte rows.
type encodedKeys struct {
	enc  *rowEncoder
	rows *encodedRows
}

var _ keyRows = (*encodedKeys)(nil)

func (e *encodedKeys) len() int { return e.rows.len() }

func (e *encodedKeys) reset() { e.rows.reset() }

func (e *encodedKeys) appendBatch(keys []arrow.Array, n int, sel []uint32) {
	e.enc.appendRows(e.rows, keys, n, sel)
}

func (e *encodedKeys) appendPicked(src keyRows, idx []uint32) {
	s := src.(*encodedKeys).rows
	for _, i := range idx {
		e.rows.appendRow(s, i)
	}
}

func (e *encodedKeys) sortPerm() []uint32 { return sortEncoded(e.rows) }

func (e *encodedKeys) appendLess(thr keyRows, t int, out []uint32) []uint32 {
	tk := thr.(*encodedKeys).rows.row(uint32(t))
	r := e.rows
	for i := range r.len() {
		if bytes.Compare(r.data[r.offs[i]:r.offs[i+1]], tk) < 0 {
			out = append(out, uint32(i))
		}
	}
	return out
}

func (e *encodedKeys) mergePerm(ends []int) []uint32 {
	r := e.rows
	h := newRunHeap(ends, func(a, b int) bool {
		return bytes.Compare(r.data[r.offs[a]:r.offs[a+1]], r.data[r.offs[b]:r.offs[b+1]]) < 0
	})
	return h.drain(r.len())
}
