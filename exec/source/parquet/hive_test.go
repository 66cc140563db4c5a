//go:build cgo

package parquet

import (
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/apache/arrow-go/v18/arrow/memory"

	st "lakeframe/exec/source/sourcetest"
	"lakeframe/expr"
	"lakeframe/plan"
)

func TestHivePartitions(t *testing.T) {
	dir := t.TempDir()
	db := st.OpenDB(t)
	st.Exec(t, db, fmt.Sprintf(`COPY (SELECT i AS id, 2020 + i %% 3 AS year,
		['EU', 'US', 'AP', 'SA'][i %% 4 + 1] AS region, (i * 1.5)::DOUBLE AS v
		FROM range(600) t(i)) TO '%s' (FORMAT parquet, PARTITION_BY (year, region))`, dir))
	glob := dir + "/**/*.parquet"
	c := expr.Col
	cases := []struct {
		name      string
		pred      expr.Expr
		sql       string
		support   plan.FilterSupport
		filesKept int
	}{
		{"none", expr.Lit(true), "true", plan.FilterExact, 12},
		{"year", c("year").Eq(2021), "year = 2021", plan.FilterExact, 4},
		{"region in and year", c("region").IsIn("EU", "AP").And(c("year").Ge(2021)), "region IN ('EU', 'AP') AND year >= 2021", plan.FilterExact, 4},
		{"not region", c("region").Eq("EU").Not(), "NOT region = 'EU'", plan.FilterExact, 9},
		{"partition or stats", c("year").Eq(2021).Or(c("id").Lt(5)), "year = 2021 OR id < 5", plan.FilterInexact, 7},
		{"prefix of partition", c("region").Str().StartsWith("E"), "starts_with(region, 'E')", plan.FilterExact, 3},
		{"function on partition", c("region").Str().EndsWith("U"), "ends_with(region, 'U')", plan.FilterUnsupported, 12},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
			defer mem.AssertSize(t, 0)
			src, err := NewSource(context.Background(), []string{glob}, Options{})
			if err != nil {
				t.Fatal(err)
			}
			wantSchema := "id:int64 v:float64 year:int64 region:utf8"
			if got := st.SchemaString(src.Schema()); got != wantSchema {
				t.Fatalf("schema %s, want %s", got, wantSchema)
			}
			pred, err := expr.Resolve(tc.pred.Node(), src.Schema())
			if err != nil {
				t.Fatal(err)
			}
			if got := src.SupportsFilter(pred); got != tc.support {
				t.Errorf("SupportsFilter = %v, want %v", got, tc.support)
			}
			recs, sp, err := st.Scan(t, src, plan.Pushdown{Columns: []string{"region", "id", "year", "v"}, Filters: []expr.Node{pred}, Limit: -1}, mem, 16)
			if err != nil {
				t.Fatal(err)
			}
			defer st.Release(recs)
			if sp.Stats.FilesKept != tc.filesKept || sp.Stats.FilesTotal != 12 {
				t.Errorf("files kept %d/%d, want %d/12", sp.Stats.FilesKept, sp.Stats.FilesTotal, tc.filesKept)
			}
			query := fmt.Sprintf("SELECT region, id, year, v FROM read_parquet('%s', hive_partitioning = true)", glob)
			if tc.support == plan.FilterExact {
				// Exact filters are fully applied by the source.
				st.SameRows(t, st.Rows(recs), st.Query(t, db, query+" WHERE "+tc.sql))
				return
			}
			out := filepath.Join(t.TempDir(), "out.parquet")
			writeRecords(t, out, recs[0].Schema(), recs)
			st.SameRows(t,
				st.Query(t, db, fmt.Sprintf("SELECT * FROM read_parquet('%s') WHERE %s", out, tc.sql)),
				st.Query(t, db, query+" WHERE "+tc.sql))
		})
	}
}

func copyFile(t *testing.T, from, to string) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(to), 0o755); err != nil {
		t.Fatal(err)
	}
	in, err := os.Open(from)
	if err != nil {
		t.Fatal(err)
	}
	defer in.Close()
	out, err := os.Create(to)
	if err != nil {
		t.Fatal(err)
	}
	defer out.Close()
	if _, err := io.Copy(out, in); err != nil {
		t.Fatal(err)
	}
}

