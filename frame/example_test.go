package frame_test

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log"
	"os"
	"path/filepath"
	"strings"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"

	"lakeframe/errs"
	"lakeframe/expr"
	"lakeframe/frame"
)

// orders is the table most examples query: six orders, with a NULL region
// and a NULL amount. The caller releases it.
func orders() arrow.Table {
	schema := arrow.NewSchema([]arrow.Field{
		{Name: "id", Type: arrow.PrimitiveTypes.Int64},
		{Name: "region", Type: arrow.BinaryTypes.String, Nullable: true},
		{Name: "amount", Type: arrow.PrimitiveTypes.Float64, Nullable: true},
		{Name: "year", Type: arrow.PrimitiveTypes.Int64},
	}, nil)
	tbl, err := array.TableFromJSON(memory.DefaultAllocator, schema, []string{`[
		{"id": 1, "region": "EMEA", "amount": 120.5, "year": 2024},
		{"id": 2, "region": "AMER", "amount": 80, "year": 2024},
		{"id": 3, "region": "EMEA", "amount": 310, "year": 2025},
		{"id": 4, "region": "APAC", "amount": null, "year": 2025},
		{"id": 5, "region": "AMER", "amount": 45.25, "year": 2025},
		{"id": 6, "region": null, "amount": 99, "year": 2025}
	]`})
	if err != nil {
		log.Fatal(err)
	}
	return tbl
}

func ExampleFromArrow() {
	schema := arrow.NewSchema([]arrow.Field{
		{Name: "sensor", Type: arrow.BinaryTypes.String},
		{Name: "celsius", Type: arrow.PrimitiveTypes.Float64, Nullable: true},
	}, nil)
	b := array.NewRecordBuilder(memory.DefaultAllocator, schema)
	defer b.Release()
	b.Field(0).(*array.StringBuilder).AppendValues([]string{"north", "south", "east"}, nil)
	b.Field(1).(*array.Float64Builder).AppendValues([]float64{21.5, 0, 18}, []bool{true, false, true})
	rec := b.NewRecordBatch()
	defer rec.Release()
	tbl := array.NewTableFromRecords(schema, []arrow.RecordBatch{rec})
	defer tbl.Release() // keep the table alive while queries on it run

	// NOT of NULL is NULL, so the sensor without a reading is left out.
	df := frame.FromArrow(tbl).Where(expr.Col("celsius").Gt(20).Not())
	if err := df.Show(context.Background(), os.Stdout, 10); err != nil {
		fmt.Println(err)
	}
	// Output:
	// ╭────────┬─────────╮
	// │ sensor │ celsius │
	// │ string │ float64 │
	// ├────────┼─────────┤
	// │ east   │    18.0 │
	// ╰────────┴─────────╯
	// (1 row)
}

func ExampleReadParquet() {
	ctx := context.Background()
	dir, err := os.MkdirTemp("", "lakeframe-example-")
	if err != nil {
		log.Fatal(err)
	}
	defer os.RemoveAll(dir)
	tbl := orders()
	defer tbl.Release()
	path := filepath.Join(dir, "orders.parquet")
	if err := frame.FromArrow(tbl).WriteParquet(ctx, path); err != nil {
		log.Fatal(err)
	}

	// Paths may be files, globs, directories or hive-partitioned trees.
	df := frame.ReadParquet(filepath.Join(dir, "*.parquet")).
		Where(expr.Col("amount").Gt(100)).
		Select("id", "amount").
		Sort("id")
	if err := df.Show(ctx, os.Stdout, 10); err != nil {
		fmt.Println(err)
	}
	// Output:
	// ╭───────┬─────────╮
	// │    id │  amount │
	// │ int64 │ float64 │
	// ├───────┼─────────┤
	// │     1 │   120.5 │
	// │     3 │   310.0 │
	// ╰───────┴─────────╯
	// (2 rows)
}

func ExampleReadCSV() {
	ctx := context.Background()
	dir, err := os.MkdirTemp("", "lakeframe-example-")
	if err != nil {
		log.Fatal(err)
	}
	defer os.RemoveAll(dir)
	path := filepath.Join(dir, "cities.csv")
	data := "city,country,population\nLyon,FR,522250\nGraz,AT,\nPorto,PT,231800\n"
	if err := os.WriteFile(path, []byte(data), 0o644); err != nil {
		log.Fatal(err)
	}

	// Column types are inferred; an empty field is NULL.
	df := frame.ReadCSV(path).Sort(expr.Col("population").Desc())
	if err := df.Show(ctx, os.Stdout, 10); err != nil {
		fmt.Println(err)
	}
	// Output:
	// ╭────────┬─────────┬────────────╮
	// │ city   │ country │ population │
	// │ string │ string  │      int64 │
	// ├────────┼─────────┼────────────┤
	// │ Lyon   │ FR      │     522250 │
	// │ Porto  │ PT      │     231800 │
	// │ Graz   │ AT      │       null │
	// ╰────────┴─────────┴────────────╯
	// (3 rows)
}

