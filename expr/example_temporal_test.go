package expr_test

import (
	"context"
	"fmt"
	"os"

	"github.com/apache/arrow-go/v18/arrow"

	"lakeframe/expr"
	"lakeframe/frame"
)

// showTimes evaluates expressions over a small table of timestamps.
func showTimes(exprs ...any) {
	tbl := newTable(`[{"at": "2024-02-29 13:45:10.5", "due": "2024-03-04"},
		{"at": "1999-12-31 23:59:59", "due": "2000-01-01"}, {"at": null, "due": "2024-01-01"}]`,
		arrow.Field{Name: "at", Type: &arrow.TimestampType{Unit: arrow.Microsecond}, Nullable: true},
		arrow.Field{Name: "due", Type: arrow.FixedWidthTypes.Date32})
	defer tbl.Release()
	if err := frame.FromArrow(tbl).Select(exprs...).Show(context.Background(), os.Stdout, 10); err != nil {
		fmt.Println(err)
	}
}

func ExampleDtNamespace_Hour() {
	at := expr.Col("at").Dt()
	showTimes("at", at.Hour().Alias("h"), at.Minute().Alias("m"), at.Second().Alias("s"))
	// Output:
	// ╭────────────────────────────┬───────┬───────┬───────╮
	// │ at                         │     h │     m │     s │
	// │ timestamp[us]              │ int64 │ int64 │ int64 │
	// ├────────────────────────────┼───────┼───────┼───────┤
	// │ 2024-02-29 13:45:10.500000 │    13 │    45 │    10 │
	// │ 1999-12-31 23:59:59        │    23 │    59 │    59 │
	// │ null                       │  null │  null │  null │
	// ╰────────────────────────────┴───────┴───────┴───────╯
	// (3 rows)
}

func ExampleDtNamespace_Minute() {
	showTimes(expr.Col("at").Dt().Minute().Alias("minute"))
	// Output:
	// ╭────────╮
	// │ minute │
	// │  int64 │
	// ├────────┤
	// │     45 │
	// │     59 │
	// │   null │
	// ╰────────╯
	// (3 rows)
}

func ExampleDtNamespace_Second() {
	// Fractions of a second are cut off.
	showTimes(expr.Col("at").Dt().Second().Alias("second"))
	// Output:
	// ╭────────╮
	// │ second │
	// │  int64 │
	// ├────────┤
	// │     10 │
	// │     59 │
	// │   null │
	// ╰────────╯
	// (3 rows)
}

func ExampleDtNamespace_Weekday() {
	// ISO numbering: Monday is 1, Sunday 7.
	showTimes("due", expr.Col("due").Dt().Weekday().Alias("weekday"))
	// Output:
	// ╭────────────┬─────────╮
	// │ due        │ weekday │
	// │ date32     │   int64 │
	// ├────────────┼─────────┤
	// │ 2024-03-04 │       1 │
	// │ 2000-01-01 │       6 │
	// │ 2024-01-01 │       1 │
	// ╰────────────┴─────────╯
	// (3 rows)
}

func ExampleDtNamespace_Quarter() {
	showTimes("due", expr.Col("due").Dt().Quarter().Alias("quarter"), expr.Col("due").Dt().DayOfYear().Alias("day_of_year"))
	// Output:
	// ╭────────────┬─────────┬─────────────╮
	// │ due        │ quarter │ day_of_year │
	// │ date32     │   int64 │       int64 │
	// ├────────────┼─────────┼─────────────┤
	// │ 2024-03-04 │       1 │          64 │
	// │ 2000-01-01 │       1 │           1 │
	// │ 2024-01-01 │       1 │           1 │
	// ╰────────────┴─────────┴─────────────╯
	// (3 rows)
}

func ExampleDtNamespace_DayOfYear() {
	showTimes("at", expr.Col("at").Dt().DayOfYear().Alias("day_of_year"))
	// Output:
	// ╭────────────────────────────┬─────────────╮
	// │ at                         │ day_of_year │
	// │ timestamp[us]              │       int64 │
	// ├────────────────────────────┼─────────────┤
	// │ 2024-02-29 13:45:10.500000 │          60 │
	// │ 1999-12-31 23:59:59        │         365 │
	// │ null                       │        null │
	// ╰────────────────────────────┴─────────────╯
	// (3 rows)
}

