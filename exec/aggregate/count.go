package aggregate

import (
	"fmt"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/memory"

	"lakeframe/errs"
)

// count implements Count (non-null values) and CountAll (rows).
type count struct {
	mem    memory.Allocator
	in     arrow.DataType
	all    bool
	counts []int64
}

func (a *count) Update(ids []uint32, numGroups int, in arrow.Array) error {
	switch {
	case !a.all:
		if err := checkInput(a.in, ids, in); err != nil {
			return err
		}
	case in != nil && in.Len() != len(ids):
		// CountAll looks at no values, so any input type will do.
		return fmt.Errorf("%d group ids for %d input rows: %w", len(ids), in.Len(), errs.ErrInternal)
	}
	a.counts = grow(a.counts, numGroups)
	counts := a.counts
	if a.all || in == nil || in.NullN() == 0 {
		for _, g := range ids {
			counts[g]++
		}
		return nil
	}
	if in.NullN() == in.Len() {
		return nil
	}
	bits, off := in.NullBitmapBytes(), in.Data().Offset()
	for i, g := range ids {
		if isValid(bits, off, i) {
			counts[g]++
		}
	}
	return nil
}

func (a *count) Merge(ids []uint32, numGroups int, states []arrow.Array) error {
	k := Count
	if a.all {
		k = CountAll
	}
	if err := checkStates(k, a.in, ids, states); err != nil {
		return err
	}
	a.counts = grow(a.counts, numGroups)
	return addCounts(a.counts, ids, states[0])
}

// addCounts adds the non-null values of the Int64 array in to dst[ids[i]].
// Counts are bounded by row counts, so they cannot overflow.
func addCounts(dst []int64, ids []uint32, in arrow.Array) error {
	vals, err := fixedValues[int64](in)
	if err != nil {
		return err
	}
	vals = vals[:len(ids)]
	bits, off := validBits(in), in.Data().Offset()
	for i, g := range ids {
		if isValid(bits, off, i) {
			dst[g] += vals[i]
		}
	}
	return nil
}

func (a *count) States() ([]arrow.Array, error) {
	return []arrow.Array{fixedArray(a.mem, arrow.PrimitiveTypes.Int64, a.counts, nil)}, nil
}

func (a *count) Finish() (arrow.Array, error) {
	return fixedArray(a.mem, arrow.PrimitiveTypes.Int64, a.counts, nil), nil
}

func (a *count) Release() { a.counts = nil }