func ExampleReadJSON() {
	ctx := context.Background()
	dir, err := os.MkdirTemp("", "lakeframe-example-")
	if err != nil {
		log.Fatal(err)
	}
	defer os.RemoveAll(dir)
	path := filepath.Join(dir, "events.jsonl")
	data := `{"user": "ana", "action": "login", "ms": 12}
{"user": "bo", "action": "search", "ms": 340}
{"user": "ana", "action": "search", "ms": 95}
`
	if err := os.WriteFile(path, []byte(data), 0o644); err != nil {
		log.Fatal(err)
	}

	// One object per line; keys become columns.
	df := frame.ReadJSON(path).
		Where(expr.Col("action").Eq("search")).
		Sort("user")
	if err := df.Show(ctx, os.Stdout, 10); err != nil {
		fmt.Println(err)
	}
	// Output:
	// ╭────────┬────────┬───────╮
	// │ user   │ action │    ms │
	// │ string │ string │ int64 │
	// ├────────┼────────┼───────┤
	// │ ana    │ search │    95 │
	// │ bo     │ search │   340 │
	// ╰────────┴────────┴───────╯
	// (2 rows)
}

func ExampleDataFrame_Where() {
	tbl := orders()
	defer tbl.Release()

	// Plain Go values are literals. A NULL amount is not > 50, so order 4
	// is left out.
	df := frame.FromArrow(tbl).
		Where(expr.Col("year").Eq(2025).And(expr.Col("amount").Gt(50))).
		Sort("id")
	if err := df.Show(context.Background(), os.Stdout, 10); err != nil {
		fmt.Println(err)
	}
	// Output:
	// ╭───────┬────────┬─────────┬───────╮
	// │    id │ region │  amount │  year │
	// │ int64 │ string │ float64 │ int64 │
	// ├───────┼────────┼─────────┼───────┤
	// │     3 │ EMEA   │   310.0 │  2025 │
	// │     6 │ null   │    99.0 │  2025 │
	// ╰───────┴────────┴─────────┴───────╯
	// (2 rows)
}

func ExampleDataFrame_Select() {
	tbl := orders()
	defer tbl.Release()

	// Column names and expressions mix; Alias names a computed column.
	df := frame.FromArrow(tbl).
		Select(
			"id",
			expr.Col("region").Str().Lower().Alias("region"),
			expr.Col("amount").Mul(1.2).Alias("gross"),
		).
		Sort("id").
		Limit(3)
	if err := df.Show(context.Background(), os.Stdout, 10); err != nil {
		fmt.Println(err)
	}
	// Output:
	// ╭───────┬────────┬─────────╮
	// │    id │ region │   gross │
	// │ int64 │ string │ float64 │
	// ├───────┼────────┼─────────┤
	// │     1 │ emea   │   144.6 │
	// │     2 │ amer   │    96.0 │
	// │     3 │ emea   │   372.0 │
	// ╰───────┴────────┴─────────╯
	// (3 rows)
}

func ExampleDataFrame_WithColumn() {
	tbl := orders()
	defer tbl.Release()

	// A new name appends a column; an existing name replaces it in place.
	df := frame.FromArrow(tbl).
		WithColumn("amount", expr.Coalesce(expr.Col("amount"), 0.0)).
		WithColumn("large", expr.Col("amount").Ge(100)).
		Exclude("year").
		Sort("id")
	if err := df.Show(context.Background(), os.Stdout, 10); err != nil {
		fmt.Println(err)
	}
	// Output:
	// ╭───────┬────────┬─────────┬───────╮
	// │    id │ region │  amount │ large │
	// │ int64 │ string │ float64 │ bool  │
	// ├───────┼────────┼─────────┼───────┤
	// │     1 │ EMEA   │   120.5 │ true  │
	// │     2 │ AMER   │    80.0 │ false │
	// │     3 │ EMEA   │   310.0 │ true  │
	// │     4 │ APAC   │     0.0 │ false │
	// │     5 │ AMER   │   45.25 │ false │
	// │     6 │ null   │    99.0 │ false │
	// ╰───────┴────────┴─────────┴───────╯
	// (6 rows)
}

