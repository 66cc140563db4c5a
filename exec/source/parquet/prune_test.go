//go:build cgo

package parquet

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"
	pq "github.com/apache/arrow-go/v18/parquet"
	"github.com/apache/arrow-go/v18/parquet/pqarrow"

	st "lakeframe/exec/source/sourcetest"
	"lakeframe/expr"
	"lakeframe/plan"
)

var pruneSchema = arrow.NewSchema([]arrow.Field{
	{Name: "id", Type: arrow.PrimitiveTypes.Int64},
	{Name: "s", Type: arrow.BinaryTypes.String},
	{Name: "f", Type: arrow.PrimitiveTypes.Float64},
	{Name: "d", Type: arrow.FixedWidthTypes.Date32},
	{Name: "ts", Type: &arrow.TimestampType{Unit: arrow.Microsecond}},
	{Name: "flag", Type: arrow.FixedWidthTypes.Boolean},
	{Name: "n", Type: arrow.PrimitiveTypes.Int32, Nullable: true},
	{Name: "u", Type: arrow.PrimitiveTypes.Uint32},
	{Name: "small", Type: arrow.PrimitiveTypes.Int8},
}, nil)

// writePruneFile writes rows [from, to) in row groups of exactly 1000
// rows, so that row group k of a file starting at 0 holds ids
// [1000k, 1000k+999]:
//
//	s = "k%05d" of id, f = id/10, d = day id/100, ts = id seconds,
//	flag = id >= 5000, n = NULL in row group 3 and for even ids in row
//	group 7, else id; u = id; small = id % 100.
func writePruneFile(t *testing.T, path string, from, to int) {
	t.Helper()
	mem := memory.NewGoAllocator()
	b := array.NewRecordBuilder(mem, pruneSchema)
	defer b.Release()
	for id := from; id < to; id++ {
		b.Field(0).(*array.Int64Builder).Append(int64(id))
		b.Field(1).(*array.StringBuilder).Append(fmt.Sprintf("k%05d", id))
		b.Field(2).(*array.Float64Builder).Append(float64(id) / 10)
		b.Field(3).(*array.Date32Builder).Append(arrow.Date32(id / 100))
		b.Field(4).(*array.TimestampBuilder).Append(arrow.Timestamp(int64(id) * 1_000_000))
		b.Field(5).(*array.BooleanBuilder).Append(id >= 5000)
		if rg := id / 1000; rg == 3 || rg == 7 && id%2 == 0 {
			b.Field(6).(*array.Int32Builder).AppendNull()
		} else {
			b.Field(6).(*array.Int32Builder).Append(int32(id))
		}
		b.Field(7).(*array.Uint32Builder).Append(uint32(id))
		b.Field(8).(*array.Int8Builder).Append(int8(id % 100))
	}
	rec := b.NewRecordBatch()
	defer rec.Release()
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	w, err := pqarrow.NewFileWriter(pruneSchema, f, pq.NewWriterProperties(pq.WithMaxRowGroupLength(1000)), pqarrow.DefaultWriterProps())
	if err != nil {
		t.Fatal(err)
	}
	if err := w.Write(rec); err != nil {
		t.Fatal(err)
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
}

// writeRecords writes records to a Parquet file for DuckDB to query.
func writeRecords(t *testing.T, path string, schema *arrow.Schema, recs []arrow.RecordBatch) {
	t.Helper()
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	w, err := pqarrow.NewFileWriter(schema, f, pq.NewWriterProperties(), pqarrow.DefaultWriterProps())
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range recs {
		if err := w.Write(r); err != nil {
			t.Fatal(err)
		}
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
}

func TestRowGroupPruning(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "data.parquet")
	writePruneFile(t, path, 0, 10000)
	db := st.OpenDB(t)
	c := expr.Col
	day := func(n int) time.Time { return time.Unix(int64(n)*86400, 0).UTC() }
	cases := []struct {
		name    string
		pred    expr.Expr
		sql     string
		kept    int
		support plan.FilterSupport
	}{
		{"range", c("id").Ge(2500).And(c("id").Lt(4200)), "id >= 2500 AND id < 4200", 3, plan.FilterInexact},
		{"eq last", c("id").Eq(9999), "id = 9999", 1, plan.FilterInexact},
		{"eq outside", c("id").Eq(10000), "id = 10000", 0, plan.FilterInexact},
		{"between", c("id").Between(999, 1000), "id BETWEEN 999 AND 1000", 2, plan.FilterInexact},
		{"literal left", expr.Lit(1500).Gt(c("id")), "1500 > id", 2, plan.FilterInexact},
		{"string eq", c("s").Eq("k05000"), "s = 'k05000'", 1, plan.FilterInexact},
		{"string ge", c("s").Ge("k09000"), "s >= 'k09000'", 1, plan.FilterInexact},
		// "k08999" is row group 8's maximum; a maximum may be a truncated
		// prefix, so row group 8 is kept.
		{"string gt max", c("s").Gt("k08999"), "s > 'k08999'", 2, plan.FilterInexact},
		{"float gt", c("f").Gt(899.9), "f > 899.9", 1, plan.FilterInexact},
		{"float le", c("f").Le(99.9), "f <= 99.9", 1, plan.FilterInexact},
		{"date ge", c("d").Ge(day(24)), "d >= DATE '1970-01-25'", 8, plan.FilterInexact},
		{"date string literal", c("d").Lt("1970-01-11"), "d < DATE '1970-01-11'", 1, plan.FilterInexact},
		{"timestamp", c("ts").Lt(time.Unix(1000, 0)), "ts < TIMESTAMP '1970-01-01 00:16:40'", 1, plan.FilterInexact},
		{"bool column", c("flag"), "flag", 5, plan.FilterInexact},
		{"bool eq false", c("flag").Eq(false), "flag = false", 5, plan.FilterInexact},
		{"is null", c("n").IsNull(), "n IS NULL", 2, plan.FilterInexact},
		{"is not null", c("n").IsNotNull(), "n IS NOT NULL", 9, plan.FilterInexact},
		{"null and range", c("n").IsNull().And(c("id").Lt(5000)), "n IS NULL AND id < 5000", 1, plan.FilterInexact},
		{"in", c("id").IsIn(5, 1500, 7000, 20000), "id IN (5, 1500, 7000, 20000)", 3, plan.FilterInexact},
		{"or", c("id").Lt(1000).Or(c("id").Ge(9000)), "id < 1000 OR id >= 9000", 2, plan.FilterInexact},
		{"not", c("id").Lt(8000).Not(), "NOT id < 8000", 2, plan.FilterInexact},
		{"unsigned", c("u").Gt(uint32(8999)), "u > 8999", 1, plan.FilterInexact},
		{"small never prunes", c("small").Lt(50), "small < 50", 10, plan.FilterInexact},
		{"small outside", c("small").Gt(100), "small > 100", 0, plan.FilterInexact},
		{"arithmetic", c("id").Add(1).Gt(9000), "id + 1 > 9000", 10, plan.FilterUnsupported},
		{"prefix", c("s").Str().StartsWith("k09"), "starts_with(s, 'k09')", 1, plan.FilterInexact},
		{"function", c("s").Str().EndsWith("9"), "ends_with(s, '9')", 10, plan.FilterUnsupported},
		{"two columns", c("id").Gt(c("n")), "id > n", 10, plan.FilterUnsupported},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
			defer mem.AssertSize(t, 0)
			src, err := NewSource(context.Background(), []string{path}, Options{TaskBytes: 1})
			if err != nil {
				t.Fatal(err)
			}
			pred, err := expr.Resolve(tc.pred.Node(), src.Schema())
			if err != nil {
				t.Fatal(err)
			}
			if got := src.SupportsFilter(pred); got != tc.support {
				t.Errorf("SupportsFilter = %v, want %v", got, tc.support)
			}
			recs, sp, err := st.Scan(t, src, plan.Pushdown{Filters: []expr.Node{pred}, Limit: -1}, mem, 4096)
			if err != nil {
				t.Fatal(err)
			}
			defer st.Release(recs)
			if sp.Stats.RowGroupsTotal != 10 || sp.Stats.RowGroupsKept != tc.kept {
				t.Errorf("row groups kept %d/%d, want %d/10", sp.Stats.RowGroupsKept, sp.Stats.RowGroupsTotal, tc.kept)
			}
			var rows int64
			for _, r := range recs {
				rows += r.NumRows()
			}
			if rows != int64(tc.kept)*1000 || sp.Stats.RowsEstimate != rows {
				t.Errorf("read %d rows (estimate %d), want all %d rows of the kept row groups", rows, sp.Stats.RowsEstimate, tc.kept*1000)
			}
			// The rows kept, filtered afterwards, are what DuckDB returns
			// with the filter applied to the whole file.
			out := filepath.Join(t.TempDir(), "out.parquet")
			writeRecords(t, out, src.Schema(), recs)
			got := st.Query(t, db, fmt.Sprintf("SELECT * FROM read_parquet('%s') WHERE %s", out, tc.sql))
			want := st.Query(t, db, fmt.Sprintf("SELECT * FROM read_parquet('%s') WHERE %s", path, tc.sql))
			st.SameRows(t, got, want)
		})
	}
}

