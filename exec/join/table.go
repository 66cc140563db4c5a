package join

import (
	"fmt"
	"math"
	"math/bits"
	"slices"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/memory"

	"lakeframe/errs"
)

// NoMatch is the key id of a row whose key is NULL or absent from the
// table.
const NoMatch = math.MaxUint32

// Table indexes the build side of a join: it gives each distinct key tuple
// of the build rows an id and lists the build rows of every id. Rows with a
// NULL in any key column get no id, since NULL never equals anything. With
// no key columns every build row has the one id 0, which makes a cross
// join.
//
// A key tuple becomes one uint64: each column's code minus the column's
// smallest code, shifted next to the other columns'. When the columns'
// ranges need more than 64 bits, the tuple so far is first replaced by its
// dense id among the build tuples (and a column too wide by itself by the
// dense id of its code), which keeps any number of columns exact. The
// packed keys then go to a direct-mapped array when they are dense enough,
// or to a hash table.
//
// Once built, a Table is read-only: any number of Probers may use it at
// once.
type Table struct {
	mem   memory.Allocator
	types []arrow.DataType
	cols  []keyCol
	dense vec[uint32] // packed key -> id+1, when isDense
	hash  *u64Map     // packed key -> id, otherwise
	// isDense says which of the two the table uses.
	isDense bool
	// maxKey is the largest packed key of a build row.
	maxKey uint64
	nkeys  int
	nrows  int
	// The build rows of key id k are rows[offsets[k]:offsets[k+1]], in row
	// order. With unique keys offsets is the identity and left empty; with
	// unique keys in row order and no NULL keys rows is too.
	offsets  vec[uint32]
	rows     vec[uint32]
	unique   bool
	identity bool
	sink     uint32 // keeps the loads of touch loops
}

// keyCol is how one key column contributes to the packed key.
type keyCol struct {
	kind codeKind
	dict *bytesDict
	// remap replaces codes by dense ids when the column's range is too
	// wide to pack; otherwise codes are shifted down by min and codes
	// outside [min, max] cannot match.
	remap    *u64Map
	min, max uint64
	bits     uint
	// stage replaces the tuple of the columns before this one by its dense
	// id, when packing this column next to them would overflow.
	stage *u64Map
}

// maxRows is the most build rows a table holds: row numbers are int32 in
// the index vectors joins gather with.
const maxRows = math.MaxInt32

// Build indexes the key columns of a build side, given batch by batch:
// batches[b][c] is column c of batch b, of type types[c]. Build rows are
// numbered across batches in order. Memory comes from mem and is held
// until Release.
func Build(mem memory.Allocator, types []arrow.DataType, batches [][]arrow.Array) (*Table, error) {
	if len(types) == 0 {
		return nil, fmt.Errorf("join build without key columns (use BuildCross): %w", errs.ErrInternal)
	}
	t := &Table{mem: mem, types: slices.Clone(types)}
	for _, dt := range types {
		k, err := kindOf(dt)
		if err != nil {
			return nil, err
		}
		t.cols = append(t.cols, keyCol{kind: k})
	}
	n := 0
	for b, batch := range batches {
		if len(batch) != len(types) {
			return nil, fmt.Errorf("join build batch %d has %d key columns, want %d: %w", b, len(batch), len(types), errs.ErrInternal)
		}
		rows, err := checkColumns(types, batch)
		if err != nil {
			return nil, err
		}
		n += rows
	}
	if n > maxRows {
		return nil, fmt.Errorf("join build side of %d rows, at most %d fit: %w", n, maxRows, errs.ErrResourcesExhausted)
	}
	t.nrows = n
	if err := t.index(batches); err != nil {
		t.Release()
		return nil, err
	}
	return t, nil
}

// BuildCross returns the table of a join without keys over n build rows:
// every row has key id 0, and every probe row matches all of them.
func BuildCross(mem memory.Allocator, n int) (*Table, error) {
	if n > maxRows {
		return nil, fmt.Errorf("join build side of %d rows, at most %d fit: %w", n, maxRows, errs.ErrResourcesExhausted)
	}
	t := &Table{mem: mem, nrows: n}
	if n > 0 {
		t.nkeys = 1
		t.offsets = newVec[uint32](mem, 2)
		t.offsets.s[0], t.offsets.s[1] = 0, uint32(n)
		t.rows = newVec[uint32](mem, n)
		for i := range t.rows.s {
			t.rows.s[i] = uint32(i)
		}
	}
	return t, nil
}

// checkColumns checks the types and lengths of one batch's key columns and
// returns its row count.
func checkColumns(types []arrow.DataType, cols []arrow.Array) (int, error) {
	if len(cols) != len(types) {
		return 0, fmt.Errorf("join keys: %d columns, want %d: %w", len(cols), len(types), errs.ErrInternal)
	}
	if len(cols) == 0 {
		return 0, nil
	}
	n := cols[0].Len()
	for c, col := range cols {
		if !arrow.TypeEqual(col.DataType(), types[c]) {
			return 0, fmt.Errorf("join key %d is %s, want %s: %w", c, col.DataType(), types[c], errs.ErrInternal)
		}
		if col.Len() != n {
			return 0, fmt.Errorf("join key columns of %d and %d rows: %w", n, col.Len(), errs.ErrInternal)
		}
	}
	return n, nil
}

