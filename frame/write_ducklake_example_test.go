package frame_test

import (
	"context"
	"database/sql"
	"fmt"
	"os"
	"path/filepath"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"
	"github.com/uptrace/bun/driver/sqliteshim"

	"lakeframe/ducklake"
	"lakeframe/ducklake/ducklaketest"
	"lakeframe/expr"
	"lakeframe/frame"
)

func ExampleDataFrame_WriteDuckLake() {
	ctx := context.Background()
	dir, err := os.MkdirTemp("", "ducklake-write-example")
	if err != nil {
		panic(err)
	}
	defer os.RemoveAll(dir)
	// An empty catalog in SQLite with schema main, as DuckDB starts one.
	path := filepath.Join(dir, "lake.sqlite")
	db, err := sql.Open(sqliteshim.ShimName, "file:"+path)
	if err != nil {
		panic(err)
	}
	ducklaketest.NewEmpty(panicTB{}, db, ducklake.SQLite, filepath.Join(dir, "data"))
	db.Close()
	cat, err := ducklake.OpenSQLite(ctx, path, ducklake.Options{})
	if err != nil {
		panic(err)
	}
	defer cat.Close()

	schema := arrow.NewSchema([]arrow.Field{
		{Name: "city", Type: arrow.BinaryTypes.String},
		{Name: "temp", Type: arrow.PrimitiveTypes.Int64},
	}, nil)
	rb := array.NewRecordBuilder(memory.DefaultAllocator, schema)
	rb.Field(0).(*array.StringBuilder).AppendValues([]string{"Oslo", "Rome", "Lima"}, nil)
	rb.Field(1).(*array.Int64Builder).AppendValues([]int64{-3, 14, 19}, nil)
	rec := rb.NewRecordBatch()
	rb.Release()
	tbl := array.NewTableFromRecords(schema, []arrow.RecordBatch{rec})
	rec.Release()
	defer tbl.Release()

	// Creates main.weather (snapshot 1), then appends (snapshot 2).
	for range 2 {
		if _, err := frame.FromArrow(tbl).WriteDuckLake(ctx, cat, "weather"); err != nil {
			panic(err)
		}
	}
	res, err := frame.DeleteDuckLake(ctx, cat, "weather", expr.Col("temp").Lt(int64(0)))
	if err != nil {
		panic(err)
	}
	fmt.Printf("deleted %d rows in snapshot %d\n", res.Rows, res.Snapshot.ID)
	res, err = frame.UpdateDuckLake(ctx, cat, "weather", expr.Col("city").Eq("Lima"),
		map[string]any{"temp": expr.Col("temp").Add(int64(1))})
	if err != nil {
		panic(err)
	}
	fmt.Printf("updated %d rows in snapshot %d\n", res.Rows, res.Snapshot.ID)
	df := frame.ReadDuckLake(cat, "weather").
		GroupBy(expr.Col("city")).
		Agg(expr.Col("temp").Sum().Alias("total")).
		Sort("city")
	if err := df.Show(ctx, os.Stdout, 10); err != nil {
		fmt.Println(err)
	}
	// Output:
	// deleted 2 rows in snapshot 3
	// updated 2 rows in snapshot 4
	// ╭────────┬───────╮
	// │ city   │ total │
	// │ string │ int64 │
	// ├────────┼───────┤
	// │ Lima   │    40 │
	// │ Rome   │    28 │
	// ╰────────┴───────╯
	// (2 rows)
}
