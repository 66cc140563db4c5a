package sorting

import "encoding/binary"

// encodedRows holds the normalized keys of many rows back to back: row i is
// data[offs[i]:offs[i+1]]. Comparing two rows' bytes with bytes.Compare
// gives their order. No row's bytes are a prefix of another's unless the
// two are equal, which lets sorting look at fixed 8-byte chunks.
type encodedRows struct {
	data []byte
	offs []int
}

func newEncodedRows() *encodedRows { return &encodedRows{offs: []int{0}} }

func (r *encodedRows) len() int { return len(r.offs) - 1 }

func (r *encodedRows) row(i uint32) []byte { return r.data[r.offs[i]:r.offs[i+1]] }

func (r *encodedRows) reset() {
	r.data = r.data[:0]
	r.offs = r.offs[:1]
}

// chunk returns bytes [8c, 8c+8) of row i as a big-endian integer, padded
// with zero bytes past the row's end.
func (r *encodedRows) chunk(i uint32, c int) uint64 {
	start, end := r.offs[i]+8*c, r.offs[i+1]
	if end-start >= 8 {
		return binary.BigEndian.Uint64(r.data[start:])
	}
	var v uint64
	n := 0
	for ; start < end; start++ {
		v = v<<8 | uint64(r.data[start])
		n++
	}
	return v << (8 * (8 - n))
}

// appendRow copies row i of src to the end of r.
func (r *encodedRows) appendRow(src *encodedRows, i uint32) {
	r.data = append(r.data, src.row(i)...)
	r.offs = append(r.offs, len(r.data))
}
