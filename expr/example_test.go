package expr_test

import (
	"context"
	"fmt"
	"log"
	"os"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"

	"lakeframe/expr"
	"lakeframe/frame"
)

// newTable makes a small in-memory table from JSON rows, for the examples
// to query with lakeframe/frame. The caller releases it.
func newTable(rows string, fields ...arrow.Field) arrow.Table {
	tbl, err := array.TableFromJSON(memory.DefaultAllocator, arrow.NewSchema(fields, nil), []string{rows})
	if err != nil {
		log.Fatal(err)
	}
	return tbl
}

func ExampleCol() {
	// Operands may be expressions or plain Go values.
	e := expr.Col("amount").Mul(1.1).Gt(100).And(expr.Col("region").Eq("EU"))
	fmt.Println(e)
	// Output:
	// (((amount * 1.1) > 100) AND (region = "EU"))
}

func ExampleLit() {
	fmt.Println(expr.Lit(42), expr.Lit("EU"), expr.Lit(nil), expr.Lit(true))
	// A literal on the left needs Lit; on the right a Go value is enough.
	fmt.Println(expr.Lit(100).Lt(expr.Col("amount")))
	// Output:
	// 42 "EU" NULL true
	// (100 < amount)
}

func ExampleExpr_Between() {
	tbl := newTable(`[{"id": 1, "score": 35}, {"id": 2, "score": 50}, {"id": 3, "score": 75},
		{"id": 4, "score": null}, {"id": 5, "score": 90}]`,
		arrow.Field{Name: "id", Type: arrow.PrimitiveTypes.Int64},
		arrow.Field{Name: "score", Type: arrow.PrimitiveTypes.Int32, Nullable: true})
	defer tbl.Release()

	// Both ends are included.
	df := frame.FromArrow(tbl).Where(expr.Col("score").Between(50, 75)).Sort("id")
	if err := df.Show(context.Background(), os.Stdout, 10); err != nil {
		fmt.Println(err)
	}
	// Output:
	// ╭───────┬───────╮
	// │    id │ score │
	// │ int64 │ int32 │
	// ├───────┼───────┤
	// │     2 │    50 │
	// │     3 │    75 │
	// ╰───────┴───────╯
	// (2 rows)
}

func ExampleExpr_IsIn() {
	tbl := newTable(`[{"city": "Lyon", "country": "FR"}, {"city": "Graz", "country": "AT"},
		{"city": "Porto", "country": "PT"}, {"city": "Nice", "country": "FR"}]`,
		arrow.Field{Name: "city", Type: arrow.BinaryTypes.String},
		arrow.Field{Name: "country", Type: arrow.BinaryTypes.String})
	defer tbl.Release()

	df := frame.FromArrow(tbl).Where(expr.Col("country").IsIn("FR", "PT")).Sort("city")
	if err := df.Show(context.Background(), os.Stdout, 10); err != nil {
		fmt.Println(err)
	}
	// Output:
	// ╭────────┬─────────╮
	// │ city   │ country │
	// │ string │ string  │
	// ├────────┼─────────┤
	// │ Lyon   │ FR      │
	// │ Nice   │ FR      │
	// │ Porto  │ PT      │
	// ╰────────┴─────────╯
	// (3 rows)
}

func ExampleExpr_Cast() {
	tbl := newTable(`[{"qty": 3}, {"qty": null}, {"qty": 12}]`,
		arrow.Field{Name: "qty", Type: arrow.PrimitiveTypes.Int32, Nullable: true})
	defer tbl.Release()

	df := frame.FromArrow(tbl).Select(
		expr.Col("qty").Cast(arrow.PrimitiveTypes.Float64).Alias("as_float"),
		expr.Col("qty").Cast(arrow.BinaryTypes.String).Alias("as_text"),
		expr.Col("qty").Div(2).Alias("half"), // division always gives float64
	)
	if err := df.Show(context.Background(), os.Stdout, 10); err != nil {
		fmt.Println(err)
	}
	// Output:
	// ╭──────────┬─────────┬─────────╮
	// │ as_float │ as_text │    half │
	// │  float64 │ string  │ float64 │
	// ├──────────┼─────────┼─────────┤
	// │      3.0 │ 3       │     1.5 │
	// │     null │ null    │    null │
	// │     12.0 │ 12      │     6.0 │
	// ╰──────────┴─────────┴─────────╯
	// (3 rows)
}

