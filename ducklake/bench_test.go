package ducklake_test

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"testing"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"
	"github.com/apache/arrow-go/v18/parquet"
	"github.com/apache/arrow-go/v18/parquet/compress"
	"github.com/apache/arrow-go/v18/parquet/pqarrow"
	"github.com/uptrace/bun/driver/sqliteshim"

	"lakeframe/ducklake"
	"lakeframe/ducklake/ducklaketest"
	"lakeframe/exec"
	pqsource "lakeframe/exec/source/parquet"
	"lakeframe/expr"
	"lakeframe/plan"
)

const (
	benchFiles       = 4
	benchRowsPerFile = 500_000
)

// benchLake writes (once per process) four Parquet files of 500k rows
// (id int64, price float64, flag string of 3 values, note string) with
// field ids, a catalog that registers them with 10% of the first file
// deleted, and returns the catalog path and the data files.
func benchLake(b *testing.B) (string, []string) {
	b.Helper()
	dir := filepath.Join(b.TempDir(), "lake")
	data := filepath.Join(dir, "data", "main", "t")
	if err := os.MkdirAll(data, 0o755); err != nil {
		b.Fatal(err)
	}
	path := filepath.Join(dir, "lake.sqlite")
	db, err := sql.Open(sqliteshim.ShimName, "file:"+path)
	if err != nil {
		b.Fatal(err)
	}
	defer db.Close()
	bl := ducklaketest.NewBuilder(b, db, ducklake.SQLite, filepath.Join(dir, "data"))
	bl.RowGroupRows = 122880
	bl.Snapshot(0, 0, `created_schema:"main"`)
	bl.Schema(0, 0, "main", "main/")
	bl.Snapshot(1, 1, `created_table:"main"."t"`)
	bl.Table(1, 0, 1, "t", "t/")
	for i, c := range []struct{ name, typ string }{{"id", "int64"}, {"price", "float64"}, {"flag", "varchar"}, {"note", "varchar"}} {
		bl.Column(1, int64(i+1), 1, int64(i+1), c.name, c.typ, "")
	}
	bl.Snapshot(2, 1, "inserted_into_table:1")
	var paths []string
	for f := range benchFiles {
		name := fmt.Sprintf("data-%d.parquet", f)
		p := filepath.Join(data, name)
		size := writeBenchFile(b, p, int64(f*benchRowsPerFile))
		paths = append(paths, p)
		bl.Exec(`INSERT INTO ducklake_data_file (data_file_id, table_id, begin_snapshot, path, path_is_relative, file_format, record_count, file_size_bytes)
			VALUES (?, 1, 2, ?, true, 'parquet', ?, ?)`, f, name, benchRowsPerFile, size)
	}
	bl.Snapshot(3, 1, "deleted_from_table:1")
	var pos []int64
	for p := int64(0); p < benchRowsPerFile; p += 10 {
		pos = append(pos, p)
	}
	bl.DeleteFile(1, 3, 0, "main/t/", pos)
	return path, paths
}

func writeBenchFile(b *testing.B, path string, lo int64) int64 {
	mem := memory.NewGoAllocator()
	fid := func(id string) arrow.Metadata { return arrow.NewMetadata([]string{"PARQUET:field_id"}, []string{id}) }
	schema := arrow.NewSchema([]arrow.Field{
		{Name: "id", Type: arrow.PrimitiveTypes.Int64, Nullable: true, Metadata: fid("1")},
		{Name: "price", Type: arrow.PrimitiveTypes.Float64, Nullable: true, Metadata: fid("2")},
		{Name: "flag", Type: arrow.BinaryTypes.String, Nullable: true, Metadata: fid("3")},
		{Name: "note", Type: arrow.BinaryTypes.String, Nullable: true, Metadata: fid("4")},
	}, nil)
	rb := array.NewRecordBuilder(mem, schema)
	defer rb.Release()
	flags := []string{"A", "N", "R"}
	for i := lo; i < lo+benchRowsPerFile; i++ {
		rb.Field(0).(*array.Int64Builder).Append(i)
		rb.Field(1).(*array.Float64Builder).Append(float64(i%10007) / 7)
		rb.Field(2).(*array.StringBuilder).Append(flags[i%3])
		rb.Field(3).(*array.StringBuilder).Append(fmt.Sprintf("note %d of the benchmark", i*7919%100003))
	}
	rec := rb.NewRecordBatch()
	defer rec.Release()
	f, err := os.Create(path)
	if err != nil {
		b.Fatal(err)
	}
	props := parquet.NewWriterProperties(parquet.WithCompression(compress.Codecs.Snappy), parquet.WithMaxRowGroupLength(122880))
	w, err := pqarrow.NewFileWriter(schema, f, props, pqarrow.DefaultWriterProps())
	if err != nil {
		b.Fatal(err)
	}
	if err := w.Write(rec); err != nil {
		b.Fatal(err)
	}
	if err := w.Close(); err != nil {
		b.Fatal(err)
	}
	st, err := os.Stat(path)
	if err != nil {
		b.Fatal(err)
	}
	return st.Size()
}

