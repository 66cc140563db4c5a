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

// TestColumnMethodsAgreeWithDuckDB checks WithColumns, Rename, DropNulls,
// FillNull and Unpivot against the SQL DuckDB runs on the same files
// (NULLs in every column, several files and row groups).
func TestColumnMethodsAgreeWithDuckDB(t *testing.T) {
	dir := t.TempDir()
	writeDiffData(t, dir, 2, 500, 21)
	glob := filepath.Join(dir, "*.parquet")
	df := frame.ReadParquet(glob)
	src := "read_parquet('" + glob + "')"
	db := openDuck(t)
	cases := []struct {
		name string
		df   *frame.DataFrame
		sql  string
	}{
		{"with_columns reads the old values",
			df.Select("id", "k", "x").WithColumns(expr.Col("k").Add(1).Alias("k"), expr.Col("k").Mul(2).Alias("k2"), expr.Col("x").Neg().Alias("x")),
			"SELECT id, k + 1, x * -1, k * 2 FROM " + src},
		{"rename", df.Select("id", "s", "k").Rename(map[string]string{"s": "label", "k": "s"}),
			"SELECT id, s AS label, k AS s FROM " + src},
		{"drop_nulls named", df.Select("id", "k", "s").DropNulls("k", "s"),
			"SELECT id, k, s FROM " + src + " WHERE k IS NOT NULL AND s IS NOT NULL"},
		{"drop_nulls all", df.DropNulls().Select("id"),
			"SELECT id FROM " + src + " WHERE k IS NOT NULL AND n IS NOT NULL AND x IS NOT NULL AND s IS NOT NULL AND d IS NOT NULL AND flag IS NOT NULL"},
		{"fill_null numbers skips text", df.Select("id", "k", "n", "x", "s").FillNull(7),
			"SELECT id, coalesce(k, 7), coalesce(n, 7), coalesce(x, 7), s FROM " + src},
		{"fill_null text", df.Select("id", "s").FillNull("none", "s"),
			"SELECT id, coalesce(s, 'none') FROM " + src},
		{"unpivot", df.Select("id", "k", "n").Unpivot([]string{"id"}, nil, "variable", "value"),
			"WITH t AS (SELECT id, k, n FROM " + src + ") SELECT id, variable, value FROM t UNPIVOT INCLUDE NULLS (value FOR variable IN (k, n))"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
			tbl, err := c.df.Collect(context.Background(), frame.WithAllocator(mem), frame.WithParallelism(3))
			if err != nil {
				t.Fatal(err)
			}
			got := tableRows(t, tbl)
			tbl.Release()
			mem.AssertSize(t, 0)
			want := duckRows(t, db, c.sql)
			slices.Sort(got)
			slices.Sort(want)
			if d := diffRows(got, want); d != "" {
				t.Fatal(d)
			}
		})
	}
	// Column types survive: FillNull keeps k an int32 and WithColumns names
	// the new column where the docs say.
	s, err := df.Select("k", "x").FillNull(0).WithColumns(expr.Col("k").Alias("k3")).Schema()
	if err != nil {
		t.Fatal(err)
	}
	if got := s.String(); !strings.Contains(got, "k: type=int32") || s.Field(2).Name != "k3" {
		t.Fatalf("schema after FillNull and WithColumns: %s", got)
	}
}

func TestColumnMethodMistakesArePlanErrors(t *testing.T) {
	dir := t.TempDir()
	writeDiffData(t, dir, 1, 10, 3)
	df := frame.ReadParquet(filepath.Join(dir, "*.parquet"))
	cases := []struct {
		name string
		df   *frame.DataFrame
		want string
	}{
		{"rename unknown", df.Rename(map[string]string{"nope": "x"}), "nope"},
		{"rename onto existing", df.Rename(map[string]string{"k": "s"}), "s"},
		{"with_columns twice", df.WithColumns(expr.Col("k").Alias("z"), expr.Col("n").Alias("z")), `"z" is given twice`},
		{"drop_nulls unknown", df.DropNulls("nope"), "nope"},
		{"fill_null wrong type", df.FillNull("text", "k"), `column "k"`},
		{"unpivot unknown", df.Unpivot([]string{"id"}, []string{"nope"}, "variable", "value"), "nope"},
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
