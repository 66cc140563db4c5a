package frame_test

import (
	"context"
	"log"
	"os"

	"lakeframe/expr"
	"lakeframe/frame"
)

func ExampleDataFrame_UnionAllByName() {
	tbl := orders()
	defer tbl.Release()
	df := frame.FromArrow(tbl)

	// Two reports with different columns: UnionAllByName lines them up by
	// name and fills the columns a report lacks with NULL.
	big := df.Where(expr.Col("amount").Gt(100)).Select("id", "amount")
	small := df.Where(expr.Col("amount").Lt(50)).Select("region", "id")
	out := big.UnionAllByName(small).Sort("id")
	if err := out.Show(context.Background(), os.Stdout, 10); err != nil {
		log.Fatal(err)
	}
	// Output:
	// ╭───────┬─────────┬────────╮
	// │    id │  amount │ region │
	// │ int64 │ float64 │ string │
	// ├───────┼─────────┼────────┤
	// │     1 │   120.5 │ null   │
	// │     3 │   310.0 │ null   │
	// │     5 │    null │ AMER   │
	// ╰───────┴─────────┴────────╯
	// (3 rows)
}