func ExampleDataFrame_GroupBy() {
	tbl := orders()
	defer tbl.Release()

	// NULL keys form a group of their own; aggregates skip NULL values.
	df := frame.FromArrow(tbl).
		GroupBy("region").
		Agg(
			expr.CountAll().Alias("orders"),
			expr.Col("amount").Sum().Alias("total"),
			expr.Col("amount").Max().Alias("largest"),
		).
		Sort("region")
	if err := df.Show(context.Background(), os.Stdout, 10); err != nil {
		fmt.Println(err)
	}
	// Output:
	// ╭────────┬────────┬─────────┬─────────╮
	// │ region │ orders │   total │ largest │
	// │ string │  int64 │ float64 │ float64 │
	// ├────────┼────────┼─────────┼─────────┤
	// │ AMER   │      2 │  125.25 │    80.0 │
	// │ APAC   │      1 │    null │    null │
	// │ EMEA   │      2 │   430.5 │   310.0 │
	// │ null   │      1 │    99.0 │    99.0 │
	// ╰────────┴────────┴─────────┴─────────╯
	// (4 rows)
}

func ExampleDataFrame_Agg() {
	tbl := orders()
	defer tbl.Release()

	// Without GroupBy, aggregates cover all rows and give one row.
	df := frame.FromArrow(tbl).Agg(
		expr.CountAll().Alias("rows"),
		expr.Col("amount").Count().Alias("with_amount"),
		expr.Col("region").CountDistinct().Alias("regions"),
		expr.Col("amount").Mean().Alias("mean"),
	)
	if err := df.Show(context.Background(), os.Stdout, 10); err != nil {
		fmt.Println(err)
	}
	// Output:
	// ╭───────┬─────────────┬─────────┬─────────╮
	// │  rows │ with_amount │ regions │    mean │
	// │ int64 │       int64 │   int64 │ float64 │
	// ├───────┼─────────────┼─────────┼─────────┤
	// │     6 │           5 │       3 │  130.95 │
	// ╰───────┴─────────────┴─────────┴─────────╯
	// (1 row)
}

func ExampleDataFrame_Count() {
	tbl := orders()
	defer tbl.Release()

	df := frame.FromArrow(tbl).Where(expr.Col("year").Eq(2025)).Count()
	if err := df.Show(context.Background(), os.Stdout, 10); err != nil {
		fmt.Println(err)
	}
	// Output:
	// ╭───────╮
	// │ count │
	// │ int64 │
	// ├───────┤
	// │     4 │
	// ╰───────╯
	// (1 row)
}

func ExampleDataFrame_Sort() {
	tbl := orders()
	defer tbl.Release()

	// Keys are ascending with nulls last unless they say otherwise.
	df := frame.FromArrow(tbl).
		Select("region", "amount").
		Sort(expr.Col("region").NullsFirst(), expr.Col("amount").Desc())
	if err := df.Show(context.Background(), os.Stdout, 10); err != nil {
		fmt.Println(err)
	}
	// Output:
	// ╭────────┬─────────╮
	// │ region │  amount │
	// │ string │ float64 │
	// ├────────┼─────────┤
	// │ null   │    99.0 │
	// │ AMER   │    80.0 │
	// │ AMER   │   45.25 │
	// │ APAC   │    null │
	// │ EMEA   │   310.0 │
	// │ EMEA   │   120.5 │
	// ╰────────┴─────────╯
	// (6 rows)
}

func ExampleDataFrame_Limit() {
	tbl := orders()
	defer tbl.Release()

	// The two largest orders.
	df := frame.FromArrow(tbl).
		Sort(expr.Col("amount").Desc()).
		Limit(2)
	if err := df.Show(context.Background(), os.Stdout, 10); err != nil {
		fmt.Println(err)
	}
	// Output:
	// ╭───────┬────────┬─────────┬───────╮
	// │    id │ region │  amount │  year │
	// │ int64 │ string │ float64 │ int64 │
	// ├───────┼────────┼─────────┼───────┤
	// │     3 │ EMEA   │   310.0 │  2025 │
	// │     1 │ EMEA   │   120.5 │  2024 │
	// ╰───────┴────────┴─────────┴───────╯
	// (2 rows)
}

