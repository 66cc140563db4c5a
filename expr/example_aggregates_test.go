package expr_test

import (
	"context"
	"fmt"
	"os"

	"github.com/apache/arrow-go/v18/arrow"

	"lakeframe/expr"
	"lakeframe/frame"
)

// showSales aggregates a small sales table by region and prints it.
func showSales(aggs ...expr.Expr) {
	tbl := newTable(`[
		{"region": "EU", "seq": 1, "amount": 10.0, "qty": 1, "paid": true},
		{"region": "EU", "seq": 2, "amount": 20.0, "qty": null, "paid": false},
		{"region": "EU", "seq": 3, "amount": 60.0, "qty": 3, "paid": true},
		{"region": "US", "seq": 4, "amount": 5.0, "qty": 2, "paid": true},
		{"region": "US", "seq": 5, "amount": null, "qty": 2, "paid": null}]`,
		arrow.Field{Name: "region", Type: arrow.BinaryTypes.String},
		arrow.Field{Name: "seq", Type: arrow.PrimitiveTypes.Int64},
		arrow.Field{Name: "amount", Type: arrow.PrimitiveTypes.Float64, Nullable: true},
		arrow.Field{Name: "qty", Type: arrow.PrimitiveTypes.Int32, Nullable: true},
		arrow.Field{Name: "paid", Type: arrow.FixedWidthTypes.Boolean, Nullable: true})
	defer tbl.Release()
	df := frame.FromArrow(tbl).GroupBy("region").Agg(aggs...).Sort("region")
	if err := df.Show(context.Background(), os.Stdout, 10); err != nil {
		fmt.Println(err)
	}
}

func ExampleExpr_Var() {
	// The sample variance; one value has none.
	showSales(expr.Col("amount").Var().Alias("var"), expr.Col("amount").VarPop().Alias("var_pop"))
	// Output:
	// ╭────────┬─────────┬───────────────────╮
	// │ region │     var │           var_pop │
	// │ string │ float64 │           float64 │
	// ├────────┼─────────┼───────────────────┤
	// │ EU     │   700.0 │ 466.6666666666667 │
	// │ US     │    null │               0.0 │
	// ╰────────┴─────────┴───────────────────╯
	// (2 rows)
}

func ExampleExpr_Std() {
	showSales(expr.Col("amount").Std().Alias("std"), expr.Col("qty").StdPop().Alias("std_pop"))
	// Output:
	// ╭────────┬────────────────────┬─────────╮
	// │ region │                std │ std_pop │
	// │ string │            float64 │ float64 │
	// ├────────┼────────────────────┼─────────┤
	// │ EU     │ 26.457513110645905 │     1.0 │
	// │ US     │               null │     0.0 │
	// ╰────────┴────────────────────┴─────────╯
	// (2 rows)
}

func ExampleExpr_Median() {
	// Integers give a float64 median, between the middle values when
	// their count is even.
	showSales(expr.Col("amount").Median().Alias("median"), expr.Col("qty").Median().Alias("qty"))
	// Output:
	// ╭────────┬─────────┬─────────╮
	// │ region │  median │     qty │
	// │ string │ float64 │ float64 │
	// ├────────┼─────────┼─────────┤
	// │ EU     │    20.0 │     2.0 │
	// │ US     │     5.0 │     2.0 │
	// ╰────────┴─────────┴─────────╯
	// (2 rows)
}

func ExampleExpr_Quantile() {
	showSales(expr.Col("amount").Quantile(0.25).Alias("p25"), expr.Col("amount").Quantile(0.9).Alias("p90"))
	// Output:
	// ╭────────┬─────────┬─────────╮
	// │ region │     p25 │     p90 │
	// │ string │ float64 │ float64 │
	// ├────────┼─────────┼─────────┤
	// │ EU     │    15.0 │    52.0 │
	// │ US     │     5.0 │     5.0 │
	// ╰────────┴─────────┴─────────╯
	// (2 rows)
}

func ExampleExpr_ApproxCountDistinct() {
	showSales(expr.Col("qty").ApproxCountDistinct().Alias("qtys"), expr.Col("qty").CountDistinct().Alias("exact"))
	// Output:
	// ╭────────┬───────┬───────╮
	// │ region │  qtys │ exact │
	// │ string │ int64 │ int64 │
	// ├────────┼───────┼───────┤
	// │ EU     │     2 │     2 │
	// │ US     │     1 │     1 │
	// ╰────────┴───────┴───────╯
	// (2 rows)
}

func ExampleExpr_First() {
	// In input order: NULL counts as a value.
	showSales(expr.Col("amount").First().Alias("first"), expr.Col("amount").Last().Alias("last"))
	// Output:
	// ╭────────┬─────────┬─────────╮
	// │ region │   first │    last │
	// │ string │ float64 │ float64 │
	// ├────────┼─────────┼─────────┤
	// │ EU     │    10.0 │    60.0 │
	// │ US     │     5.0 │    null │
	// ╰────────┴─────────┴─────────╯
	// (2 rows)
}

func ExampleExpr_Last() {
	showSales(expr.Col("seq").Last().Alias("last_seq"), expr.Col("paid").Last().Alias("paid"))
	// Output:
	// ╭────────┬──────────┬──────╮
	// │ region │ last_seq │ paid │
	// │ string │    int64 │ bool │
	// ├────────┼──────────┼──────┤
	// │ EU     │        3 │ true │
	// │ US     │        5 │ null │
	// ╰────────┴──────────┴──────╯
	// (2 rows)
}

func ExampleExpr_List() {
	showSales(expr.Col("qty").List().Alias("qtys"))
	// Output:
	// ╭────────┬──────────────╮
	// │ region │ qtys         │
	// │ string │ list<int32>  │
	// ├────────┼──────────────┤
	// │ EU     │ [1, null, 3] │
	// │ US     │ [2, 2]       │
	// ╰────────┴──────────────╯
	// (2 rows)
}

func ExampleExpr_Any() {
	// NULLs are skipped, as in SQL's bool_or and bool_and.
	showSales(expr.Col("paid").Any().Alias("any_paid"), expr.Col("paid").All().Alias("all_paid"))
	// Output:
	// ╭────────┬──────────┬──────────╮
	// │ region │ any_paid │ all_paid │
	// │ string │ bool     │ bool     │
	// ├────────┼──────────┼──────────┤
	// │ EU     │ true     │ false    │
	// │ US     │ true     │ true     │
	// ╰────────┴──────────┴──────────╯
	// (2 rows)
}

func ExampleExpr_All() {
	showSales(expr.Col("amount").Gt(8).All().Alias("all_above_8"))
	// Output:
	// ╭────────┬─────────────╮
	// │ region │ all_above_8 │
	// │ string │ bool        │
	// ├────────┼─────────────┤
	// │ EU     │ true        │
	// │ US     │ false       │
	// ╰────────┴─────────────╯
	// (2 rows)
}