func ExampleDtNamespace_Truncate() {
	at := expr.Col("at").Dt()
	showTimes("at", at.Truncate(expr.UnitWeek).Alias("week"), at.Truncate(expr.UnitHour).Alias("hour"))
	// Output:
	// ╭────────────────────────────┬─────────────────────┬─────────────────────╮
	// │ at                         │ week                │ hour                │
	// │ timestamp[us]              │ timestamp[us]       │ timestamp[us]       │
	// ├────────────────────────────┼─────────────────────┼─────────────────────┤
	// │ 2024-02-29 13:45:10.500000 │ 2024-02-26 00:00:00 │ 2024-02-29 13:00:00 │
	// │ 1999-12-31 23:59:59        │ 1999-12-27 00:00:00 │ 1999-12-31 23:00:00 │
	// │ null                       │ null                │ null                │
	// ╰────────────────────────────┴─────────────────────┴─────────────────────╯
	// (3 rows)
}

func ExampleDateDiff() {
	// Boundaries crossed: one second before midnight to midnight is a day.
	showTimes("at", "due", expr.DateDiff(expr.UnitDay, expr.Col("at"), expr.Col("due")).Alias("days"),
		expr.DateDiff(expr.UnitMonth, expr.Col("at"), expr.Col("due")).Alias("months"))
	// Output:
	// ╭────────────────────────────┬────────────┬───────┬────────╮
	// │ at                         │ due        │  days │ months │
	// │ timestamp[us]              │ date32     │ int64 │  int64 │
	// ├────────────────────────────┼────────────┼───────┼────────┤
	// │ 2024-02-29 13:45:10.500000 │ 2024-03-04 │     4 │      1 │
	// │ 1999-12-31 23:59:59        │ 2000-01-01 │     1 │      1 │
	// │ null                       │ 2024-01-01 │  null │   null │
	// ╰────────────────────────────┴────────────┴───────┴────────╯
	// (3 rows)
}

func ExampleDtNamespace_Strftime() {
	showTimes(expr.Col("at").Dt().Strftime("%a %d %b %Y, %I:%M %p").Alias("text"),
		expr.Col("due").Dt().Strftime("%Y/%j").Alias("day_number"))
	// Output:
	// ╭───────────────────────────┬────────────╮
	// │ text                      │ day_number │
	// │ string                    │ string     │
	// ├───────────────────────────┼────────────┤
	// │ Thu 29 Feb 2024, 01:45 PM │ 2024/064   │
	// │ Fri 31 Dec 1999, 11:59 PM │ 2000/001   │
	// │ null                      │ 2024/001   │
	// ╰───────────────────────────┴────────────╯
	// (3 rows)
}

func ExampleStrNamespace_Strptime() {
	tbl := newTable(`[{"s": "31/12/1999 23:59"}, {"s": "29/02/2024 08:00"}, {"s": null}]`,
		arrow.Field{Name: "s", Type: arrow.BinaryTypes.String, Nullable: true})
	defer tbl.Release()
	df := frame.FromArrow(tbl).Select("s", expr.Col("s").Str().Strptime("%d/%m/%Y %H:%M").Alias("parsed"))
	if err := df.Show(context.Background(), os.Stdout, 10); err != nil {
		fmt.Println(err)
	}
	// Output:
	// ╭──────────────────┬─────────────────────╮
	// │ s                │ parsed              │
	// │ string           │ timestamp[us]       │
	// ├──────────────────┼─────────────────────┤
	// │ 31/12/1999 23:59 │ 1999-12-31 23:59:00 │
	// │ 29/02/2024 08:00 │ 2024-02-29 08:00:00 │
	// │ null             │ null                │
	// ╰──────────────────┴─────────────────────╯
	// (3 rows)
}