func ExampleDataFrame_Offset() {
	tbl := orders()
	defer tbl.Release()

	// The second page of two rows.
	df := frame.FromArrow(tbl).Select("id").Sort("id").Offset(2).Limit(2)
	if err := df.Show(context.Background(), os.Stdout, 10); err != nil {
		fmt.Println(err)
	}
	// Output:
	// ╭───────╮
	// │    id │
	// │ int64 │
	// ├───────┤
	// │     3 │
	// │     4 │
	// ╰───────╯
	// (2 rows)
}

func ExampleDataFrame_Distinct() {
	tbl := orders()
	defer tbl.Release()

	df := frame.FromArrow(tbl).Select("region", "year").Distinct().Sort("year", "region")
	if err := df.Show(context.Background(), os.Stdout, 10); err != nil {
		fmt.Println(err)
	}
	// Output:
	// ╭────────┬───────╮
	// │ region │  year │
	// │ string │ int64 │
	// ├────────┼───────┤
	// │ AMER   │  2024 │
	// │ EMEA   │  2024 │
	// │ AMER   │  2025 │
	// │ APAC   │  2025 │
	// │ EMEA   │  2025 │
	// │ null   │  2025 │
	// ╰────────┴───────╯
	// (6 rows)
}

func ExampleDataFrame_Show() {
	tbl := orders()
	defer tbl.Release()

	// Show runs the query for its first rows only; the footer says more
	// rows follow.
	df := frame.FromArrow(tbl).Sort("id")
	if err := df.Show(context.Background(), os.Stdout, 3); err != nil {
		fmt.Println(err)
	}
	// Output:
	// ╭───────┬────────┬─────────┬───────╮
	// │    id │ region │  amount │  year │
	// │ int64 │ string │ float64 │ int64 │
	// ├───────┼────────┼─────────┼───────┤
	// │     1 │ EMEA   │   120.5 │  2024 │
	// │     2 │ AMER   │    80.0 │  2024 │
	// │     3 │ EMEA   │   310.0 │  2025 │
	// ╰───────┴────────┴─────────┴───────╯
	// (showing first 3 rows)
}

func ExampleDataFrame_Collect() {
	tbl := orders()
	defer tbl.Release()

	df := frame.FromArrow(tbl).Where(expr.Col("region").Eq("EMEA")).Select("id")
	out, err := df.Collect(context.Background(), frame.WithoutProgressDisplay())
	if err != nil {
		fmt.Println(err)
		return
	}
	defer out.Release() // the caller owns the result
	fmt.Println(out.NumRows(), "rows,", out.NumCols(), "column:", out.Schema().Field(0).Name)
	// Output:
	// 2 rows, 1 column: id
}

func ExampleDataFrame_Iter() {
	tbl := orders()
	defer tbl.Release()

	df := frame.FromArrow(tbl).Where(expr.Col("amount").IsNotNull()).Select("id", "amount").Sort("id")
	total := 0.0
	// Each batch is valid only inside the loop body.
	for batch, err := range df.Iter(context.Background(), frame.WithoutProgressDisplay()) {
		if err != nil {
			fmt.Println(err)
			return
		}
		ids := batch.Column(0).(*array.Int64)
		amounts := batch.Column(1).(*array.Float64)
		for i := range int(batch.NumRows()) {
			fmt.Printf("order %d: %.2f\n", ids.Value(i), amounts.Value(i))
			total += amounts.Value(i)
		}
	}
	fmt.Printf("total: %.2f\n", total)
	// Output:
	// order 1: 120.50
	// order 2: 80.00
	// order 3: 310.00
	// order 5: 45.25
	// order 6: 99.00
	// total: 654.75
}

func ExampleDataFrame_Stream() {
	tbl := orders()
	defer tbl.Release()
	ctx := context.Background()

	st, err := frame.FromArrow(tbl).Select("id").Stream(ctx, frame.WithBatchSize(4), frame.WithoutProgressDisplay())
	if err != nil {
		fmt.Println(err)
		return
	}
	defer st.Close()
	rows := 0
	for {
		batch, err := st.Next(ctx)
		if err == io.EOF {
			break
		}
		if err != nil {
			fmt.Println(err)
			return
		}
		rows += int(batch.NumRows())
		batch.Release()
	}
	fmt.Println(rows, "rows of column", st.Schema().Field(0).Name)
	// Output:
	// 6 rows of column id
}