// drain plans src and reads every task on one goroutine; it returns the
// rows read.
func drain(b *testing.B, src exec.Scanner, cols []string) int64 {
	ctx := context.Background()
	sp, err := src.Plan(ctx, plan.Pushdown{Columns: cols, Limit: -1})
	if err != nil {
		b.Fatal(err)
	}
	var rows int64
	for _, task := range sp.Tasks {
		st, err := src.Open(ctx, &exec.TaskContext{Mem: memory.DefaultAllocator, BatchSize: exec.DefaultBatchSize}, task)
		if err != nil {
			b.Fatal(err)
		}
		for {
			rec, err := st.Next(ctx)
			if errors.Is(err, io.EOF) {
				break
			}
			if err != nil {
				b.Fatal(err)
			}
			rows += rec.NumRows()
			rec.Release()
		}
		st.Close()
	}
	return rows
}

// BenchmarkScan compares reading a DuckLake table (catalog queries,
// field-id mapping, a delete file on a quarter of the rows) with the
// Parquet source reading the same files, both on one goroutine.
func BenchmarkScan(b *testing.B) {
	path, files := benchLake(b)
	cat, err := ducklake.OpenSQLite(context.Background(), path, ducklake.Options{})
	if err != nil {
		b.Fatal(err)
	}
	defer cat.Close()
	for _, cols := range [][]string{{"id", "price"}, {"id", "price", "flag", "note"}} {
		name := fmt.Sprintf("%dcols", len(cols))
		b.Run("ducklake/"+name, func(b *testing.B) {
			src, err := ducklake.NewSource(context.Background(), cat, "t")
			if err != nil {
				b.Fatal(err)
			}
			var rows int64
			for b.Loop() {
				rows = drain(b, src, cols)
			}
			if want := int64(benchFiles*benchRowsPerFile - benchRowsPerFile/10); rows != want {
				b.Fatalf("read %d rows, want %d", rows, want)
			}
			b.ReportMetric(float64(rows)*float64(b.N)/b.Elapsed().Seconds()/1e6, "Mrows/s")
		})
		b.Run("parquet/"+name, func(b *testing.B) {
			src, err := pqsource.NewSource(context.Background(), files, pqsource.Options{})
			if err != nil {
				b.Fatal(err)
			}
			var rows int64
			for b.Loop() {
				rows = drain(b, src, cols)
			}
			b.ReportMetric(float64(rows)*float64(b.N)/b.Elapsed().Seconds()/1e6, "Mrows/s")
		})
	}
}

// BenchmarkPlan measures planning against a SQLite catalog: the catalog
// queries, statistics pruning and reading the footers of files kept.
func BenchmarkPlan(b *testing.B) {
	path, _ := benchLake(b)
	cat, err := ducklake.OpenSQLite(context.Background(), path, ducklake.Options{})
	if err != nil {
		b.Fatal(err)
	}
	defer cat.Close()
	src, err := ducklake.NewSource(context.Background(), cat, "t")
	if err != nil {
		b.Fatal(err)
	}
	filter, err := expr.Resolve(expr.Col("id").Lt(100_000).Node(), src.Schema())
	if err != nil {
		b.Fatal(err)
	}
	for _, tc := range []struct {
		name string
		pd   plan.Pushdown
	}{
		{"no_filter", plan.Pushdown{Limit: -1}},
		{"filter", plan.Pushdown{Filters: []expr.Node{filter}, Limit: -1}},
	} {
		b.Run(tc.name, func(b *testing.B) {
			for b.Loop() {
				if _, err := src.Plan(context.Background(), tc.pd); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
