package sorting

import (
	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/bitutil"
)

// fixedKeys holds a single sort key that fits 64 bits: each row is a
// normalized value (inverted for a descending key) and a validity flag.
// It sorts without building byte strings.
type fixedKeys struct {
	norm       fixedNorm
	flip       uint64
	nullsFirst bool
	vals       []uint64 // zero for null rows
	valid      []bool
	scratch    []uint64
}

var _ keyRows = (*fixedKeys)(nil)

func newFixedKeys(norm fixedNorm, k Key) *fixedKeys {
	f := &fixedKeys{norm: norm, nullsFirst: k.NullsFirst}
	if k.Desc {
		f.flip = ^uint64(0)
	}
	return f
}

func (f *fixedKeys) len() int { return len(f.vals) }

func (f *fixedKeys) reset() {
	f.vals = f.vals[:0]
	f.valid = f.valid[:0]
}

func (f *fixedKeys) appendBatch(keys []arrow.Array, n int, sel []uint32) {
	if sel != nil {
		// Selections are small: normalize the batch aside, then pick.
		all := resize(&f.scratch, n)
		f.norm(keys[0], all)
		bits, off := validity(keys[0])
		vals := grow(&f.vals, len(sel))
		valid := grow(&f.valid, len(sel))
		for i, row := range sel {
			ok := bits == nil || bitutil.BitIsSet(bits, off+int(row))
			valid[i] = ok
			vals[i] = 0
			if ok {
				vals[i] = all[row] ^ f.flip
			}
		}
		return
	}
	arr := keys[0]
	vals := grow(&f.vals, n)
	valid := grow(&f.valid, n)
	f.norm(arr, vals)
	bits, off := validity(arr)
	for i := range vals {
		vals[i] ^= f.flip
	}
	if bits == nil {
		for i := range valid {
			valid[i] = true
		}
		return
	}
	for i := range valid {
		ok := bitutil.BitIsSet(bits, off+i)
		valid[i] = ok
		if !ok {
			vals[i] = 0
		}
	}
}

func (f *fixedKeys) appendPicked(src keyRows, idx []uint32) {
	s := src.(*fixedKeys)
	vals := grow(&f.vals, len(idx))
	valid := grow(&f.valid, len(idx))
	for i, j := range idx {
		vals[i] = s.vals[j]
		valid[i] = s.valid[j]
	}
}

func (f *fixedKeys) sortPerm() []uint32 {
	a := make([]entry, 0, len(f.vals))
	var nulls []uint32
	for i, v := range f.vals {
		if f.valid[i] {
			a = append(a, entry{key: v, idx: uint32(i)})
		} else {
			nulls = append(nulls, uint32(i))
		}
	}
	sorted := radixSort(a, make([]entry, len(a)))
	perm := make([]uint32, 0, len(f.vals))
	if f.nullsFirst {
		perm = append(perm, nulls...)
	}
	for _, e := range sorted {
		perm = append(perm, e.idx)
	}
	if !f.nullsFirst {
		perm = append(perm, nulls...)
	}
	return perm
}

// rank maps row i to a value whose order is the rows' order, valid rows
// ordered by vals after it.
func (f *fixedKeys) rank(i int) uint8 {
	if f.valid[i] {
		return 1
	}
	if f.nullsFirst {
		return 0
	}
	return 2
}

// less reports whether row i sorts strictly before row j of g.
func (f *fixedKeys) less(i int, g *fixedKeys, j int) bool {
	ri, rj := f.rank(i), g.rank(j)
	if ri != rj {
		return ri < rj
	}
	return f.vals[i] < g.vals[j]
}

func (f *fixedKeys) appendLess(thr keyRows, t int, out []uint32) []uint32 {
	g := thr.(*fixedKeys)
	if !g.valid[t] {
		if f.nullsFirst {
			return out // nothing sorts before the first nulls
		}
		for i, ok := range f.valid {
			if ok {
				out = append(out, uint32(i))
			}
		}
		return out
	}
	tv := g.vals[t]
	for i, v := range f.vals {
		if f.valid[i] {
			if v < tv {
				out = append(out, uint32(i))
			}
		} else if f.nullsFirst {
			out = append(out, uint32(i))
		}
	}
	return out
}

func (f *fixedKeys) mergePerm(ends []int) []uint32 {
	h := newRunHeap(ends, func(a, b int) bool { return f.less(a, f, b) })
	return h.drain(len(f.vals))
}