func ExampleDataFrame_Explain() {
	ctx := context.Background()
	dir, err := os.MkdirTemp("", "lakeframe-example-")
	if err != nil {
		log.Fatal(err)
	}
	defer os.RemoveAll(dir)
	tbl := orders()
	defer tbl.Release()
	path := filepath.Join(dir, "orders")
	if err := frame.FromArrow(tbl).WriteParquet(ctx, path, frame.PartitionBy("year")); err != nil {
		log.Fatal(err)
	}

	df := frame.ReadParquet(path).
		Where(expr.Col("year").Eq(2025).And(expr.Col("amount").Gt(50))).
		Select("region", "amount")
	plan, err := df.Explain(ctx)
	if err != nil {
		fmt.Println(err)
		return
	}
	// The optimized plan shows what the rules pushed into the scan; the
	// physical plan adds what the scan prunes (here the year=2024
	// directory). Sizes and paths vary, so print only the stable parts.
	plan = strings.ReplaceAll(plan, dir, "DIR")
	_, optimized, _ := strings.Cut(plan, "== Optimized plan ==\n")
	optimized, physical, _ := strings.Cut(optimized, "== Physical plan ==\n")
	fmt.Print(optimized)
	for _, field := range strings.Fields(physical) {
		if strings.HasPrefix(field, "files=") {
			fmt.Println("scan reads", field)
		}
	}
	// Output:
	// # rules fired: push_down_filter, push_down_projection
	// Filter (amount > 50)
	//   Scan parquet: DIR/orders columns=[region, amount] filters=[(year = 2025), (amount > 50)]
	//
	// scan reads files=1/2
}

func ExampleDataFrame_WriteParquet() {
	ctx := context.Background()
	dir, err := os.MkdirTemp("", "lakeframe-example-")
	if err != nil {
		log.Fatal(err)
	}
	defer os.RemoveAll(dir)
	tbl := orders()
	defer tbl.Release()

	// One key=value directory per year; the year column moves from the
	// files into the directory names.
	path := filepath.Join(dir, "orders")
	if err := frame.FromArrow(tbl).WriteParquet(ctx, path, frame.PartitionBy("year")); err != nil {
		fmt.Println(err)
		return
	}
	entries, err := os.ReadDir(path)
	if err != nil {
		log.Fatal(err)
	}
	for _, e := range entries {
		fmt.Println(e.Name())
	}

	// Reading the tree back gives the partition column again, and a filter
	// on it skips the other directories.
	df := frame.ReadParquet(path).
		Where(expr.Col("year").Eq(2024)).
		Sort("id")
	if err := df.Show(ctx, os.Stdout, 10); err != nil {
		fmt.Println(err)
	}
	// Output:
	// year=2024
	// year=2025
	// ╭───────┬────────┬─────────┬───────╮
	// │    id │ region │  amount │  year │
	// │ int64 │ string │ float64 │ int64 │
	// ├───────┼────────┼─────────┼───────┤
	// │     1 │ EMEA   │   120.5 │  2024 │
	// │     2 │ AMER   │    80.0 │  2024 │
	// ╰───────┴────────┴─────────┴───────╯
	// (2 rows)
}

func ExampleDataFrame_WriteCSV() {
	ctx := context.Background()
	dir, err := os.MkdirTemp("", "lakeframe-example-")
	if err != nil {
		log.Fatal(err)
	}
	defer os.RemoveAll(dir)
	tbl := orders()
	defer tbl.Release()

	path := filepath.Join(dir, "amer.csv")
	df := frame.FromArrow(tbl).
		Where(expr.Col("region").Eq("AMER")).
		Select("id", "amount").
		Sort("id")
	if err := df.WriteCSV(ctx, path, frame.CSVDelimiter(';')); err != nil {
		fmt.Println(err)
		return
	}
	data, err := os.ReadFile(path)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Print(string(data))
	// Output:
	// id;amount
	// 2;80
	// 5;45.25
}

func ExampleDataFrame_Err() {
	tbl := orders()
	defer tbl.Release()

	// A mistake is found as the frame is built, not when it runs. It names
	// the step and lists the columns that exist, and every later call
	// (Schema, Explain, Collect, Show) returns it too.
	df := frame.FromArrow(tbl).
		Where(expr.Col("year").Eq(2025)).
		Select("id", "price").
		Sort("id")
	err := df.Err()
	fmt.Println(err)
	fmt.Println(errors.Is(err, errs.ErrPlan))
	// Output:
	// select: plan error: unknown column "price" (columns: id, region, amount, year)
	// true
}
