//go:build cgo

package frame_test

import (
	"context"
	"errors"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/apache/arrow-go/v18/arrow/memory"

	"lakeframe/errs"
	"lakeframe/expr"
	"lakeframe/frame"
)

// TestUnionAgreesWithDuckDB runs each kind of union over two sets of
// Parquet files (several files, row groups and partitions each, NULLs in
// every column) and compares the rows with DuckDB's on the same files.
func TestUnionAgreesWithDuckDB(t *testing.T) {
	dirA, dirB := t.TempDir(), t.TempDir()
	writeDiffData(t, dirA, 3, 400, 11)
	writeDiffData(t, dirB, 2, 300, 12)
	globA, globB := filepath.Join(dirA, "*.parquet"), filepath.Join(dirB, "*.parquet")
	a, b := frame.ReadParquet(globA), frame.ReadParquet(globB)
	db := openDuck(t)
	ra := "read_parquet('" + globA + "')"
	rb := "read_parquet('" + globB + "')"

	cases := []struct {
		name string
		df   *frame.DataFrame
		sql  string
	}{
		{"union all", a.Select("k", "s", "d").UnionAll(b.Select("k", "s", "d")),
			"SELECT k, s, d FROM " + ra + " UNION ALL SELECT k, s, d FROM " + rb},
		{"union distinct with NULLs", a.Select("k", "s").Union(b.Select("k", "s")),
			"SELECT k, s FROM " + ra + " UNION SELECT k, s FROM " + rb},
		// int32 with int64 and float64 with int32: each column takes the wider type.
		{"by position widens", a.Select("k", "x").UnionAll(b.Select("n", "k")),
			"SELECT k, x FROM " + ra + " UNION ALL SELECT n, k FROM " + rb},
		{"by name fills NULLs", a.Select("s", "k").UnionAllByName(b.Select("x", "s")),
			"SELECT s, k FROM " + ra + " UNION ALL BY NAME SELECT x, s FROM " + rb},
		{"by name distinct", a.Select("flag", "k").UnionByName(b.Select("k", "flag")),
			"SELECT flag, k FROM " + ra + " UNION BY NAME SELECT k, flag FROM " + rb},
		{"three inputs, filter and aggregate above",
			frame.Concat(a.Select("k", "x"), b.Select("k", "x"), a.Select("k", "x")).
				Where(expr.Col("k").Gt(3)).GroupBy("k").Agg(expr.Col("x").Sum().Alias("sx"), expr.CountAll().Alias("n")),
			"SELECT k, sum(x) AS sx, count(*) AS n FROM (SELECT k, x FROM " + ra + " UNION ALL SELECT k, x FROM " + rb +
				" UNION ALL SELECT k, x FROM " + ra + ") WHERE k > 3 GROUP BY k"},
		{"limit over union", a.Select("id").UnionAll(b.Select("id")).Sort("id").Limit(5),
			"SELECT id FROM (SELECT id FROM " + ra + " UNION ALL SELECT id FROM " + rb + ") ORDER BY id LIMIT 5"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			for _, par := range []int{1, 3} {
				mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
				tbl, err := c.df.Collect(context.Background(), frame.WithParallelism(par), frame.WithAllocator(mem), frame.WithBatchSize(97))
				if err != nil {
					t.Fatalf("parallelism %d: %v", par, err)
				}
				got := tableRows(t, tbl)
				tbl.Release()
				mem.AssertSize(t, 0)
				want := duckRows(t, db, c.sql)
				slices.Sort(got)
				slices.Sort(want)
				if d := diffRows(got, want); d != "" {
					t.Fatalf("parallelism %d: %s", par, d)
				}
			}
		})
	}
}

func TestUnionMistakesArePlanErrors(t *testing.T) {
	dir := t.TempDir()
	writeDiffData(t, dir, 1, 10, 3)
	df := frame.ReadParquet(filepath.Join(dir, "*.parquet"))
	cases := []struct {
		name string
		df   *frame.DataFrame
		want string
	}{
		{"column count", df.Select("k", "s").UnionAll(df.Select("k")), "input 2 has 1 columns"},
		{"no common type", df.Select("s").UnionAll(df.Select("flag")), `column "s"`},
		{"nil frame", df.UnionAll(nil), "input 2 is a nil *DataFrame"},
		{"failed input", df.UnionAll(df.Select("nope")), "nope"},
		{"empty concat", frame.Concat(), "no frames"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			err := c.df.Err()
			if !errors.Is(err, errs.ErrPlan) || !strings.Contains(err.Error(), c.want) {
				t.Fatalf("got %v, want a plan error containing %q", err, c.want)
			}
		})
	}
}
