package join

import (
	"fmt"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/bitutil"

	"lakeframe/errs"
)

// Prober finds the build rows that match probe batches. Each goroutine
// probing a Table uses its own Prober; its buffers are reused from batch
// to batch.
type Prober struct {
	t     *Table
	ids   []uint32
	acc   []uint64
	codes []uint64
	bad   []bool
	// The pair cursor: the next probe row and, within its matches, the
	// next position in t.rows.
	row        int
	pos        uint32
	probe, bld []int32
	sink       uint32 // keeps the loads of resolve's touch loops
}

// NewProber returns a prober of t.
func (t *Table) NewProber() *Prober { return &Prober{t: t} }

// Lookup finds the key id of each of the n rows of a probe batch, given its
// key columns (of the table's key types; none for a cross table), and
// resets the pair cursor to the batch's first row. The ids (NoMatch for a
// NULL or absent key) stay valid until the next Lookup.
func (p *Prober) Lookup(keys []arrow.Array, n int) ([]uint32, error) {
	t := p.t
	p.row, p.pos = 0, 0
	p.ids = resize(p.ids, n)
	ids := p.ids
	if t.cols == nil {
		if len(keys) != 0 {
			return nil, fmt.Errorf("join probe of a table without keys has %d key columns: %w", len(keys), errs.ErrInternal)
		}
		fill(ids, 0, t.nkeys > 0)
		return ids, nil
	}
	rows, err := checkColumns(t.types, keys)
	if err != nil {
		return nil, err
	}
	if rows != n {
		return nil, fmt.Errorf("join probe batch of %d rows has keys of %d: %w", n, rows, errs.ErrInternal)
	}
	if t.nkeys == 0 {
		fill(ids, 0, false)
		return ids, nil
	}
	if len(t.cols) == 1 && lookupDirect(p, keys[0], ids) {
		return ids, nil
	}
	bad := resize(p.bad, n)
	p.bad = bad
	clear(bad)
	for c := range t.cols {
		markNulls(keys[c], bad)
	}
	acc := resize(p.acc, n)
	codes := resize(p.codes, n)
	p.acc, p.codes = acc, codes
	for c := range t.cols {
		col := &t.cols[c]
		target := codes
		if c == 0 {
			target = acc
		}
		switch col.kind {
		case codeDirect:
			encode(keys[c], target)
		case codeDict:
			col.dict.lookup(keys[c], target, bad)
		}
		if col.remap != nil {
			remapProbe(col.remap, target, bad)
		} else {
			rebase(target, bad, col.min, col.max)
		}
		if c == 0 {
			continue
		}
		if col.stage != nil {
			remapProbe(col.stage, acc, bad)
		}
		shift := col.bits
		for i, v := range codes {
			acc[i] = acc[i]<<shift | v
		}
	}
	for lo := 0; lo < n; lo += touchChunk {
		hi := min(lo+touchChunk, n)
		t.resolve(acc[lo:hi], ids[lo:hi], &p.sink)
	}
	for i, b := range bad {
		if b {
			ids[i] = NoMatch
		}
	}
	return ids, nil
}

func spread(a, b uint64) uint64 {
	if a > b {
		return a - b
	}
	return b - a
}

// touchChunk is how many keys resolve looks up at once: their table slots
// are loaded first, in a loop without branches, so that the cache misses
// of a large table overlap instead of stalling one lookup at a time.
const touchChunk = 256

// touchBytes is the table size from which touching first pays: about what
// the caches of one core hold.
const touchBytes = 1 << 20

// resolve writes the key id of each packed key to ids; keys above the
// largest build key are absent.
func (t *Table) resolve(keys []uint64, ids []uint32, sink *uint32) {
	keys, ids = keys[:len(ids)], ids[:len(keys)]
	if t.isDense {
		dense := t.dense.s
		size := uint64(len(dense))
		// Keys in order (a probe side clustered on the key) walk the
		// array, which needs no help: only a chunk whose ends lie far
		// apart is touched first.
		if t.dense.bytes() >= touchBytes && len(keys) > 0 && spread(keys[0], keys[len(keys)-1]) > touchChunk*16 {
			var x uint32
			for _, k := range keys {
				x += dense[min(k, size-1)]
			}
			*sink += x
		}
		for i, k := range keys {
			id := uint32(NoMatch)
			if k < size {
				// An empty slot holds 0, and 0-1 is NoMatch.
				id = dense[k] - 1
			}
			ids[i] = id
		}
		return
	}
	m, maxKey := t.hash, t.maxKey
	if m.sizeBytes() >= touchBytes {
		*sink += m.touch(keys)
	}
	for i, k := range keys {
		id := uint32(NoMatch)
		if k <= maxKey {
			id = m.get(k) - 1
		}
		ids[i] = id
	}
}

