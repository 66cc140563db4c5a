package frame_test

import (
	"slices"
	"testing"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"
)

// arrowTable builds a one-batch Arrow table of schema with one row per
// element of rows, each appended by add.
func arrowTable[R any](schema *arrow.Schema, rows []R, add func(b *array.RecordBuilder, r R)) arrow.Table {
	b := array.NewRecordBuilder(memory.DefaultAllocator, schema)
	defer b.Release()
	for _, r := range rows {
		add(b, r)
	}
	rec := b.NewRecordBatch()
	defer rec.Release()
	return array.NewTableFromRecords(schema, []arrow.RecordBatch{rec})
}

// sortedRows renders every row of tbl, batch by batch, with render and
// returns the rendered rows sorted. It reads tbl with arrow-go alone,
// independently of lakeframe's code.
func sortedRows(tbl arrow.Table, render func(rec arrow.RecordBatch) []string) []string {
	var out []string
	rdr := array.NewTableReader(tbl, 1024)
	defer rdr.Release()
	for rdr.Next() {
		out = append(out, render(rdr.RecordBatch())...)
	}
	slices.Sort(out)
	return out
}

// column is rec's column called name, by name so that column order does
// not matter; the test fails unless exactly one column has that name.
func column(t *testing.T, rec arrow.RecordBatch, name string) arrow.Array {
	t.Helper()
	idx := rec.Schema().FieldIndices(name)
	if len(idx) != 1 {
		t.Fatalf("read schema %s has no single column %q", rec.Schema(), name)
	}
	return rec.Column(idx[0])
}
