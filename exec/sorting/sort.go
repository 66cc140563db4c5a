package sorting

import (
	"fmt"
	"math"
	"slices"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/memory"

	"lakeframe/errs"
)

// BatchRows is the most rows Sort and Merge put in one output batch.
const BatchRows = 64 << 10

// Sort returns all rows of batches ordered by their keys: keys[i] holds the
// evaluated key columns of batches[i], one per element of order. The sort
// is stable: rows with equal keys keep their input order, batch by batch.
// The output batches have the input schema and at most BatchRows rows; the
// caller releases them. The inputs are not released.
func Sort(mem memory.Allocator, batches []arrow.RecordBatch, keys [][]arrow.Array, order []Key) ([]arrow.RecordBatch, error) {
	kr, err := encodeBatches(batches, keys, order)
	if err != nil {
		return nil, fmt.Errorf("sort: %w", err)
	}
	if kr == nil {
		return nil, nil
	}
	out, err := gatherPerm(mem, batches, kr.sortPerm())
	if err != nil {
		return nil, fmt.Errorf("sort: %w", err)
	}
	return out, nil
}

// encodeBatches checks that batches share a schema and that keys match
// them, and encodes all their keys. It returns nil when there are no rows.
func encodeBatches(batches []arrow.RecordBatch, keys [][]arrow.Array, order []Key) (keyRows, error) {
	if len(keys) != len(batches) {
		return nil, fmt.Errorf("key columns for %d batches, got %d batches: %w", len(keys), len(batches), errs.ErrInternal)
	}
	total := 0
	for i, b := range batches {
		if !b.Schema().Equal(batches[0].Schema()) {
			return nil, fmt.Errorf("batch %d has schema %s, batch 0 has %s: %w", i, b.Schema(), batches[0].Schema(), errs.ErrInternal)
		}
		total += int(b.NumRows())
	}
	if total == 0 {
		return nil, nil
	}
	if total > math.MaxUint32 {
		return nil, fmt.Errorf("%d rows: %w", total, errs.ErrResourcesExhausted)
	}
	if len(keys[0]) != len(order) {
		return nil, fmt.Errorf("%d key columns for %d sort keys: %w", len(keys[0]), len(order), errs.ErrInternal)
	}
	types := keyTypes(keys[0])
	kr, err := newKeyRows(order, types, total)
	if err != nil {
		return nil, err
	}
	for i, b := range batches {
		if err := checkKeys(keys[i], types, int(b.NumRows())); err != nil {
			return nil, fmt.Errorf("batch %d: %w", i, err)
		}
	}
	if e, ok := kr.(*encodedKeys); ok {
		size := 0
		for i, b := range batches {
			size += e.enc.sizeHint(keys[i], int(b.NumRows()))
		}
		e.rows.data = slices.Grow(e.rows.data, size)
	}
	for i, b := range batches {
		kr.appendBatch(keys[i], int(b.NumRows()), nil)
	}
	return kr, nil
}

// gatherPerm returns the rows of batches in the order of perm, whose
// elements number rows across all batches, in batches of BatchRows.
func gatherPerm(mem memory.Allocator, batches []arrow.RecordBatch, perm []uint32) ([]arrow.RecordBatch, error) {
	if len(perm) == 0 {
		return nil, nil
	}
	batchOf := make([]int32, len(perm))
	starts := make([]uint32, len(batches))
	n := 0
	for i, b := range batches {
		starts[i] = uint32(n)
		rows := int(b.NumRows())
		for j := n; j < n+rows; j++ {
			batchOf[j] = int32(i)
		}
		n += rows
	}
	g := newGatherer(mem, batches[0].Schema(), batches)
	size := min(BatchRows, len(perm))
	bi, ri := make([]int32, size), make([]int32, size)
	out := make([]arrow.RecordBatch, 0, (len(perm)+BatchRows-1)/BatchRows)
	for lo := 0; lo < len(perm); lo += BatchRows {
		chunk := perm[lo:min(lo+BatchRows, len(perm))]
		bi, ri := bi[:len(chunk)], ri[:len(chunk)]
		for i, p := range chunk {
			b := batchOf[p]
			bi[i], ri[i] = b, int32(p-starts[b])
		}
		rec, err := g.gather(bi, ri)
		if err != nil {
			for _, r := range out {
				r.Release()
			}
			return nil, err
		}
		out = append(out, rec)
	}
	return out, nil
}
