package parquet

import "math/bits"

// RowSet is a set of row positions within one data file, such as the rows
// its delete files delete.
type RowSet []uint64

// NewRowSet holds positions below n.
func NewRowSet(n int64) RowSet { return make(RowSet, (n+63)/64) }

// Add puts i in the set; positions out of range are ignored.
func (s RowSet) Add(i int64) {
	if i >= 0 && i/64 < int64(len(s)) {
		s[i/64] |= 1 << (i % 64)
	}
}

// Count is how many positions in [lo, hi) are set.
func (s RowSet) Count(lo, hi int64) int64 {
	var n int64
	s.Each(lo, hi, func(int64) { n++ })
	return n
}

// Each calls fn for every set position in [lo, hi), in order, a word at a
// time.
func (s RowSet) Each(lo, hi int64, fn func(i int64)) {
	if lo < 0 {
		lo = 0
	}
	hi = min(hi, int64(len(s))*64)
	for w := lo / 64; w*64 < hi; w++ {
		word := s[w]
		if word == 0 {
			continue
		}
		for word != 0 {
			b := int64(bits.TrailingZeros64(word))
			word &= word - 1
			if i := w*64 + b; i >= lo && i < hi {
				fn(i)
			}
		}
	}
}