func ExampleWhen() {
	tbl := newTable(`[{"id": 1, "amount": 250}, {"id": 2, "amount": 60}, {"id": 3, "amount": 5},
		{"id": 4, "amount": null}]`,
		arrow.Field{Name: "id", Type: arrow.PrimitiveTypes.Int64},
		arrow.Field{Name: "amount", Type: arrow.PrimitiveTypes.Float64, Nullable: true})
	defer tbl.Release()

	// Branches are tried in order; a NULL condition does not match.
	size := expr.When(expr.Col("amount").Ge(100), "large").
		When(expr.Col("amount").Ge(50), "medium").
		When(expr.Col("amount").IsNull(), "unknown").
		Otherwise("small")
	df := frame.FromArrow(tbl).WithColumn("size", size).Sort("id")
	if err := df.Show(context.Background(), os.Stdout, 10); err != nil {
		fmt.Println(err)
	}
	// Output:
	// ╭───────┬─────────┬─────────╮
	// │    id │  amount │ size    │
	// │ int64 │ float64 │ string  │
	// ├───────┼─────────┼─────────┤
	// │     1 │   250.0 │ large   │
	// │     2 │    60.0 │ medium  │
	// │     3 │     5.0 │ small   │
	// │     4 │    null │ unknown │
	// ╰───────┴─────────┴─────────╯
	// (4 rows)
}

func ExampleCoalesce() {
	tbl := newTable(`[{"nick": "jo", "name": "Joanna"}, {"nick": null, "name": "Bo"},
		{"nick": null, "name": null}]`,
		arrow.Field{Name: "nick", Type: arrow.BinaryTypes.String, Nullable: true},
		arrow.Field{Name: "name", Type: arrow.BinaryTypes.String, Nullable: true})
	defer tbl.Release()

	df := frame.FromArrow(tbl).Select(
		expr.Coalesce(expr.Col("nick"), expr.Col("name"), "anonymous").Alias("display"),
	)
	if err := df.Show(context.Background(), os.Stdout, 10); err != nil {
		fmt.Println(err)
	}
	// Output:
	// ╭───────────╮
	// │ display   │
	// │ string    │
	// ├───────────┤
	// │ jo        │
	// │ Bo        │
	// │ anonymous │
	// ╰───────────╯
	// (3 rows)
}

func ExampleExpr_Str() {
	tbl := newTable(`[{"sku": "EU-lamp-01"}, {"sku": "US-Desk-7"}, {"sku": null}, {"sku": "EU-chair"}]`,
		arrow.Field{Name: "sku", Type: arrow.BinaryTypes.String, Nullable: true})
	defer tbl.Release()

	sku := expr.Col("sku").Str()
	df := frame.FromArrow(tbl).Select(
		"sku",
		sku.StartsWith("EU").Alias("eu"),
		sku.Like("%-__").Alias("two_digit"), // % is any run, _ one character
		sku.Upper().Alias("upper"),
		sku.Length().Alias("len"),
		sku.Substr(4, 4).Alias("part"), // 1-based, as in SQL
	).Where(sku.Contains("-"))
	if err := df.Show(context.Background(), os.Stdout, 10); err != nil {
		fmt.Println(err)
	}
	// Output:
	// ╭────────────┬───────┬───────────┬────────────┬───────┬────────╮
	// │ sku        │ eu    │ two_digit │ upper      │   len │ part   │
	// │ string     │ bool  │ bool      │ string     │ int64 │ string │
	// ├────────────┼───────┼───────────┼────────────┼───────┼────────┤
	// │ EU-lamp-01 │ true  │ true      │ EU-LAMP-01 │    10 │ lamp   │
	// │ US-Desk-7  │ false │ false     │ US-DESK-7  │     9 │ Desk   │
	// │ EU-chair   │ true  │ false     │ EU-CHAIR   │     8 │ chai   │
	// ╰────────────┴───────┴───────────┴────────────┴───────┴────────╯
	// (3 rows)
}

