package frame_test

import (
	"context"
	"fmt"
	"os"

	"lakeframe/expr"
	"lakeframe/frame"
)

// ExampleReadPostgres joins a PostgreSQL table with lake data. The
// filter on the customers' segment and the two columns go into the SQL
// sent to PostgreSQL; Explain shows it. (No output: it needs a server.)
func ExampleReadPostgres() {
	ctx := context.Background()
	customers := frame.ReadPostgres("postgres://reader@warehouse:5432/shop", "public.customer",
		frame.PostgresParallelism(4)).
		Where(expr.Col("c_mktsegment").Eq("BUILDING")).
		Select(expr.Col("c_custkey"), expr.Col("c_name"))
	orders := frame.ReadParquet("lake/orders/*.parquet")
	df := orders.Join(customers, frame.Inner, frame.LeftOn("o_custkey"), frame.RightOn("c_custkey")).
		GroupBy("c_name").
		Agg(expr.Col("o_totalprice").Sum().Alias("spent")).
		Sort(expr.Col("spent").Desc()).
		Limit(10)
	if err := df.Show(ctx, os.Stdout, 10); err != nil {
		fmt.Println(err)
	}
}
