package sorting

import (
	"fmt"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/memory"

	"lakeframe/errs"
)

// Run is a sequence of batches already sorted by the sort keys, with each
// batch's evaluated key columns: Keys[i] belongs to Batches[i].
type Run struct {
	Batches []arrow.RecordBatch
	Keys    [][]arrow.Array
}

// Merge merges sorted runs into one sorted sequence of batches of at most
// BatchRows rows. Rows with equal keys come in run order, then in their
// order within the run, so merging the sorted parts of a stable sort gives
// the stable sort of the whole. The caller releases the output; the inputs
// are not released.
func Merge(mem memory.Allocator, runs []Run, order []Key) ([]arrow.RecordBatch, error) {
	var batches []arrow.RecordBatch
	var keys [][]arrow.Array
	ends := make([]int, len(runs))
	n := 0
	for i, r := range runs {
		if len(r.Keys) != len(r.Batches) {
			return nil, fmt.Errorf("merge: run %d: key columns for %d batches, got %d batches: %w",
				i, len(r.Keys), len(r.Batches), errs.ErrInternal)
		}
		batches = append(batches, r.Batches...)
		keys = append(keys, r.Keys...)
		for _, b := range r.Batches {
			n += int(b.NumRows())
		}
		ends[i] = n
	}
	kr, err := encodeBatches(batches, keys, order)
	if err != nil {
		return nil, fmt.Errorf("merge: %w", err)
	}
	if kr == nil {
		return nil, nil
	}
	out, err := gatherPerm(mem, batches, kr.mergePerm(ends))
	if err != nil {
		return nil, fmt.Errorf("merge: %w", err)
	}
	return out, nil
}
