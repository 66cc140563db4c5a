//go:build cgo

package sql

import (
	"fmt"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	mem "github.com/apache/arrow-go/v18/arrow/memory"

	"lakeframe/exec/source/memory"
	"lakeframe/frame"
	"lakeframe/plan"
)

// table is a table the session knows: either a frame registered by the
// caller, or an in-memory table made by CREATE TABLE, held as record
// batches that INSERT appends to.
type table struct {
	name    string
	frame   *frame.DataFrame // a registered frame; nil for in-memory tables
	schema  *arrow.Schema
	batches []arrow.RecordBatch
}

// plan returns the table's logical plan. An in-memory table's batches are
// first combined into one, so that many single-row INSERTs do not leave a
// scan of thousands of tiny batches. Earlier versions of the batches are
// not released: frames built from them may still be read, and the Go
// allocator frees them once nothing refers to them.
func (t *table) plan() (plan.Node, error) {
	if t.frame != nil {
		return t.frame.Plan()
	}
	if len(t.batches) > 1 {
		combined, err := concatBatches(t.schema, t.batches)
		if err != nil {
			return nil, fmt.Errorf("table %s: %w", t.name, err)
		}
		t.batches = []arrow.RecordBatch{combined}
	}
	src, err := memory.NewSourceFromRecords(t.schema, t.batches, memory.Options{Name: t.name})
	if err != nil {
		return nil, err
	}
	return plan.NewScan(src), nil
}

// concatBatches makes one batch of several with the same schema.
func concatBatches(schema *arrow.Schema, batches []arrow.RecordBatch) (arrow.RecordBatch, error) {
	cols := make([]arrow.Array, schema.NumFields())
	var rows int64
	for _, b := range batches {
		rows += b.NumRows()
	}
	for i := range cols {
		parts := make([]arrow.Array, len(batches))
		for j, b := range batches {
			parts[j] = b.Column(i)
		}
		c, err := array.Concatenate(parts, mem.DefaultAllocator)
		if err != nil {
			return nil, err
		}
		cols[i] = c
	}
	return array.NewRecordBatch(schema, cols, rows), nil
}
