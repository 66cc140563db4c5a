package frame_test

import (
	"context"
	"fmt"
	"log"
	"os"
	"path/filepath"

	"github.com/apache/iceberg-go/table"

	"lakeframe/expr"
	"lakeframe/frame"
	"lakeframe/iceberg"
)

// Deletes and updates commit one snapshot each; the table's
// write.delete.mode / write.update.mode or an option pick copy-on-write
// or merge-on-read.
func ExampleUpdateIceberg() {
	ctx := context.Background()
	dir, err := os.MkdirTemp("", "lakeframe-example")
	if err != nil {
		log.Fatal(err)
	}
	defer os.RemoveAll(dir)
	cat, err := iceberg.OpenCatalog(ctx, "sqlite://"+filepath.Join(dir, "catalog.db"), nil)
	if err != nil {
		log.Fatal(err)
	}
	src := orders()
	defer src.Release()
	df := frame.FromArrow(src)
	sc, err := df.Schema()
	if err != nil {
		log.Fatal(err)
	}
	tbl, err := iceberg.CreateTable(ctx, cat, table.Identifier{"shop", "orders"}, sc,
		iceberg.WithPartitioning(iceberg.Identity("year")))
	if err != nil {
		log.Fatal(err)
	}
	if tbl, err = df.WriteIceberg(ctx, tbl); err != nil {
		log.Fatal(err)
	}

	// Rows where amount is NULL are not matched by amount < 100.
	tbl, err = frame.DeleteIceberg(ctx, tbl, expr.Col("amount").Lt(100), frame.IcebergMergeOnRead())
	if err != nil {
		log.Fatal(err)
	}
	tbl, err = frame.UpdateIceberg(ctx, tbl, expr.Col("region").Eq("EMEA"),
		map[string]any{"amount": expr.Col("amount").Mul(2), "region": "EU"})
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(tbl.CurrentSnapshot().Summary.Operation)
	if err := frame.ReadIceberg(tbl).Sort(expr.Col("id")).Show(ctx, os.Stdout, 10); err != nil {
		log.Fatal(err)
	}
	// Output:
	// overwrite
	// ╭───────┬────────┬─────────┬───────╮
	// │    id │ region │  amount │  year │
	// │ int64 │ string │ float64 │ int64 │
	// ├───────┼────────┼─────────┼───────┤
	// │     1 │ EU     │   241.0 │  2024 │
	// │     3 │ EU     │   620.0 │  2025 │
	// │     4 │ APAC   │    null │  2025 │
	// ╰───────┴────────┴─────────┴───────╯
	// (3 rows)
}
