//go:build cgo

package frame_test

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/apache/arrow-go/v18/arrow/memory"

	"lakeframe/errs"
	"lakeframe/expr"
	"lakeframe/frame"
)

// TestStatisticalAggregatesMatchDuckDB runs the statistical aggregates
// through the whole pipeline (resolve, plan, partial aggregates on several
// Parquet files and row groups, final merge) and compares with DuckDB on
// the same files.
func TestStatisticalAggregatesMatchDuckDB(t *testing.T) {
	dir := t.TempDir()
	writeDiffData(t, dir, 4, 2000, 3)
	db := openDuck(t)
	if _, err := db.Exec(fmt.Sprintf("CREATE VIEW t AS SELECT * FROM read_parquet('%s/*.parquet')", dir)); err != nil {
		t.Fatal(err)
	}
	x, n := expr.Col("x"), expr.Col("n")
	df := frame.ReadParquet(dir).GroupBy("k").Agg(
		x.Var().Alias("var"), x.Std().Alias("std"), n.VarPop().Alias("var_pop"), n.StdPop().Alias("std_pop"),
		x.Median().Alias("median"), x.Quantile(0.9).Alias("q90"), n.Quantile(0).Alias("q0"),
		expr.Col("flag").Any().Alias("any"), expr.Col("flag").All().Alias("all"),
		x.Min().Alias("min"),
	)
	want := duckRows(t, db, `SELECT k, var_samp(x), stddev_samp(x), var_pop(n), stddev_pop(n),
		median(x), quantile_cont(x, 0.9), quantile_cont(n, 0), bool_or(flag), bool_and(flag), min(x) FROM t GROUP BY k`)
	slices.Sort(want)
	for _, par := range []int{1, 3} {
		mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
		tbl, err := df.Collect(context.Background(), frame.WithAllocator(mem), frame.WithBatchSize(700), frame.WithParallelism(par))
		if err != nil {
			t.Fatal(err)
		}
		got := tableRows(t, tbl)
		tbl.Release()
		mem.AssertSize(t, 0)
		slices.Sort(got)
		if msg := diffRows(got, want); msg != "" {
			t.Fatalf("parallelism %d: %s", par, msg)
		}
	}
}

// TestAggregateInputErrors: aggregates of the wrong input type are plan
// errors that name the aggregate and the type.
func TestAggregateInputErrors(t *testing.T) {
	dir := t.TempDir()
	writeDiffData(t, dir, 1, 10, 3)
	for _, agg := range []expr.Expr{expr.Col("s").Std(), expr.Col("x").Any(), expr.Col("d").Median(), expr.Col("x").Quantile(1.5)} {
		err := frame.ReadParquet(dir).Agg(agg).Err()
		if !errors.Is(err, errs.ErrPlan) || !strings.Contains(err.Error(), agg.String()) {
			t.Errorf("%s: got %v, want a plan error naming it", agg, err)
		}
	}
}
