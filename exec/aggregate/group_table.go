package aggregate

import (
	"fmt"
	"slices"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/memory"

	"lakeframe/errs"
)

// GroupTable assigns dense group ids, in order of first appearance, to the
// distinct tuples of its key columns. NULL keys are equal to each other for
// grouping. With no key columns there is exactly one group, id 0, even
// before any row arrives, as a global aggregate returns one row for empty
// input.
//
// Each key column first maps its values to column-local ids with a table
// suited to its type. One column's ids are the group ids. With more
// columns, pairs of ids are folded left to right (see pairLevel), so a row
// costs one cheap lookup per column whatever the key types, and a batch
// costs one typed loop per column.
//
// A GroupTable is not safe for concurrent use.
type GroupTable struct {
	mem    memory.Allocator
	types  []arrow.DataType
	cols   []keyColumn
	pairs  []pairLevel // pairs[i] combines the ids of columns 0..i with column i+1
	colIDs []uint32    // scratch for the ids of one column
}

// NewGroupTable returns an empty table for keys of the given types; its
// output arrays are allocated from mem.
func NewGroupTable(mem memory.Allocator, keyTypes []arrow.DataType) (*GroupTable, error) {
	t := &GroupTable{mem: mem, types: slices.Clone(keyTypes)}
	for _, dt := range keyTypes {
		c, err := newKeyColumn(dt)
		if err != nil {
			return nil, err
		}
		t.cols = append(t.cols, c)
	}
	if len(keyTypes) > 1 {
		t.pairs = make([]pairLevel, len(keyTypes)-1)
	}
	return t, nil
}

// Insert returns the group id of every row of the batch keys (one array per
// key column, all of the same length), creating groups for new tuples. It
// reuses ids as the result's storage when it is large enough.
//
// Without key columns a batch has no length to read: Insert then sets every
// element of ids, as long as the caller made it, to group 0. InsertRows
// takes the row count explicitly.
func (t *GroupTable) Insert(keys []arrow.Array, ids []uint32) ([]uint32, error) {
	if len(keys) != len(t.cols) {
		return ids, fmt.Errorf("group table has %d key columns, batch has %d: %w", len(t.cols), len(keys), errs.ErrInternal)
	}
	if len(keys) == 0 {
		clear(ids)
		return ids, nil
	}
	n := keys[0].Len()
	for _, k := range keys[1:] {
		if k.Len() != n {
			return ids, fmt.Errorf("key columns of %d and %d rows: %w", n, k.Len(), errs.ErrInternal)
		}
	}
	ids = resize(ids, n)
	if err := t.cols[0].insert(keys[0], ids); err != nil {
		return ids, err
	}
	if len(t.cols) == 1 {
		return ids, nil
	}
	t.colIDs = resize(t.colIDs, n)
	for c := 1; c < len(t.cols); c++ {
		if err := t.cols[c].insert(keys[c], t.colIDs); err != nil {
			return ids, err
		}
		p := &t.pairs[c-1]
		if err := checkRoom(len(p.pairs), n); err != nil {
			return ids, err
		}
		nLeft := t.cols[0].len()
		if c > 1 {
			nLeft = len(t.pairs[c-2].pairs)
		}
		p.combine(ids, t.colIDs, nLeft, t.cols[c].len())
	}
	return ids, nil
}

// InsertRows is Insert for a batch of n rows. With zero key columns it
// returns n zeros.
func (t *GroupTable) InsertRows(n int, keys []arrow.Array, ids []uint32) ([]uint32, error) {
	if len(t.cols) == 0 {
		ids = resize(ids, n)
		clear(ids)
		return ids, nil
	}
	if len(keys) > 0 && keys[0].Len() != n {
		return ids, fmt.Errorf("batch of %d rows has key columns of %d: %w", n, keys[0].Len(), errs.ErrInternal)
	}
	return t.Insert(keys, ids)
}

// Len returns the number of groups.
func (t *GroupTable) Len() int {
	switch len(t.cols) {
	case 0:
		return 1
	case 1:
		return t.cols[0].len()
	}
	return len(t.pairs[len(t.pairs)-1].pairs)
}

// Types returns the key types.
func (t *GroupTable) Types() []arrow.DataType { return slices.Clone(t.types) }

// Keys returns one array per key column holding the key of every group, in
// group id order. The caller releases them.
func (t *GroupTable) Keys() ([]arrow.Array, error) {
	k := len(t.cols)
	switch k {
	case 0:
		return nil, nil
	case 1:
		a, err := t.cols[0].build(t.mem, nil)
		if err != nil {
			return nil, err
		}
		return []arrow.Array{a}, nil
	}
	// Unfold the pair levels from the last one back: the last level gives
	// the id in the last column and the id of the prefix before it.
	n := t.Len()
	colIDs := make([][]uint32, k)
	cur := make([]uint32, n)
	for g := range cur {
		cur[g] = uint32(g)
	}
	for c := k - 1; c >= 1; c-- {
		pairs := t.pairs[c-1].pairs
		ids := make([]uint32, n)
		for g, p := range cur {
			key := pairs[p]
			ids[g] = uint32(key)
			cur[g] = uint32(key >> 32)
		}
		colIDs[c] = ids
	}
	colIDs[0] = cur
	out := make([]arrow.Array, 0, k)
	for c, col := range t.cols {
		a, err := col.build(t.mem, colIDs[c])
		if err != nil {
			for _, o := range out {
				o.Release()
			}
			return nil, err
		}
		out = append(out, a)
	}
	return out, nil
}

// SizeBytes estimates the memory the table holds, for memory limits.
func (t *GroupTable) SizeBytes() int {
	n := 4 * cap(t.colIDs)
	for _, c := range t.cols {
		n += c.sizeBytes()
	}
	for i := range t.pairs {
		n += t.pairs[i].sizeBytes()
	}
	return n
}

// Release frees the table's memory. The table must not be used afterwards.
func (t *GroupTable) Release() {
	t.cols, t.pairs, t.colIDs = nil, nil, nil
}

// resize returns s with length n, reallocating only when it is too small.
func resize[T any](s []T, n int) []T {
	if cap(s) < n {
		return make([]T, n)
	}
	return s[:n]
}
