//go:build cgo

package parquet

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"testing"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"
	pq "github.com/apache/arrow-go/v18/parquet"
	"github.com/apache/arrow-go/v18/parquet/pqarrow"

	st "lakeframe/exec/source/sourcetest"
	"lakeframe/plan"
)

// TestDictionaryFallback reads string columns whose dictionary overflows
// mid-chunk, so that later pages are plain-encoded, next to a
// low-cardinality column that stays dictionary-encoded, with nulls, and
// one column stored as large_string.
func TestDictionaryFallback(t *testing.T) {
	schema := arrow.NewSchema([]arrow.Field{
		{Name: "unique", Type: arrow.BinaryTypes.String, Nullable: true},
		{Name: "few", Type: arrow.BinaryTypes.String, Nullable: true},
		{Name: "large", Type: arrow.BinaryTypes.LargeString, Nullable: true},
	}, nil)
	b := array.NewRecordBuilder(memory.DefaultAllocator, schema)
	defer b.Release()
	const n = 120000
	for i := range n {
		if i%9 == 0 {
			b.Field(0).AppendNull()
		} else {
			b.Field(0).(*array.StringBuilder).Append(fmt.Sprintf("value-%012d-%d", i*7919, i))
		}
		if i%5 == 0 {
			b.Field(1).AppendNull()
		} else {
			b.Field(1).(*array.StringBuilder).Append([]string{"", "A", "N", "long value here"}[i%4])
		}
		b.Field(2).(*array.LargeStringBuilder).Append([]string{"x", "yy", "zzz"}[i%3])
	}
	rec := b.NewRecordBatch()
	defer rec.Release()
	path := filepath.Join(t.TempDir(), "dict.parquet")
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	w, err := pqarrow.NewFileWriter(schema, f, pq.NewWriterProperties(pq.WithMaxRowGroupLength(50000), pq.WithDictionaryPageSizeLimit(64<<10)),
		pqarrow.NewArrowWriterProperties(pqarrow.WithStoreSchema()))
	if err != nil {
		t.Fatal(err)
	}
	if err := w.Write(rec); err != nil {
		t.Fatal(err)
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)
	src, err := NewSource(context.Background(), []string{path}, Options{})
	if err != nil {
		t.Fatal(err)
	}
	recs, _, err := st.Scan(t, src, plan.Pushdown{Limit: -1}, mem, 7000)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Release(recs)
	if got := st.SchemaString(recs[0].Schema()); got != "unique:utf8 few:utf8 large:large_utf8" {
		t.Errorf("schema %s", got)
	}
	want := st.Query(t, st.OpenDB(t), fmt.Sprintf("SELECT * FROM read_parquet('%s')", path))
	st.SameRows(t, st.Rows(recs), want)
}