// index builds the key structures column by column over all build rows.
func (t *Table) index(batches [][]arrow.Array) error {
	n := t.nrows
	bad := newVec[bool](t.mem, n)
	defer bad.release()
	clear(bad.s)
	for c := range t.cols {
		forBatches(batches, c, func(arr arrow.Array, lo int) {
			markNulls(arr, bad.s[lo:lo+arr.Len()])
		})
	}
	acc := newVec[uint64](t.mem, n)
	defer acc.release()
	codes := newVec[uint64](t.mem, n)
	defer codes.release()
	var accBits uint
	for c := range t.cols {
		col := &t.cols[c]
		target := codes.s
		if c == 0 {
			target = acc.s
		}
		if err := t.encodeBuild(col, batches, c, target, bad.s); err != nil {
			return err
		}
		if !col.bounds(target, bad.s) {
			// No row has a key: nothing can match.
			return t.finish(nil, bad.s)
		}
		if c == 0 {
			subtract(acc.s, bad.s, col.min)
			accBits = col.bits
			continue
		}
		if accBits+col.bits > 64 {
			m, err := remapAll(t.mem, acc.s, bad.s)
			if err != nil {
				return err
			}
			col.stage = m
			accBits = idBits(m.n)
		}
		if accBits+col.bits > 64 {
			m, err := remapAll(t.mem, codes.s, bad.s)
			if err != nil {
				return err
			}
			col.remap, col.min, col.max, col.bits = m, 0, uint64(m.n-1), idBits(m.n)
		} else {
			subtract(codes.s, bad.s, col.min)
		}
		for i, v := range codes.s {
			if !bad.s[i] {
				acc.s[i] = acc.s[i]<<col.bits | v
			}
		}
		accBits += col.bits
	}
	return t.finish(acc.s, bad.s)
}

// encodeBuild writes the codes of column c of every batch to out.
func (t *Table) encodeBuild(col *keyCol, batches [][]arrow.Array, c int, out []uint64, bad []bool) error {
	var err error
	switch col.kind {
	case codeDirect:
		forBatches(batches, c, func(arr arrow.Array, lo int) {
			encode(arr, out[lo:lo+arr.Len()])
		})
	case codeDict:
		col.dict = newBytesDict(t.mem)
		forBatches(batches, c, func(arr arrow.Array, lo int) {
			if err == nil {
				err = col.dict.insert(arr, out[lo:lo+arr.Len()], bad[lo:lo+arr.Len()])
			}
		})
	}
	return err
}

func forBatches(batches [][]arrow.Array, c int, fn func(arr arrow.Array, lo int)) {
	lo := 0
	for _, b := range batches {
		fn(b[c], lo)
		lo += b[c].Len()
	}
}

// bounds sets the column's range from the codes of the rows with a key,
// and reports whether there is any such row.
func (col *keyCol) bounds(codes []uint64, bad []bool) bool {
	lo, hi := uint64(math.MaxUint64), uint64(0)
	any := false
	for i, v := range codes {
		if !bad[i] {
			lo, hi, any = min(lo, v), max(hi, v), true
		}
	}
	if !any {
		return false
	}
	col.min, col.max, col.bits = lo, hi, uint(bits.Len64(hi-lo))
	return true
}

func subtract(vals []uint64, bad []bool, lo uint64) {
	for i := range vals {
		if !bad[i] {
			vals[i] -= lo
		}
	}
}

// remapAll replaces every value by its dense id and returns the map.
func remapAll(mem memory.Allocator, vals []uint64, bad []bool) (*u64Map, error) {
	m := newU64Map(mem, 1024)
	for i, v := range vals {
		if bad[i] {
			continue
		}
		id, err := m.insert(v)
		if err != nil {
			m.release()
			return nil, err
		}
		vals[i] = uint64(id)
	}
	return m, nil
}

// idBits is the width of ids below n.
func idBits(n int) uint { return uint(bits.Len(uint(max(n, 1) - 1))) }

// denseSlots caps direct-mapped arrays at 2^31 slots.
const denseSlots = 1 << 31

// useDense says whether packed keys up to maxKey go to an array: it costs
// 4 bytes a slot, a hash table 32 bytes a key at its usual load.
func useDense(maxKey uint64, keys int) bool {
	return maxKey < denseSlots && maxKey < 8*uint64(keys)+1024
}

