package sorting

import "bytes"

// entry is one row being sorted: a normalized key (or an 8-byte chunk of
// one) and the row's index.
type entry struct {
	key uint64
	idx uint32
}

// smallSort is the size under which insertion sort beats a radix pass.
const smallSort = 32

// msdMin is the size from which radixSort first splits by the highest
// varying byte: the buckets then fit in cache for the remaining passes.
const msdMin = 1 << 16

// radixSort sorts a by key, stably, with a radix sort on bytes that skips
// the bytes equal in every entry. Large inputs are first split by their
// highest varying byte, then each bucket is sorted least significant byte
// first. buf is scratch space of the same length; the result is in a or
// in buf and is returned.
func radixSort(a, buf []entry) []entry {
	return radixSortBytes(a, buf, 8)
}

// radixSortBytes sorts a whose keys agree on all but their low nbytes
// bytes.
func radixSortBytes(a, buf []entry, nbytes int) []entry {
	n := len(a)
	if n <= smallSort {
		insertionSortKeys(a)
		return a
	}
	var counts [8][256]int
	for _, e := range a {
		k := e.key
		counts[0][byte(k)]++
		counts[1][byte(k>>8)]++
		counts[2][byte(k>>16)]++
		counts[3][byte(k>>24)]++
		counts[4][byte(k>>32)]++
		counts[5][byte(k>>40)]++
		counts[6][byte(k>>48)]++
		counts[7][byte(k>>56)]++
	}
	first := a[0].key
	top := -1
	for d := nbytes - 1; d >= 0; d-- {
		if counts[d][byte(first>>(8*d))] != n {
			top = d
			break
		}
	}
	if top < 0 {
		return a
	}
	src, dst := a, buf[:n]
	if n >= msdMin && top > 0 {
		c := &counts[top]
		starts := prefixSums(c)
		scatter(src, dst, c, uint(8*top))
		for b, lo := range starts {
			hi := c[b] // scatter left c[b] at the bucket's end
			if hi-lo < 2 {
				continue
			}
			if res := radixSortBytes(dst[lo:hi], src[lo:hi], top); &res[0] != &dst[lo] {
				copy(dst[lo:hi], res)
			}
		}
		return dst
	}
	for d := 0; d <= top; d++ {
		c := &counts[d]
		if c[byte(first>>(8*d))] == n {
			continue
		}
		prefixSums(c)
		scatter(src, dst, c, uint(8*d))
		src, dst = dst, src
	}
	return src
}

// prefixSums turns the counts of c into bucket starts and returns a copy
// of them.
func prefixSums(c *[256]int) [256]int {
	sum := 0
	for b, cnt := range c {
		c[b] = sum
		sum += cnt
	}
	return *c
}

// scatter moves src into dst by the byte of each key at shift, advancing
// the bucket positions in c.
func scatter(src, dst []entry, c *[256]int, shift uint) {
	for _, e := range src {
		b := byte(e.key >> shift)
		dst[c[b]] = e
		c[b]++
	}
}

func insertionSortKeys(a []entry) {
	for i := 1; i < len(a); i++ {
		e := a[i]
		j := i
		for ; j > 0 && a[j-1].key > e.key; j-- {
			a[j] = a[j-1]
		}
		a[j] = e
	}
}

// sortEncoded returns the indices of r's rows in ascending order of their
// bytes; equal rows keep their index order.
func sortEncoded(r *encodedRows) []uint32 {
	n := r.len()
	a := make([]entry, n)
	for i := range a {
		a[i] = entry{key: r.chunk(uint32(i), 0), idx: uint32(i)}
	}
	sorted := sortChunk(a, make([]entry, n), r, 0)
	perm := make([]uint32, n)
	for i, e := range sorted {
		perm[i] = e.idx
	}
	return perm
}

// sortChunk sorts a, whose keys hold chunk c of each row and whose rows
// agree on all earlier chunks, by the rest of their bytes. buf is scratch;
// the result is in a or buf and is returned.
func sortChunk(a, buf []entry, r *encodedRows, c int) []entry {
	s := radixSort(a, buf)
	t := buf
	if len(s) > 0 && &s[0] == &buf[0] {
		t = a
	}
	// Rows with equal chunks are ordered by the following chunks. A row
	// that ends within chunk c equals every row of its run, since no row
	// is a prefix of another, so such runs are done.
	end := 8 * (c + 1)
	for lo := 0; lo < len(s); {
		hi := lo + 1
		for hi < len(s) && s[hi].key == s[lo].key {
			hi++
		}
		run := s[lo:hi]
		if len(run) > 1 && r.offs[run[0].idx+1]-r.offs[run[0].idx] > end {
			if len(run) <= smallSort {
				insertionSortRows(run, r, end)
			} else {
				for i := range run {
					run[i].key = r.chunk(run[i].idx, c+1)
				}
				if res := sortChunk(run, t[lo:hi], r, c+1); &res[0] != &run[0] {
					copy(run, res)
				}
			}
		}
		lo = hi
	}
	return s
}

// insertionSortRows stably sorts rows that agree on their first skip bytes.
func insertionSortRows(a []entry, r *encodedRows, skip int) {
	for i := 1; i < len(a); i++ {
		e := a[i]
		key := r.row(e.idx)[skip:]
		j := i
		for ; j > 0 && bytes.Compare(r.row(a[j-1].idx)[skip:], key) > 0; j-- {
			a[j] = a[j-1]
		}
		a[j] = e
	}
}
