package expr_test

import (
	"context"
	"fmt"
	"os"

	"github.com/apache/arrow-go/v18/arrow"

	"lakeframe/expr"
	"lakeframe/frame"
)

// showNumbers evaluates expressions over a small table of numbers.
func showNumbers(exprs ...any) {
	tbl := newTable(`[{"x": 4.0, "n": 16}, {"x": 2.675, "n": -7}, {"x": -2.5, "n": 1250}, {"x": null, "n": null}]`,
		arrow.Field{Name: "x", Type: arrow.PrimitiveTypes.Float64, Nullable: true},
		arrow.Field{Name: "n", Type: arrow.PrimitiveTypes.Int32, Nullable: true})
	defer tbl.Release()
	if err := frame.FromArrow(tbl).Select(exprs...).Show(context.Background(), os.Stdout, 10); err != nil {
		fmt.Println(err)
	}
}

func ExampleExpr_Abs() {
	// Abs keeps the type: int32 stays int32.
	showNumbers("x", expr.Col("x").Abs().Alias("abs_x"), "n", expr.Col("n").Abs().Alias("abs_n"))
	// Output:
	// ╭─────────┬─────────┬───────┬───────╮
	// │       x │   abs_x │     n │ abs_n │
	// │ float64 │ float64 │ int32 │ int32 │
	// ├─────────┼─────────┼───────┼───────┤
	// │     4.0 │     4.0 │    16 │    16 │
	// │   2.675 │   2.675 │    -7 │     7 │
	// │    -2.5 │     2.5 │  1250 │  1250 │
	// │    null │    null │  null │  null │
	// ╰─────────┴─────────┴───────┴───────╯
	// (4 rows)
}

func ExampleExpr_Round() {
	// Halves round away from zero; negative digits round to tens, hundreds.
	showNumbers("x", expr.Col("x").Round(0).Alias("r0"), expr.Col("x").Round(2).Alias("r2"),
		"n", expr.Col("n").Round(-2).Alias("n_r-2"))
	// Output:
	// ╭─────────┬─────────┬─────────┬───────┬───────╮
	// │       x │      r0 │      r2 │     n │ n_r-2 │
	// │ float64 │ float64 │ float64 │ int32 │ int32 │
	// ├─────────┼─────────┼─────────┼───────┼───────┤
	// │     4.0 │     4.0 │     4.0 │    16 │     0 │
	// │   2.675 │     3.0 │    2.68 │    -7 │     0 │
	// │    -2.5 │    -3.0 │    -2.5 │  1250 │  1300 │
	// │    null │    null │    null │  null │  null │
	// ╰─────────┴─────────┴─────────┴───────┴───────╯
	// (4 rows)
}

func ExampleExpr_Floor() {
	showNumbers("x", expr.Col("x").Floor().Alias("floor"), expr.Col("x").Ceil().Alias("ceil"))
	// Output:
	// ╭─────────┬─────────┬─────────╮
	// │       x │   floor │    ceil │
	// │ float64 │ float64 │ float64 │
	// ├─────────┼─────────┼─────────┤
	// │     4.0 │     4.0 │     4.0 │
	// │   2.675 │     2.0 │     3.0 │
	// │    -2.5 │    -3.0 │    -2.0 │
	// │    null │    null │    null │
	// ╰─────────┴─────────┴─────────╯
	// (4 rows)
}

func ExampleExpr_Ceil() {
	// Integers give float64, as in DuckDB.
	showNumbers("n", expr.Col("n").Ceil().Alias("ceil"))
	// Output:
	// ╭───────┬─────────╮
	// │     n │    ceil │
	// │ int32 │ float64 │
	// ├───────┼─────────┤
	// │    16 │    16.0 │
	// │    -7 │    -7.0 │
	// │  1250 │  1250.0 │
	// │  null │    null │
	// ╰───────┴─────────╯
	// (4 rows)
}

func ExampleExpr_Sqrt() {
	showNumbers("n", expr.Col("n").Abs().Sqrt().Alias("sqrt_abs"))
	// Output:
	// ╭───────┬────────────────────╮
	// │     n │           sqrt_abs │
	// │ int32 │            float64 │
	// ├───────┼────────────────────┤
	// │    16 │                4.0 │
	// │    -7 │ 2.6457513110645907 │
	// │  1250 │  35.35533905932738 │
	// │  null │               null │
	// ╰───────┴────────────────────╯
	// (4 rows)
}

func ExampleExpr_Exp() {
	showNumbers("x", expr.Col("x").Exp().Round(3).Alias("exp"))
	// Output:
	// ╭─────────┬─────────╮
	// │       x │     exp │
	// │ float64 │ float64 │
	// ├─────────┼─────────┤
	// │     4.0 │  54.598 │
	// │   2.675 │  14.512 │
	// │    -2.5 │   0.082 │
	// │    null │    null │
	// ╰─────────┴─────────╯
	// (4 rows)
}

func ExampleExpr_Ln() {
	// The logarithm of zero or of a negative number is an error.
	showNumbers("x", expr.Col("x").Abs().Ln().Round(4).Alias("ln_abs"))
	showNumbers(expr.Col("x").Ln())
	// Output:
	// ╭─────────┬─────────╮
	// │       x │  ln_abs │
	// │ float64 │ float64 │
	// ├─────────┼─────────┤
	// │     4.0 │  1.3863 │
	// │   2.675 │  0.9839 │
	// │    -2.5 │  0.9163 │
	// │    null │    null │
	// ╰─────────┴─────────╯
	// (4 rows)
	// select ln(x): evaluate ln(x): ln: cannot take the logarithm of a negative number (-2.5): execution error
}