// TestHiveNullsDatesEscapes covers the default partition (NULL), date
// typed keys, percent-escaped values and hidden files.
func TestHiveNullsDatesEscapes(t *testing.T) {
	base := filepath.Join(t.TempDir(), "one.parquet")
	writePruneFile(t, base, 0, 10)
	dir := t.TempDir()
	layout := []string{
		"pk=1/pd=2024-01-01/ps=a%2Fb/x.parquet",
		"pk=__HIVE_DEFAULT_PARTITION__/pd=2024-01-02/ps=plain/x.parquet",
		"pk=3/pd=2024-01-03/ps=__HIVE_DEFAULT_PARTITION__/x.parquet",
		"pk=3/pd=2024-01-03/ps=x/_SUCCESS",
		"pk=3/pd=2024-01-03/ps=x/.hidden.parquet",
	}
	for _, p := range layout {
		copyFile(t, base, filepath.Join(dir, p))
	}
	c := expr.Col
	cases := []struct {
		name  string
		pred  expr.Expr
		files int
		rows  []string // distinct k|d|s values kept
	}{
		{"all", expr.Lit(true), 3, []string{`1|2024-01-01|"a/b"`, `NULL|2024-01-02|"plain"`, `3|2024-01-03|NULL`}},
		{"k null", c("pk").IsNull(), 1, []string{`NULL|2024-01-02|"plain"`}},
		{"k eq", c("pk").Eq(1), 1, []string{`1|2024-01-01|"a/b"`}},
		{"not k eq drops null", c("pk").Eq(1).Not(), 1, []string{`3|2024-01-03|NULL`}},
		{"k in with null", c("pk").IsIn(1, nil).Not(), 0, nil},
		{"date", c("pd").Ge("2024-01-02"), 2, []string{`NULL|2024-01-02|"plain"`, `3|2024-01-03|NULL`}},
		{"escaped", c("ps").Eq("a/b"), 1, []string{`1|2024-01-01|"a/b"`}},
		{"s null or k", c("ps").IsNull().Or(c("pk").Eq(1)), 2, []string{`1|2024-01-01|"a/b"`, `3|2024-01-03|NULL`}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
			defer mem.AssertSize(t, 0)
			src, err := NewSource(context.Background(), []string{dir}, Options{})
			if err != nil {
				t.Fatal(err)
			}
			if got := st.SchemaString(src.Schema()); !strings.HasSuffix(got, "pk:int64 pd:date32 ps:utf8") {
				t.Fatalf("schema %s", got)
			}
			pred, err := expr.Resolve(tc.pred.Node(), src.Schema())
			if err != nil {
				t.Fatal(err)
			}
			if src.SupportsFilter(pred) != plan.FilterExact {
				t.Errorf("%s is not exact", pred)
			}
			recs, sp, err := st.Scan(t, src, plan.Pushdown{Columns: []string{"pk", "pd", "ps"}, Filters: []expr.Node{pred}, Limit: -1}, mem, 4)
			if err != nil {
				t.Fatal(err)
			}
			defer st.Release(recs)
			if sp.Stats.FilesKept != tc.files {
				t.Errorf("files kept %d, want %d", sp.Stats.FilesKept, tc.files)
			}
			rows := st.Rows(recs)
			if len(rows) != 10*tc.files {
				t.Errorf("got %d rows, want %d", len(rows), 10*tc.files)
			}
			var distinct []string
			for i, r := range rows {
				if i == 0 || r != rows[i-1] {
					distinct = append(distinct, r)
				}
			}
			slices.Sort(distinct)
			slices.Sort(tc.rows)
			if strings.Join(distinct, ";") != strings.Join(tc.rows, ";") {
				t.Errorf("partition values %v, want %v", distinct, tc.rows)
			}
		})
	}
}

func TestHiveInconsistentKeys(t *testing.T) {
	base := filepath.Join(t.TempDir(), "one.parquet")
	writePruneFile(t, base, 0, 10)
	dir := t.TempDir()
	copyFile(t, base, filepath.Join(dir, "a=1/x.parquet"))
	copyFile(t, base, filepath.Join(dir, "b=1/x.parquet"))
	_, err := NewSource(context.Background(), []string{dir}, Options{})
	if err == nil || !strings.Contains(err.Error(), "a=1") || !strings.Contains(err.Error(), "b=1") {
		t.Errorf("want an error naming both files, got %v", err)
	}
	src, err := NewSource(context.Background(), []string{dir}, Options{NoHivePartitions: true})
	if err != nil {
		t.Fatal(err)
	}
	if src.Schema().NumFields() != pruneSchema.NumFields() {
		t.Errorf("schema %s", src.Schema())
	}
}
