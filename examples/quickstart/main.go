// Quickstart: an embedded lakehouse with no servers. It writes a small
// partitioned Parquet data set and an Iceberg table (catalog in a SQLite
// file, data in local files), then queries both lazily. Nothing runs until
// Explain, Show or Collect; the optimizer pushes the filter on the partition
// column down to directories and manifests, the rest of the filter and the
// projection into the readers.
//
//	go run ./examples/quickstart
package main

import (
	"context"
	"fmt"
	"log"
	"math/rand/v2"
	"os"
	"path/filepath"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"
	"github.com/apache/iceberg-go/table"

	"lakeframe/expr"
	"lakeframe/frame"
	"lakeframe/iceberg"
)

func main() {
	ctx := context.Background()
	dir, err := os.MkdirTemp("", "lakeframe-quickstart-")
	if err != nil {
		log.Fatal(err)
	}
	defer os.RemoveAll(dir)
	orders := filepath.Join(dir, "orders")

	// 1. Make 200,000 orders over three years and write them as Parquet,
	//    one hive-style directory per year (orders/year=2024/...).
	data := makeOrders(200_000)
	defer data.Release()
	if err := frame.FromArrow(data).WriteParquet(ctx, orders, frame.PartitionBy("year")); err != nil {
		log.Fatal(err)
	}

	// 2. The same orders as an Iceberg table, partitioned by year, in a
	//    catalog kept in a SQLite file: the embedded default.
	cat, err := iceberg.OpenCatalog(ctx, "sqlite://"+filepath.Join(dir, "catalog.db"), nil)
	if err != nil {
		log.Fatal(err)
	}
	tbl, err := iceberg.CreateTable(ctx, cat, table.Identifier{"shop", "orders"}, data.Schema(),
		iceberg.WithPartitioning(iceberg.Identity("year")))
	if err != nil {
		log.Fatal(err)
	}
	if tbl, err = frame.FromArrow(data).WriteIceberg(ctx, tbl); err != nil {
		log.Fatal(err)
	}

	// 3. A lazy query: revenue per region in 2025 for large orders, on
	//    either copy of the data.
	revenue := func(df *frame.DataFrame) *frame.DataFrame {
		return df.
			Where(expr.Col("year").Eq(2025).And(expr.Col("amount").Gt(500.0))).
			GroupBy(expr.Col("region")).
			Agg(
				expr.Col("amount").Sum().Alias("revenue"),
				expr.CountAll().Alias("orders"),
				expr.Col("amount").Mean().Alias("avg_amount"),
			).
			Sort(expr.Col("revenue").Desc()).
			Limit(10)
	}
	for _, q := range []struct {
		name string
		df   *frame.DataFrame
	}{
		{"Parquet files", revenue(frame.ReadParquet(orders))},
		{"Iceberg table shop.orders", revenue(frame.ReadIceberg(tbl))},
	} {
		fmt.Printf("### %s\n\n", q.name)
		// The plan: written, optimized and physical, with pruning figures.
		explain, err := q.df.Explain(ctx)
		if err != nil {
			log.Fatal(err)
		}
		fmt.Println(explain)
		// Run it and print the result.
		if err := q.df.Show(ctx, os.Stdout, 10); err != nil {
			log.Fatal(err)
		}
		fmt.Println()
	}
}

// makeOrders builds an in-memory table of random orders.
func makeOrders(n int) arrow.Table {
	mem := memory.DefaultAllocator
	schema := arrow.NewSchema([]arrow.Field{
		{Name: "order_id", Type: arrow.PrimitiveTypes.Int64},
		{Name: "region", Type: arrow.BinaryTypes.String},
		{Name: "amount", Type: arrow.PrimitiveTypes.Float64, Nullable: true},
		{Name: "year", Type: arrow.PrimitiveTypes.Int64},
	}, nil)
	b := array.NewRecordBuilder(mem, schema)
	defer b.Release()
	rng := rand.New(rand.NewPCG(1, 2))
	regions := []string{"EMEA", "AMER", "APAC", "LATAM"}
	for i := range n {
		b.Field(0).(*array.Int64Builder).Append(int64(i))
		b.Field(1).(*array.StringBuilder).Append(regions[rng.IntN(len(regions))])
		if rng.IntN(50) == 0 {
			b.Field(2).AppendNull()
		} else {
			b.Field(2).(*array.Float64Builder).Append(float64(rng.IntN(100000)) / 100)
		}
		b.Field(3).(*array.Int64Builder).Append(int64(2023 + rng.IntN(3)))
	}
	rec := b.NewRecordBatch()
	defer rec.Release()
	return array.NewTableFromRecords(schema, []arrow.RecordBatch{rec})
}