func ExampleExpr_Dt() {
	tbl := newTable(`[{"ordered": "2024-01-31"}, {"ordered": "2024-12-15"}, {"ordered": null}]`,
		arrow.Field{Name: "ordered", Type: arrow.FixedWidthTypes.Date32, Nullable: true})
	defer tbl.Release()

	day := expr.Col("ordered")
	df := frame.FromArrow(tbl).Select(
		"ordered",
		day.Dt().Year().Alias("year"),
		day.Dt().Month().Alias("month"),
		day.Dt().Day().Alias("day"),
	)
	if err := df.Show(context.Background(), os.Stdout, 10); err != nil {
		fmt.Println(err)
	}
	// Output:
	// ╭────────────┬───────┬───────┬───────╮
	// │ ordered    │  year │ month │   day │
	// │ date32     │ int64 │ int64 │ int64 │
	// ├────────────┼───────┼───────┼───────┤
	// │ 2024-01-31 │  2024 │     1 │    31 │
	// │ 2024-12-15 │  2024 │    12 │    15 │
	// │ null       │  null │  null │  null │
	// ╰────────────┴───────┴───────┴───────╯
	// (3 rows)
}

func ExampleMonths() {
	tbl := newTable(`[{"ordered": "2024-01-31"}, {"ordered": "2024-12-15"}]`,
		arrow.Field{Name: "ordered", Type: arrow.FixedWidthTypes.Date32})
	defer tbl.Release()

	// Adding months keeps the day of the month where it can: January 31
	// plus one month is the last day of February.
	day := expr.Col("ordered")
	df := frame.FromArrow(tbl).Select(
		"ordered",
		day.Add(expr.Days(10)).Alias("plus_10_days"),
		day.Add(expr.Months(1)).Alias("plus_1_month"),
		day.Sub(expr.Years(1)).Alias("minus_1_year"),
	)
	if err := df.Show(context.Background(), os.Stdout, 10); err != nil {
		fmt.Println(err)
	}
	// Output:
	// ╭────────────┬──────────────┬──────────────┬──────────────╮
	// │ ordered    │ plus_10_days │ plus_1_month │ minus_1_year │
	// │ date32     │ date32       │ date32       │ date32       │
	// ├────────────┼──────────────┼──────────────┼──────────────┤
	// │ 2024-01-31 │ 2024-02-10   │ 2024-02-29   │ 2023-01-31   │
	// │ 2024-12-15 │ 2024-12-25   │ 2025-01-15   │ 2023-12-15   │
	// ╰────────────┴──────────────┴──────────────┴──────────────╯
	// (2 rows)
}

func ExampleResolve() {
	schema := arrow.NewSchema([]arrow.Field{
		{Name: "qty", Type: arrow.PrimitiveTypes.Int16},
		{Name: "price", Type: &arrow.Decimal128Type{Precision: 10, Scale: 2}},
		{Name: "shipped", Type: arrow.FixedWidthTypes.Date32},
	}, nil)

	// Untyped Go literals take the type of the column they meet: 10 becomes
	// an int16, 9.99 a decimal and the string a date.
	for _, e := range []expr.Expr{
		expr.Col("qty").Gt(10),
		expr.Col("price").Le(9.99),
		expr.Col("shipped").Ge("2025-03-01"),
		expr.Col("qty").Lt(100000), // does not fit int16: the column widens
	} {
		resolved, err := expr.Resolve(e.Node(), schema)
		if err != nil {
			fmt.Println(err)
			continue
		}
		lit := resolved.Children()[1].(*expr.Literal)
		fmt.Printf("%s: literal is %s\n", resolved, lit.Value.DataType())
	}

	// Mistakes are plan errors that name the expression, or list the
	// columns there are.
	_, err := expr.Resolve(expr.Col("shipped").Add(1).Node(), schema)
	fmt.Println(err)
	_, err = expr.Resolve(expr.Col("qyt").Node(), schema)
	fmt.Println(err)
	// Output:
	// (qty > 10): literal is int16
	// (price <= 9.99): literal is decimal(10, 2)
	// (shipped >= DATE '2025-03-01'): literal is date32
	// (CAST(qty AS int64) < 100000): literal is int64
	// plan error: (shipped + 1): + needs numeric operands, got date32 and int64
	// plan error: unknown column "qyt" (columns: qty, price, shipped)
}