// finish gives ids to the packed keys of the rows with a key (acc is nil
// when there is none) and groups the rows by key id.
func (t *Table) finish(acc []uint64, bad []bool) error {
	n := t.nrows
	rowKey := newVec[uint32](t.mem, n)
	defer rowKey.release()
	valid := 0
	if acc != nil {
		var maxKey uint64
		for i, v := range acc {
			if !bad[i] {
				maxKey = max(maxKey, v)
				valid++
			}
		}
		t.maxKey = maxKey
		t.isDense = useDense(maxKey, valid)
		if t.isDense {
			t.dense = newVec[uint32](t.mem, int(maxKey)+1)
			clear(t.dense.s)
		} else {
			t.hash = newU64Map(t.mem, valid)
		}
	}
	keys := rowKey.s
	switch {
	case acc == nil:
		fill(keys, 0, false)
	case t.isDense:
		dense := t.dense.s
		for i, k := range acc {
			if bad[i] {
				keys[i] = NoMatch
				continue
			}
			slot := &dense[k]
			if *slot == 0 {
				t.nkeys++
				*slot = uint32(t.nkeys)
			}
			keys[i] = *slot - 1
		}
	default:
		touch := t.hash.sizeBytes() >= touchBytes
		var sink uint32
		for lo := 0; lo < n; lo += touchChunk {
			hi := min(lo+touchChunk, n)
			if touch {
				sink += t.hash.touch(acc[lo:hi])
			}
			for i := lo; i < hi; i++ {
				if bad[i] {
					keys[i] = NoMatch
					continue
				}
				id, err := t.hash.insert(acc[i])
				if err != nil {
					return err
				}
				keys[i] = id
			}
		}
		t.sink = sink
	}
	if t.hash != nil {
		t.nkeys = t.hash.n
	}
	t.group(rowKey.s, valid)
	return nil
}

// group lays the rows out by key id (a counting sort) and notes the
// shapes that let probes skip a level of indirection.
func (t *Table) group(rowKey []uint32, valid int) {
	t.unique = t.nkeys == valid
	if t.unique {
		// Ids were given in row order, so with one row a key the rows of
		// ids 0, 1, 2... are the rows with a key, in order.
		t.identity = valid == t.nrows
		if !t.identity {
			t.rows = newVec[uint32](t.mem, valid)
			j := 0
			for i, k := range rowKey {
				if k != NoMatch {
					t.rows.s[j] = uint32(i)
					j++
				}
			}
		}
		return
	}
	t.offsets = newVec[uint32](t.mem, t.nkeys+1)
	offs := t.offsets.s
	clear(offs)
	for _, k := range rowKey {
		if k != NoMatch {
			offs[k+1]++
		}
	}
	for k := 1; k < len(offs); k++ {
		offs[k] += offs[k-1]
	}
	t.rows = newVec[uint32](t.mem, valid)
	// Fill from the end of each range backwards so that offs ends up
	// pointing at the starts again.
	for i := len(rowKey) - 1; i >= 0; i-- {
		if k := rowKey[i]; k != NoMatch {
			offs[k+1]--
			t.rows.s[offs[k+1]] = uint32(i)
		}
	}
	// offs[k+1] now holds the start of key k; shift back into place.
	copy(offs, offs[1:])
	offs[t.nkeys] = uint32(valid)
}

// Rows returns the number of build rows.
func (t *Table) Rows() int { return t.nrows }

// Keys returns the number of distinct build key tuples.
func (t *Table) Keys() int { return t.nkeys }

// Unique reports whether every key tuple has one build row.
func (t *Table) Unique() bool { return t.unique }

// SizeBytes returns the memory the table holds.
func (t *Table) SizeBytes() int {
	n := t.dense.bytes() + t.offsets.bytes() + t.rows.bytes()
	if t.hash != nil {
		n += t.hash.sizeBytes()
	}
	for _, c := range t.cols {
		if c.dict != nil {
			n += c.dict.sizeBytes()
		}
		if c.remap != nil {
			n += c.remap.sizeBytes()
		}
		if c.stage != nil {
			n += c.stage.sizeBytes()
		}
	}
	return n
}

// Release frees the table's memory.
func (t *Table) Release() {
	t.dense.release()
	t.offsets.release()
	t.rows.release()
	if t.hash != nil {
		t.hash.release()
		t.hash = nil
	}
	for i := range t.cols {
		c := &t.cols[i]
		if c.dict != nil {
			c.dict.release()
		}
		if c.remap != nil {
			c.remap.release()
		}
		if c.stage != nil {
			c.stage.release()
		}
		*c = keyCol{kind: c.kind}
	}
}

// MarkKeyRows sets, in rows (a bit per build row), the bit of every build
// row whose key id has its bit set in keys (a bit per key id). A join
// that keeps the build rows with or without a match can so mark key ids
// while probing, one bit per probe row, and turn them into rows once.
func (t *Table) MarkKeyRows(keys, rows []uint64) {
	for w, word := range keys[:min(len(keys), (t.nkeys+63)/64)] {
		for word != 0 {
			k := w<<6 | bits.TrailingZeros64(word)
			word &= word - 1
			if k >= t.nkeys {
				break
			}
			if t.unique {
				r := uint32(k)
				if !t.identity {
					r = t.rows.s[k]
				}
				rows[r>>6] |= 1 << (r & 63)
				continue
			}
			for _, r := range t.rows.s[t.offsets.s[k]:t.offsets.s[k+1]] {
				rows[r>>6] |= 1 << (r & 63)
			}
		}
	}
}
