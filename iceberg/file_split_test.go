package iceberg

import (
	"context"
	"path/filepath"
	"slices"
	"strconv"
	"testing"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"
	"github.com/apache/iceberg-go/table"

	"lakeframe/plan"
)

// TestSplitByRowGroups: a data file lakeframe writes records its row
// groups' starts as split offsets; a scan cuts it into one task per row
// group, and the tasks together read every row exactly once.
func TestSplitByRowGroups(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	cat, err := OpenCatalog(ctx, "sqlite://"+filepath.Join(dir, "catalog.db"),
		map[string]string{"warehouse": "file://" + filepath.Join(dir, "wh")})
	if err != nil {
		t.Fatal(err)
	}
	schema := arrow.NewSchema([]arrow.Field{{Name: "id", Type: arrow.PrimitiveTypes.Int64}}, nil)
	tbl, err := CreateTable(ctx, cat, table.Identifier{"db", "split"}, schema,
		WithTableProperties(map[string]string{"write.parquet.row-group-limit": "1000"}))
	if err != nil {
		t.Fatal(err)
	}
	const rows = 5500
	b := array.NewInt64Builder(memory.DefaultAllocator)
	for i := range int64(rows) {
		b.Append(i)
	}
	col := b.NewArray()
	b.Release()
	rec := array.NewRecordBatch(schema, []arrow.Array{col}, rows)
	col.Release()
	tbl, err = Write(ctx, tbl, schema, func(yield func(arrow.RecordBatch, error) bool) { yield(rec, nil) }, WriteOptions{})
	if err != nil {
		t.Fatal(err)
	}

	src, err := NewSource(tbl, ScanOptions{TaskBytes: 1})
	if err != nil {
		t.Fatal(err)
	}
	p, err := src.Plan(ctx, plan.Pushdown{Limit: -1})
	if err != nil {
		t.Fatal(err)
	}
	if p.Stats.FilesKept != 1 || len(p.Tasks) != 6 {
		t.Fatalf("%d files in %d tasks, want 1 file in 6 tasks (one per row group)", p.Stats.FilesKept, len(p.Tasks))
	}
	offsets := p.Tasks[0].(*Task).Files[0].File.SplitOffsets()
	if len(offsets) != 6 || !slices.IsSorted(offsets) {
		t.Errorf("split offsets %v, want 6 ascending", offsets)
	}
	got := readStrings(t, src, plan.Pushdown{Limit: -1})
	if len(got) != rows {
		t.Fatalf("read %d rows, want %d", len(got), rows)
	}
	slices.SortFunc(got, func(a, b string) int {
		x, _ := strconv.Atoi(a)
		y, _ := strconv.Atoi(b)
		return x - y
	})
	for i, s := range got {
		if s != strconv.Itoa(i) {
			t.Fatalf("row %d is %s: rows lost or read twice", i, s)
		}
	}
}