// lookupDirect is Lookup for one integer key column, in one pass. It
// reports false for other keys.
func lookupDirect(p *Prober, arr arrow.Array, ids []uint32) bool {
	data := arr.Data()
	switch arr.DataType().ID() {
	case arrow.INT32, arrow.DATE32:
		lookupSigned(p, arrow.GetValues[int32](data, 1), ids)
	case arrow.INT64, arrow.DATE64, arrow.TIMESTAMP:
		lookupSigned(p, arrow.GetValues[int64](data, 1), ids)
	default:
		return false
	}
	if arr.NullN() > 0 {
		bits, off := data.Buffers()[0].Bytes(), data.Offset()
		for i := range ids {
			if !bitutil.BitIsSet(bits, off+i) {
				ids[i] = NoMatch
			}
		}
	}
	return true
}

func lookupSigned[T int32 | int64](p *Prober, vals []T, ids []uint32) {
	vals = vals[:len(ids)]
	lo := p.t.cols[0].min
	var keys [touchChunk]uint64
	for start := 0; start < len(vals); start += touchChunk {
		chunk := vals[start:min(start+touchChunk, len(vals))]
		// Codes below lo wrap around to large values, which are absent.
		for i, v := range chunk {
			keys[i] = uint64(int64(v)) ^ signBit - lo
		}
		p.t.resolve(keys[:len(chunk)], ids[start:start+len(chunk)], &p.sink)
	}
}

// rebase shifts codes down by lo and marks codes outside [lo, hi] bad: no
// build row has them.
func rebase(codes []uint64, bad []bool, lo, hi uint64) {
	for i, v := range codes {
		if v < lo || v > hi {
			bad[i] = true
		}
		codes[i] = v - lo
	}
}

// remapProbe replaces values by their ids in m, marking absent ones bad.
func remapProbe(m *u64Map, vals []uint64, bad []bool) {
	for i, v := range vals {
		if bad[i] {
			continue
		}
		id := m.get(v)
		if id == 0 {
			bad[i] = true
			continue
		}
		vals[i] = uint64(id - 1)
	}
}

func fill(ids []uint32, id uint32, ok bool) {
	if !ok {
		id = NoMatch
	}
	for i := range ids {
		ids[i] = id
	}
}

// Next returns the next pairs of matching rows of the batch given to
// Lookup, at most limit of them: probe[i] (a row of the probe batch)
// matches build[i] (a build row). With misses, a probe row without a match
// gives a pair of its own with build row -1. done is true once the batch
// is exhausted. The slices are reused by the next call.
func (p *Prober) Next(limit int, misses bool) (probe, build []int32, done bool) {
	limit = max(limit, 1)
	if cap(p.probe) < limit {
		p.probe, p.bld = make([]int32, limit), make([]int32, limit)
	}
	pr, br := p.probe[:limit], p.bld[:limit]
	t, ids := p.t, p.ids
	k, i := 0, p.row
	if t.unique {
		// At most one pair a row.
		end := min(len(ids), i+limit)
		rows := t.rows.s
		for ; i < end; i++ {
			id := ids[i]
			if id == NoMatch {
				if misses {
					pr[k], br[k] = int32(i), -1
					k++
				}
				continue
			}
			r := int32(id)
			if !t.identity {
				r = int32(rows[id])
			}
			pr[k], br[k] = int32(i), r
			k++
		}
		p.row = i
		return pr[:k], br[:k], i == len(ids)
	}
	offs, rows := t.offsets.s, t.rows.s
	pos := p.pos
	for ; i < len(ids); i++ {
		id := ids[i]
		if id == NoMatch {
			if misses {
				if k == limit {
					break
				}
				pr[k], br[k] = int32(i), -1
				k++
			}
			continue
		}
		pos = max(pos, offs[id])
		hi := offs[id+1]
		for ; pos < hi; pos++ {
			if k == limit {
				p.row, p.pos = i, pos
				return pr[:k], br[:k], false
			}
			pr[k], br[k] = int32(i), int32(rows[pos])
			k++
		}
		pos = 0
	}
	p.row, p.pos = i, 0
	return pr[:k], br[:k], i == len(ids)
}

// resize returns s with length n, reallocating only when it is too small.
func resize[T any](s []T, n int) []T {
	if cap(s) < n {
		return make([]T, n)
	}
	return s[:n]
}
