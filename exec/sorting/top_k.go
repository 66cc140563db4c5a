package sorting

import (
	"fmt"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"

	"lakeframe/errs"
)

// TopK keeps the k first rows, in sort order, of all the batches pushed to
// it, in memory bounded by O(k) rows plus a few batches. Rows with equal
// keys rank in arrival order, so the result equals the first k rows of a
// stable Sort of everything pushed.
//
// Once k rows are kept, the k-th key becomes a threshold and a pushed row
// is only kept when it sorts strictly before it. Kept rows are compacted
// into one batch when they exceed max(2k, 1024), or when the batches they
// come from, which stay referenced, hold four times as many rows.
type TopK struct {
	mem    memory.Allocator
	k      int
	order  []Key
	schema *arrow.Schema
	types  []arrow.DataType // key types, set by the first Push

	held     []arrow.RecordBatch // batches the candidates come from
	heldRows int                 // rows of the held batches
	heldIdx  []int32             // per candidate: index in held
	rowIdx   []int32             // per candidate: row in its batch
	cands    keyRows             // per candidate: its keys
	spare    keyRows             // reused by compact
	pushed   keyRows             // keys of the batch being pushed
	thr      keyRows             // the k-th best key once k rows are kept
	pre      *prefilter          // for encodedKeys with a suitable first key
	preSel   []uint32
	sel      []uint32
	sorted   bool // the candidates are one compacted, sorted batch

	minCompact int // floor of the compaction limit; tests lower it
}

// NewTopK returns a TopK keeping the first k rows by order of batches with
// the given schema. A k below zero is taken as zero.
func NewTopK(mem memory.Allocator, k int, order []Key, schema *arrow.Schema) *TopK {
	return &TopK{mem: mem, k: max(k, 0), order: order, schema: schema, minCompact: 1024}
}

// Push offers the rows of batch, whose evaluated key columns are keys. The
// TopK retains batch while it needs some of its rows; the caller keeps its
// own reference.
func (t *TopK) Push(batch arrow.RecordBatch, keys []arrow.Array) error {
	if !batch.Schema().Equal(t.schema) {
		return fmt.Errorf("top-k: batch schema %s, want %s: %w", batch.Schema(), t.schema, errs.ErrInternal)
	}
	if t.types == nil {
		if len(keys) != len(t.order) {
			return fmt.Errorf("top-k: %d key columns for %d sort keys: %w", len(keys), len(t.order), errs.ErrInternal)
		}
		types := keyTypes(keys)
		var rows [4]keyRows
		for i := range rows {
			kr, err := newKeyRows(t.order, types, 0)
			if err != nil {
				return fmt.Errorf("top-k: %w", err)
			}
			rows[i] = kr
		}
		t.types = types
		t.cands, t.spare, t.pushed, t.thr = rows[0], rows[1], rows[2], rows[3]
		if e, ok := t.pushed.(*encodedKeys); ok {
			t.pre = newPrefilter(types[0], t.order[0], e.enc.cols[0])
		}
	}
	n := int(batch.NumRows())
	if err := checkKeys(keys, t.types, n); err != nil {
		return fmt.Errorf("top-k: %w", err)
	}
	if t.k == 0 || n == 0 {
		return nil
	}
	// pre lists the batch rows encoded into pushed, nil for all of them;
	// sel the rows of pushed that become candidates.
	var pre []uint32
	if t.pre != nil && t.thr.len() > 0 {
		pre = t.pre.appendNotAfter(keys[0], t.thr.(*encodedKeys).rows.row(0), t.preSel[:0])
		t.preSel = pre
		if len(pre) == 0 {
			return nil
		}
	}
	t.pushed.reset()
	t.pushed.appendBatch(keys, n, pre)
	sel := t.sel[:0]
	if t.thr.len() > 0 {
		sel = t.pushed.appendLess(t.thr, 0, sel)
	} else {
		for i := range t.pushed.len() {
			sel = append(sel, uint32(i))
		}
	}
	t.sel = sel
	if len(sel) == 0 {
		return nil
	}
	batch.Retain()
	t.held = append(t.held, batch)
	t.heldRows += n
	h := int32(len(t.held) - 1)
	for _, r := range sel {
		t.heldIdx = append(t.heldIdx, h)
		t.rowIdx = append(t.rowIdx, int32(rowOf(pre, int(r))))
	}
	t.cands.appendPicked(t.pushed, sel)
	t.sorted = false
	if limit := max(2*t.k, t.minCompact); t.cands.len() > limit || t.heldRows > 4*limit {
		return t.compact()
	}
	return nil
}

// compact sorts the candidates, keeps the first k in one new batch and
// updates the threshold.
func (t *TopK) compact() error {
	perm := t.cands.sortPerm()
	perm = perm[:min(t.k, len(perm))]
	bi, ri := make([]int32, len(perm)), make([]int32, len(perm))
	for i, p := range perm {
		bi[i], ri[i] = t.heldIdx[p], t.rowIdx[p]
	}
	rec, err := newGatherer(t.mem, t.schema, t.held).gather(bi, ri)
	if err != nil {
		return fmt.Errorf("top-k: %w", err)
	}
	t.releaseHeld()
	t.held = append(t.held, rec)
	t.heldRows = len(perm)
	t.spare.reset()
	t.spare.appendPicked(t.cands, perm)
	t.cands, t.spare = t.spare, t.cands
	t.heldIdx, t.rowIdx = t.heldIdx[:0], t.rowIdx[:0]
	for i := range perm {
		t.heldIdx = append(t.heldIdx, 0)
		t.rowIdx = append(t.rowIdx, int32(i))
	}
	if t.cands.len() == t.k {
		t.thr.reset()
		t.thr.appendPicked(t.cands, []uint32{uint32(t.k - 1)})
	}
	t.sorted = true
	return nil
}

// Result returns the kept rows in sort order as one batch, which the
// caller releases. More rows may be pushed afterwards.
func (t *TopK) Result() (arrow.RecordBatch, error) {
	if len(t.held) == 0 {
		cols := make([]arrow.Array, t.schema.NumFields())
		for i, f := range t.schema.Fields() {
			cols[i] = array.MakeArrayOfNull(t.mem, f.Type, 0)
		}
		rec := array.NewRecordBatch(t.schema, cols, 0)
		for _, c := range cols {
			c.Release()
		}
		return rec, nil
	}
	if !t.sorted {
		if err := t.compact(); err != nil {
			return nil, err
		}
	}
	rec := t.held[0]
	rec.Retain()
	return rec, nil
}

// Release drops the rows kept so far; the TopK starts over empty.
func (t *TopK) Release() {
	t.releaseHeld()
	t.heldIdx, t.rowIdx = nil, nil
	if t.cands != nil {
		t.cands.reset()
		t.thr.reset()
	}
	t.sorted = false
}

func (t *TopK) releaseHeld() {
	for _, b := range t.held {
		b.Release()
	}
	clear(t.held)
	t.held = t.held[:0]
	t.heldRows = 0
}
