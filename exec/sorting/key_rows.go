package sorting

import (
	"fmt"
	"slices"

	"github.com/apache/arrow-go/v18/arrow"

	"lakeframe/errs"
)

// keyRows holds the normalized sort keys of a sequence of rows. Its
// methods work on whole batches or whole sequences, so the per-row loops
// run inside the concrete type.
type keyRows interface {
	len() int
	reset()
	// appendBatch encodes rows sel of one batch's key columns, or all n
	// rows when sel is nil.
	appendBatch(keys []arrow.Array, n int, sel []uint32)
	// appendPicked copies rows idx of src, which has the same concrete
	// type and keys, in that order.
	appendPicked(src keyRows, idx []uint32)
	// sortPerm returns the row indices in sorted order; equal rows keep
	// their index order.
	sortPerm() []uint32
	// mergePerm merges the sorted runs [ends[i-1], ends[i]) and returns
	// the row indices in order; equal rows keep their run order.
	mergePerm(ends []int) []uint32
	// appendLess appends to out the indices of the rows that sort
	// strictly before row t of thr, which has the same concrete type.
	appendLess(thr keyRows, t int, out []uint32) []uint32
}

// newKeyRows picks the representation for keys of the given types: a
// single key that fits 64 bits uses fixedKeys, anything else encodedKeys.
// rows is the number of rows expected, to size the buffers.
func newKeyRows(order []Key, types []arrow.DataType, rows int) (keyRows, error) {
	if len(order) != len(types) {
		return nil, fmt.Errorf("%d key columns for %d sort keys: %w", len(types), len(order), errs.ErrInternal)
	}
	if len(types) == 1 {
		if norm, _, ok := fixedNormFor(types[0]); ok {
			f := newFixedKeys(norm, order[0])
			f.vals, f.valid = make([]uint64, 0, rows), make([]bool, 0, rows)
			return f, nil
		}
	}
	enc, err := newRowEncoder(order, types)
	if err != nil {
		return nil, err
	}
	r := newEncodedRows()
	r.offs = slices.Grow(r.offs, rows)
	return &encodedKeys{enc: enc, rows: r}, nil
}

// checkKeys reports whether keys are n-row columns of the given types.
func checkKeys(keys []arrow.Array, types []arrow.DataType, n int) error {
	if len(keys) != len(types) {
		return fmt.Errorf("%d key columns for %d sort keys: %w", len(keys), len(types), errs.ErrInternal)
	}
	for j, k := range keys {
		if k.Len() != n {
			return fmt.Errorf("sort key %d has %d rows, batch has %d: %w", j, k.Len(), n, errs.ErrInternal)
		}
		if !arrow.TypeEqual(k.DataType(), types[j]) {
			return fmt.Errorf("sort key %d is %s in one batch and %s in another: %w", j, types[j], k.DataType(), errs.ErrInternal)
		}
	}
	return nil
}

func keyTypes(keys []arrow.Array) []arrow.DataType {
	types := make([]arrow.DataType, len(keys))
	for j, k := range keys {
		types[j] = k.DataType()
	}
	return types
}
