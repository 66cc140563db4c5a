package ducklake_test

import (
	"context"
	"fmt"
	"iter"
	"testing"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"

	"lakeframe/ducklake"
	"lakeframe/expr"
)

var benchSchema = arrow.NewSchema([]arrow.Field{
	{Name: "id", Type: arrow.PrimitiveTypes.Int64, Nullable: true},
	{Name: "amount", Type: arrow.PrimitiveTypes.Float64, Nullable: true},
	{Name: "region", Type: arrow.BinaryTypes.String, Nullable: true},
}, nil)

// benchRows yields n rows in batches of 64 Ki rows.
func benchRows(mem memory.Allocator, n int64) iter.Seq2[arrow.RecordBatch, error] {
	regions := []string{"EU", "US", "APAC", "LATAM"}
	return func(yield func(arrow.RecordBatch, error) bool) {
		b := array.NewRecordBuilder(mem, benchSchema)
		defer b.Release()
		for lo := int64(0); lo < n; lo += 1 << 16 {
			for i := lo; i < min(lo+1<<16, n); i++ {
				b.Field(0).(*array.Int64Builder).Append(i)
				b.Field(1).(*array.Float64Builder).Append(float64(i%1000) / 4)
				b.Field(2).(*array.StringBuilder).Append(regions[i%4])
			}
			if !yield(b.NewRecordBatch(), nil) {
				return
			}
		}
	}
}

const benchTableRows = 1 << 20

// BenchmarkWriteAppend appends 1 Mi rows (id, amount, region) to a table
// of a SQLite catalog: Parquet files, statistics and one commit.
func BenchmarkWriteAppend(b *testing.B) {
	ctx := context.Background()
	_, path, _ := bareLake(b)
	cat := openLake(b, path)
	mem := memory.NewGoAllocator()
	b.SetBytes(benchTableRows * (8 + 8 + 3))
	for i := 0; b.Loop(); i++ {
		if _, err := cat.Write(ctx, fmt.Sprint("t", i), benchSchema, benchRows(mem, benchTableRows), ducklake.WriteOptions{Mem: mem}); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(benchTableRows)*float64(b.N)/b.Elapsed().Seconds(), "rows/s")
}

// BenchmarkWritePartitioned appends 1 Mi rows to a table partitioned by
// region (four partitions, mixed in every batch).
func BenchmarkWritePartitioned(b *testing.B) {
	ctx := context.Background()
	_, path, _ := bareLake(b)
	cat := openLake(b, path)
	mem := memory.NewGoAllocator()
	opts := ducklake.WriteOptions{Mem: mem, PartitionBy: []ducklake.PartitionKey{{Column: "region", Transform: "identity"}}}
	for i := 0; b.Loop(); i++ {
		if _, err := cat.Write(ctx, fmt.Sprint("t", i), benchSchema, benchRows(mem, benchTableRows), opts); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(benchTableRows)*float64(b.N)/b.Elapsed().Seconds(), "rows/s")
}

// BenchmarkDeleteRows deletes a tenth of the rows of a 1 Mi row table:
// every file is read and gets a delete file.
func BenchmarkDeleteRows(b *testing.B) {
	ctx := context.Background()
	_, path, _ := bareLake(b)
	cat := openLake(b, path)
	mem := memory.NewGoAllocator()
	for i := 0; b.Loop(); i++ {
		b.StopTimer()
		name := fmt.Sprint("t", i)
		if _, err := cat.Write(ctx, name, benchSchema, benchRows(mem, benchTableRows), ducklake.WriteOptions{Mem: mem, TargetFileSize: 4 << 20}); err != nil {
			b.Fatal(err)
		}
		b.StartTimer()
		res, err := cat.DeleteRows(ctx, name, expr.Col("amount").Lt(25.0), ducklake.WriteOptions{Mem: mem})
		if err != nil {
			b.Fatal(err)
		}
		want := int64(0)
		for k := int64(0); k < benchTableRows; k++ {
			if k%1000 < 100 {
				want++
			}
		}
		if res.Rows != want {
			b.Fatalf("deleted %d rows, want %d", res.Rows, want)
		}
	}
	b.ReportMetric(float64(benchTableRows)*float64(b.N)/b.Elapsed().Seconds(), "rows/s")
}