func TestFilesAndTasks(t *testing.T) {
	dir := t.TempDir()
	for i := range 4 {
		writePruneFile(t, filepath.Join(dir, fmt.Sprintf("part-%d.parquet", i)), i*2000, i*2000+2000)
	}
	ctx := context.Background()
	pred, _ := expr.Resolve(expr.Col("id").Ge(3500).Node(), pruneSchema)
	cases := []struct {
		name       string
		taskBytes  int64
		filters    []expr.Node
		wantFiles  int
		wantGroups int
		wantTasks  int
	}{
		// Each file holds two row groups of 1000 rows.
		{"one task per row group", 1, nil, 4, 8, 8},
		{"all in one task", 1 << 40, nil, 4, 8, 1},
		{"pruned files", 1, []expr.Node{pred}, 3, 5, 5},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			src, err := NewSource(ctx, []string{filepath.Join(dir, "*.parquet")}, Options{TaskBytes: c.taskBytes})
			if err != nil {
				t.Fatal(err)
			}
			sp, err := src.Plan(ctx, plan.Pushdown{Filters: c.filters, Limit: -1})
			if err != nil {
				t.Fatal(err)
			}
			s := sp.Stats
			if s.FilesTotal != 4 || s.FilesKept != c.wantFiles || s.RowGroupsKept != c.wantGroups || len(sp.Tasks) != c.wantTasks {
				t.Errorf("stats %+v with %d tasks, want files %d, row groups %d, tasks %d", s, len(sp.Tasks), c.wantFiles, c.wantGroups, c.wantTasks)
			}
			var bytes int64
			for _, task := range sp.Tasks {
				bytes += task.EstimatedBytes()
			}
			if bytes != s.BytesToRead || bytes <= 0 {
				t.Errorf("task bytes %d, stats bytes %d", bytes, s.BytesToRead)
			}
		})
	}
}
