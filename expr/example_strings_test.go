package expr_test

import (
	"context"
	"errors"
	"fmt"
	"os"

	"github.com/apache/arrow-go/v18/arrow"

	"lakeframe/errs"
	"lakeframe/expr"
	"lakeframe/frame"
)

// showText evaluates expressions over a small table of strings.
func showText(exprs ...any) {
	tbl := newTable(`[{"s": "  a, b  ", "n": 1}, {"s": "ab12cd345", "n": 2}, {"s": "日本語", "n": 3}, {"s": null, "n": null}]`,
		arrow.Field{Name: "s", Type: arrow.BinaryTypes.String, Nullable: true},
		arrow.Field{Name: "n", Type: arrow.PrimitiveTypes.Int64, Nullable: true})
	defer tbl.Release()
	if err := frame.FromArrow(tbl).Select(exprs...).Show(context.Background(), os.Stdout, 10); err != nil {
		fmt.Println(err)
	}
}

func ExampleStrNamespace_Trim() {
	s := expr.Col("s").Str()
	showText(expr.Concat("[", s.Trim(), "]").Alias("trim"), expr.Concat("[", s.LTrim(), "]").Alias("ltrim"))
	// Output:
	// ╭─────────────┬─────────────╮
	// │ trim        │ ltrim       │
	// │ string      │ string      │
	// ├─────────────┼─────────────┤
	// │ [a, b]      │ [a, b  ]    │
	// │ [ab12cd345] │ [ab12cd345] │
	// │ [日本語]    │ [日本語]    │
	// │ []          │ []          │
	// ╰─────────────┴─────────────╯
	// (4 rows)
}

func ExampleStrNamespace_LTrim() {
	showText(expr.Col("s").Str().LTrim().Str().Length().Alias("len"))
	// Output:
	// ╭───────╮
	// │   len │
	// │ int64 │
	// ├───────┤
	// │     6 │
	// │     9 │
	// │     3 │
	// │  null │
	// ╰───────╯
	// (4 rows)
}

func ExampleStrNamespace_RTrim() {
	showText(expr.Concat(expr.Col("s").Str().RTrim(), "|").Alias("rtrim"))
	// Output:
	// ╭────────────╮
	// │ rtrim      │
	// │ string     │
	// ├────────────┤
	// │   a, b|    │
	// │ ab12cd345| │
	// │ 日本語|    │
	// │ |          │
	// ╰────────────╯
	// (4 rows)
}

func ExampleStrNamespace_PadStart() {
	// Padding counts characters, and a longer string is cut.
	showText("s", expr.Col("s").Str().PadStart(5, "*").Alias("lpad"))
	// Output:
	// ╭───────────┬──────────╮
	// │ s         │ lpad     │
	// │ string    │ string   │
	// ├───────────┼──────────┤
	// │   a, b    │   a,     │
	// │ ab12cd345 │ ab12c    │
	// │ 日本語    │ **日本語 │
	// │ null      │ null     │
	// ╰───────────┴──────────╯
	// (4 rows)
}

func ExampleStrNamespace_PadEnd() {
	showText("n", expr.Col("n").Cast(arrow.BinaryTypes.String).Str().PadEnd(4, "0").Alias("rpad"))
	// Output:
	// ╭───────┬────────╮
	// │     n │ rpad   │
	// │ int64 │ string │
	// ├───────┼────────┤
	// │     1 │ 1000   │
	// │     2 │ 2000   │
	// │     3 │ 3000   │
	// │  null │ null   │
	// ╰───────┴────────╯
	// (4 rows)
}

func ExampleStrNamespace_Reverse() {
	showText("s", expr.Col("s").Str().Reverse().Alias("reversed"))
	// Output:
	// ╭───────────┬───────────╮
	// │ s         │ reversed  │
	// │ string    │ string    │
	// ├───────────┼───────────┤
	// │   a, b    │   b ,a    │
	// │ ab12cd345 │ 543dc21ba │
	// │ 日本語    │ 語本日    │
	// │ null      │ null      │
	// ╰───────────┴───────────╯
	// (4 rows)
}