func ExampleExpr_Log10() {
	showNumbers("n", expr.Col("n").Abs().Log10().Round(4).Alias("log10_abs"))
	// Output:
	// ╭───────┬───────────╮
	// │     n │ log10_abs │
	// │ int32 │   float64 │
	// ├───────┼───────────┤
	// │    16 │    1.2041 │
	// │    -7 │    0.8451 │
	// │  1250 │    3.0969 │
	// │  null │      null │
	// ╰───────┴───────────╯
	// (4 rows)
}

func ExampleExpr_Log() {
	showNumbers("n", expr.Col("n").Abs().Log(2).Round(4).Alias("log2_abs"))
	// Output:
	// ╭───────┬──────────╮
	// │     n │ log2_abs │
	// │ int32 │  float64 │
	// ├───────┼──────────┤
	// │    16 │      4.0 │
	// │    -7 │   2.8074 │
	// │  1250 │  10.2877 │
	// │  null │     null │
	// ╰───────┴──────────╯
	// (4 rows)
}

func ExampleExpr_Pow() {
	// The exponent may be a number or an expression.
	showNumbers("x", "n", expr.Col("x").Pow(2).Alias("x_squared"), expr.Lit(2).Pow(expr.Col("x")).Alias("two_to_x"))
	// Output:
	// ╭─────────┬───────┬───────────────────┬────────────────────╮
	// │       x │     n │         x_squared │           two_to_x │
	// │ float64 │ int32 │           float64 │            float64 │
	// ├─────────┼───────┼───────────────────┼────────────────────┤
	// │     4.0 │    16 │              16.0 │               16.0 │
	// │   2.675 │    -7 │ 7.155624999999999 │  6.386387090853199 │
	// │    -2.5 │  1250 │              6.25 │ 0.1767766952966369 │
	// │    null │  null │              null │               null │
	// ╰─────────┴───────┴───────────────────┴────────────────────╯
	// (4 rows)
}

func ExampleExpr_Sign() {
	showNumbers("x", expr.Col("x").Sign().Alias("sign"), "n", expr.Col("n").Sign().Alias("sign_n"))
	// Output:
	// ╭─────────┬──────┬───────┬────────╮
	// │       x │ sign │     n │ sign_n │
	// │ float64 │ int8 │ int32 │   int8 │
	// ├─────────┼──────┼───────┼────────┤
	// │     4.0 │    1 │    16 │      1 │
	// │   2.675 │    1 │    -7 │     -1 │
	// │    -2.5 │   -1 │  1250 │      1 │
	// │    null │ null │  null │   null │
	// ╰─────────┴──────┴───────┴────────╯
	// (4 rows)
}

func ExampleExpr_IsNaN() {
	// 0/0 is NaN in IEEE 754, as in DuckDB.
	nan := expr.Col("x").Sub(expr.Col("x")).Div(0)
	showNumbers("x", nan.Alias("nan"), nan.IsNaN().Alias("is_nan"))
	// Output:
	// ╭─────────┬─────────┬────────╮
	// │       x │     nan │ is_nan │
	// │ float64 │ float64 │ bool   │
	// ├─────────┼─────────┼────────┤
	// │     4.0 │     NaN │ true   │
	// │   2.675 │     NaN │ true   │
	// │    -2.5 │     NaN │ true   │
	// │    null │    null │ null   │
	// ╰─────────┴─────────┴────────╯
	// (4 rows)
}

func ExampleExpr_IsFinite() {
	inf := expr.Col("x").Div(0)
	showNumbers("x", inf.Alias("x_div_0"), inf.IsFinite().Alias("finite"))
	// Output:
	// ╭─────────┬─────────┬────────╮
	// │       x │ x_div_0 │ finite │
	// │ float64 │ float64 │ bool   │
	// ├─────────┼─────────┼────────┤
	// │     4.0 │     inf │ false  │
	// │   2.675 │     inf │ false  │
	// │    -2.5 │    -inf │ false  │
	// │    null │    null │ null   │
	// ╰─────────┴─────────┴────────╯
	// (4 rows)
}

func ExampleExpr_TryCast() {
	tbl := newTable(`[{"raw": "42"}, {"raw": "-8"}, {"raw": "forty"}, {"raw": "99999999999"}, {"raw": null}]`,
		arrow.Field{Name: "raw", Type: arrow.BinaryTypes.String, Nullable: true})
	defer tbl.Release()
	// Cast would fail on "forty"; TryCast gives NULL there and where the
	// number does not fit.
	df := frame.FromArrow(tbl).Select("raw",
		expr.Col("raw").TryCast(arrow.PrimitiveTypes.Int32).Alias("int32"),
		expr.Col("raw").TryCast(arrow.PrimitiveTypes.Float64).Alias("float64"))
	if err := df.Show(context.Background(), os.Stdout, 10); err != nil {
		fmt.Println(err)
	}
	// Output:
	// ╭─────────────┬───────┬───────────────╮
	// │ raw         │ int32 │       float64 │
	// │ string      │ int32 │       float64 │
	// ├─────────────┼───────┼───────────────┤
	// │ 42          │    42 │          42.0 │
	// │ -8          │    -8 │          -8.0 │
	// │ forty       │  null │          null │
	// │ 99999999999 │  null │ 99999999999.0 │
	// │ null        │  null │          null │
	// ╰─────────────┴───────┴───────────────╯
	// (5 rows)
}