func ExampleStrNamespace_Replace() {
	showText("s", expr.Col("s").Str().Replace("ab", "AB").Alias("replaced"))
	// Output:
	// ╭───────────┬───────────╮
	// │ s         │ replaced  │
	// │ string    │ string    │
	// ├───────────┼───────────┤
	// │   a, b    │   a, b    │
	// │ ab12cd345 │ AB12cd345 │
	// │ 日本語    │ 日本語    │
	// │ null      │ null      │
	// ╰───────────┴───────────╯
	// (4 rows)
}

func ExampleStrNamespace_Split() {
	showText("s", expr.Col("s").Str().Split(",").Alias("parts"))
	// Output:
	// ╭───────────┬─────────────────╮
	// │ s         │ parts           │
	// │ string    │ list<string>    │
	// ├───────────┼─────────────────┤
	// │   a, b    │ ["  a", " b  "] │
	// │ ab12cd345 │ ["ab12cd345"]   │
	// │ 日本語    │ ["日本語"]      │
	// │ null      │ null            │
	// ╰───────────┴─────────────────╯
	// (4 rows)
}

func ExampleConcat() {
	// NULLs are skipped; numbers are written as text.
	showText(expr.Concat("#", expr.Col("n"), ": ", expr.Col("s")).Alias("label"))
	// Output:
	// ╭───────────────╮
	// │ label         │
	// │ string        │
	// ├───────────────┤
	// │ #1:   a, b    │
	// │ #2: ab12cd345 │
	// │ #3: 日本語    │
	// │ #:            │
	// ╰───────────────╯
	// (4 rows)
}

func ExampleStrNamespace_Concat() {
	showText(expr.Col("s").Str().Concat("!").Alias("shout"))
	// Output:
	// ╭────────────╮
	// │ shout      │
	// │ string     │
	// ├────────────┤
	// │   a, b  !  │
	// │ ab12cd345! │
	// │ 日本語!    │
	// │ !          │
	// ╰────────────╯
	// (4 rows)
}

func ExampleStrNamespace_Matches() {
	showText("s", expr.Col("s").Str().Matches(`\d{3}`).Alias("three_digits"))
	// An invalid pattern is a plan error, found before anything runs.
	tbl := newTable(`[{"s": "x"}]`, arrow.Field{Name: "s", Type: arrow.BinaryTypes.String})
	defer tbl.Release()
	err := frame.FromArrow(tbl).Where(expr.Col("s").Str().Matches("(unclosed")).Err()
	fmt.Println(errors.Is(err, errs.ErrPlan), err)
	// Output:
	// ╭───────────┬──────────────╮
	// │ s         │ three_digits │
	// │ string    │ bool         │
	// ├───────────┼──────────────┤
	// │   a, b    │ false        │
	// │ ab12cd345 │ true         │
	// │ 日本語    │ false        │
	// │ null      │ null         │
	// ╰───────────┴──────────────╯
	// (4 rows)
	// true where regexp_matches(s, "(unclosed"): plan error: regexp_matches: invalid regular expression "(unclosed": error parsing regexp: missing closing ): `(unclosed`
}

func ExampleStrNamespace_Extract() {
	s := expr.Col("s").Str()
	showText("s", s.Extract(`[0-9]+`, 0).Alias("digits"), s.Extract(`([a-z]+)([0-9]+)`, 1).Alias("letters"))
	// Output:
	// ╭───────────┬────────┬─────────╮
	// │ s         │ digits │ letters │
	// │ string    │ string │ string  │
	// ├───────────┼────────┼─────────┤
	// │   a, b    │        │         │
	// │ ab12cd345 │ 12     │ ab      │
	// │ 日本語    │        │         │
	// │ null      │ null   │ null    │
	// ╰───────────┴────────┴─────────╯
	// (4 rows)
}

func ExampleStrNamespace_ReplaceAll() {
	// $1 and $2 are the capture groups.
	showText("s", expr.Col("s").Str().ReplaceAll(`([a-z]+)([0-9]+)`, "$2$1").Alias("swapped"))
	// Output:
	// ╭───────────┬───────────╮
	// │ s         │ swapped   │
	// │ string    │ string    │
	// ├───────────┼───────────┤
	// │   a, b    │   a, b    │
	// │ ab12cd345 │ 12ab345cd │
	// │ 日本語    │ 日本語    │
	// │ null      │ null      │
	// ╰───────────┴───────────╯
	// (4 rows)
}
