//go:build cgo

package parquet

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/apache/arrow-go/v18/arrow/memory"

	"lakeframe/errs"
	"lakeframe/exec"
	st "lakeframe/exec/source/sourcetest"
	"lakeframe/expr"
	"lakeframe/plan"
)

// duckTable is a DuckDB query producing a table with every column type the
// source prunes on, nulls in each column, and several row groups.
const duckTable = `SELECT i AS id,
	CASE WHEN i % 7 = 0 THEN NULL ELSE (i * 3)::INTEGER END AS n32,
	CASE WHEN i % 5 = 0 THEN NULL ELSE i / 4.0 END AS dbl,
	CASE WHEN i % 11 = 0 THEN NULL ELSE 'name-' || (i % 97)::VARCHAR END AS name,
	CASE WHEN i % 13 = 0 THEN NULL ELSE DATE '2020-01-01' + (i % 400)::INTEGER END AS day,
	CASE WHEN i % 17 = 0 THEN NULL ELSE TIMESTAMP '2021-06-01 00:00:00' + INTERVAL (i) SECOND END AS ts,
	CASE WHEN i % 3 = 0 THEN NULL ELSE i % 2 = 0 END AS flag,
	(i % 200)::SMALLINT AS small,
	(i * 0.5)::FLOAT AS f32
FROM range(FROM_, TO_) t(i)`

func writeDuck(t *testing.T, path string, from, to, rowGroup int) {
	t.Helper()
	db := st.OpenDB(t)
	q := strings.NewReplacer("FROM_", fmt.Sprint(from), "TO_", fmt.Sprint(to)).Replace(duckTable)
	st.Exec(t, db, fmt.Sprintf("COPY (%s) TO '%s' (FORMAT parquet, ROW_GROUP_SIZE %d)", q, path, rowGroup))
}

func TestReadMatchesDuckDB(t *testing.T) {
	dir := t.TempDir()
	writeDuck(t, filepath.Join(dir, "a.parquet"), 0, 5000, 1000)
	writeDuck(t, filepath.Join(dir, "b.parquet"), 5000, 7500, 2048)
	db := st.OpenDB(t)
	glob := filepath.Join(dir, "*.parquet")
	cases := []struct {
		name    string
		columns []string
		sql     string
	}{
		{"all", nil, "*"},
		{"projection", []string{"name", "id", "ts"}, "name, id, ts"},
		{"one column", []string{"flag"}, "flag"},
		{"no columns", []string{}, "1"},
	}
	for _, c := range cases {
		for _, bs := range []int{1000, 4096} {
			t.Run(fmt.Sprintf("%s/batch%d", c.name, bs), func(t *testing.T) {
				mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
				defer mem.AssertSize(t, 0)
				src, err := NewSource(context.Background(), []string{glob}, Options{})
				if err != nil {
					t.Fatal(err)
				}
				recs, sp, err := st.Scan(t, src, plan.Pushdown{Columns: c.columns, Limit: -1}, mem, bs)
				if err != nil {
					t.Fatal(err)
				}
				defer st.Release(recs)
				got := st.Rows(recs)
				if len(c.columns) == 0 && c.columns != nil {
					// No columns: only the row count matters.
					if len(got) != 7500 {
						t.Fatalf("got %d rows, want 7500", len(got))
					}
					return
				}
				want := st.Query(t, db, fmt.Sprintf("SELECT %s FROM read_parquet('%s')", c.sql, glob))
				st.SameRows(t, got, want)
				if sp.Stats.FilesTotal != 2 || sp.Stats.FilesKept != 2 || sp.Stats.RowsEstimate != 7500 {
					t.Errorf("stats %+v", sp.Stats)
				}
			})
		}
	}
}

func TestSchemaMatchesDuckDB(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "a.parquet")
	writeDuck(t, path, 0, 10, 1000)
	src, err := NewSource(context.Background(), []string{path}, Options{})
	if err != nil {
		t.Fatal(err)
	}
	db := st.OpenDB(t)
	want := st.Query(t, db, fmt.Sprintf("SELECT column_name, column_type FROM (DESCRIBE SELECT * FROM read_parquet('%s'))", path))
	// DuckDB type names of the Arrow types the source reports.
	duckName := map[string]string{"int64": "BIGINT", "int32": "INTEGER", "float64": "DOUBLE", "utf8": "VARCHAR",
		"date32": "DATE", "bool": "BOOLEAN", "int16": "SMALLINT", "float32": "FLOAT"}
	var got []string
	for _, f := range src.Schema().Fields() {
		name := duckName[f.Type.String()]
		if strings.HasPrefix(f.Type.String(), "timestamp[us") {
			name = "TIMESTAMP"
		}
		got = append(got, fmt.Sprintf("%q|%q", f.Name, name))
	}
	if strings.Join(got, ",") != strings.Join(want, ",") {
		t.Errorf("schema %v, want %v", got, want)
	}
}

func TestLimit(t *testing.T) {
	dir := t.TempDir()
	writeDuck(t, filepath.Join(dir, "a.parquet"), 0, 5000, 1000)
	writeDuck(t, filepath.Join(dir, "b.parquet"), 5000, 7500, 1000)
	var groupRows []int64
	for _, r := range st.Query(t, st.OpenDB(t), fmt.Sprintf(
		"SELECT DISTINCT file_name, row_group_id, row_group_num_rows FROM parquet_metadata('%s/*.parquet') ORDER BY ALL", dir)) {
		var n int64
		fmt.Sscan(r[strings.LastIndexByte(r, '|')+1:], &n)
		groupRows = append(groupRows, n)
	}
	if len(groupRows) < 3 {
		t.Fatalf("want several row groups, DuckDB wrote %v", groupRows)
	}
	for _, limit := range []int64{0, 1, 15, 1000, 1001, 7499, 7500, 9000} {
		t.Run(fmt.Sprint(limit), func(t *testing.T) {
			mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
			defer mem.AssertSize(t, 0)
			src, err := NewSource(context.Background(), []string{dir}, Options{TaskBytes: 1})
			if err != nil {
				t.Fatal(err)
			}
			recs, sp, err := st.Scan(t, src, plan.Pushdown{Columns: []string{"id"}, Limit: limit}, mem, 64)
			if err != nil {
				t.Fatal(err)
			}
			defer st.Release(recs)
			// Every task stops at the limit; the plan keeps only the row
			// groups needed to reach it, counted from DuckDB's view of the
			// files' row groups.
			want := min(limit, 7500)
			wantGroups := 0
			for covered := int64(0); covered < want; wantGroups++ {
				covered += groupRows[wantGroups]
			}
			if sp.Stats.RowGroupsKept != wantGroups {
				t.Errorf("row groups kept %d, want %d", sp.Stats.RowGroupsKept, wantGroups)
			}
			var total int64
			for _, r := range recs {
				total += r.NumRows()
			}
			// Tasks each read up to the limit, so the total is at least the
			// limit and the first rows are ids 0..limit-1.
			if total < want {
				t.Fatalf("read %d rows, want at least %d", total, want)
			}
			rows := st.Rows(recs)
			for i := int64(0); i < want; i++ {
				if rows[i] != fmt.Sprint(i) {
					t.Fatalf("row %d = %s", i, rows[i])
				}
			}
		})
	}
}

func TestErrorsNamePaths(t *testing.T) {
	dir := t.TempDir()
	ctx := context.Background()
	missing := filepath.Join(dir, "nope.parquet")
	_, err := NewSource(ctx, []string{missing}, Options{})
	if !errors.Is(err, errs.ErrPlan) || !strings.Contains(err.Error(), missing) {
		t.Errorf("missing file: %v", err)
	}
	_, err = NewSource(ctx, []string{filepath.Join(dir, "*.parquet")}, Options{})
	if !errors.Is(err, errs.ErrPlan) || !strings.Contains(err.Error(), "*.parquet") {
		t.Errorf("empty glob: %v", err)
	}

	bad := filepath.Join(dir, "bad.parquet")
	if err := os.WriteFile(bad, []byte("this is not a parquet file at all"), 0o644); err != nil {
		t.Fatal(err)
	}
	_, err = NewSource(ctx, []string{bad}, Options{})
	if !errors.Is(err, errs.ErrExec) || !strings.Contains(err.Error(), bad) {
		t.Errorf("corrupt footer: %v", err)
	}

	// A good first file and a corrupt second one: the error comes at Plan.
	good := filepath.Join(dir, "a.parquet")
	writeDuck(t, good, 0, 100, 100)
	src, err := NewSource(ctx, []string{good, bad}, Options{})
	if err != nil {
		t.Fatal(err)
	}
	_, err = src.Plan(ctx, plan.Pushdown{Limit: -1})
	if !errors.Is(err, errs.ErrExec) || !strings.Contains(err.Error(), bad) {
		t.Errorf("corrupt second file: %v", err)
	}

	// Corrupt data pages: the footer is fine, reading fails and names the file.
	pages := filepath.Join(dir, "pages.parquet")
	writeDuck(t, pages, 0, 3000, 1000)
	data, err := os.ReadFile(pages)
	if err != nil {
		t.Fatal(err)
	}
	for i := 4; i < len(data)/2; i++ {
		data[i] = byte(i * 7)
	}
	if err := os.WriteFile(pages, data, 0o644); err != nil {
		t.Fatal(err)
	}
	src, err = NewSource(ctx, []string{pages}, Options{})
	if err != nil {
		t.Fatal(err)
	}
	err = st.ScanError(t, src, plan.Pushdown{Limit: -1}, 1024)
	if !errors.Is(err, errs.ErrExec) || !strings.Contains(err.Error(), pages) {
		t.Errorf("corrupt pages: %v", err)
	}
}

func TestSchemaMismatchNamesBothFiles(t *testing.T) {
	dir := t.TempDir()
	a, b := filepath.Join(dir, "a.parquet"), filepath.Join(dir, "b.parquet")
	db := st.OpenDB(t)
	st.Exec(t, db,
		fmt.Sprintf("COPY (SELECT 1::BIGINT AS x, 'a' AS y) TO '%s' (FORMAT parquet)", a),
		fmt.Sprintf("COPY (SELECT 1::INTEGER AS x, 'a' AS y) TO '%s' (FORMAT parquet)", b))
	src, err := NewSource(context.Background(), []string{dir}, Options{})
	if err != nil {
		t.Fatal(err)
	}
	_, err = src.Plan(context.Background(), plan.Pushdown{Limit: -1})
	if err == nil || !strings.Contains(err.Error(), a) || !strings.Contains(err.Error(), b) {
		t.Errorf("want an error naming %s and %s, got %v", a, b, err)
	}
}

func TestNestedAndZonedColumns(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "nested.parquet")
	db := st.OpenDB(t)
	st.Exec(t, db, fmt.Sprintf(`COPY (SELECT i AS id,
		CASE WHEN i %% 4 = 0 THEN NULL ELSE {'a': i, 'b': 'x' || i::VARCHAR} END AS s,
		CASE WHEN i %% 5 = 0 THEN NULL ELSE [i, NULL, i * 2] END AS l,
		TIMESTAMPTZ '2024-01-01 00:00:00+00' + INTERVAL (i) MINUTE AS tz
		FROM range(3000) t(i)) TO '%s' (FORMAT parquet, ROW_GROUP_SIZE 1000)`, path))
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)
	src, err := NewSource(context.Background(), []string{path}, Options{})
	if err != nil {
		t.Fatal(err)
	}
	recs, _, err := st.Scan(t, src, plan.Pushdown{Columns: []string{"l", "s", "id"}, Limit: -1}, mem, 512)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Release(recs)
	st.SameRows(t, st.Rows(recs), st.Query(t, db, fmt.Sprintf("SELECT l, s, id FROM read_parquet('%s')", path)))

	// Zoned timestamps prune by statistics too.
	pred, err := expr.Resolve(expr.Col("tz").Ge(time.Date(2024, 1, 2, 23, 0, 0, 0, time.UTC)).Node(), src.Schema())
	if err != nil {
		t.Fatal(err)
	}
	sp, err := src.Plan(context.Background(), plan.Pushdown{Filters: []expr.Node{pred}, Limit: -1})
	if err != nil {
		t.Fatal(err)
	}
	// Minute 2820 onwards: only the last row group (minutes 2000-2999).
	if sp.Stats.RowGroupsKept != 1 {
		t.Errorf("row groups kept %d, want 1", sp.Stats.RowGroupsKept)
	}
}

func TestCancellation(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "a.parquet")
	writeDuck(t, path, 0, 5000, 1000)
	src, err := NewSource(context.Background(), []string{path}, Options{})
	if err != nil {
		t.Fatal(err)
	}
	sp, err := src.Plan(context.Background(), plan.Pushdown{Limit: -1})
	if err != nil {
		t.Fatal(err)
	}
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)
	ctx, cancel := context.WithCancel(context.Background())
	s, err := src.Open(ctx, &exec.TaskContext{Mem: mem, BatchSize: 100}, sp.Tasks[0])
	if err != nil {
		t.Fatal(err)
	}
	rec, err := s.Next(ctx)
	if err != nil {
		t.Fatal(err)
	}
	rec.Release()
	cancel()
	if _, err := s.Next(ctx); !errors.Is(err, context.Canceled) {
		t.Errorf("after cancel: %v", err)
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	if _, err := src.Plan(ctx, plan.Pushdown{Limit: -1}); err != nil {
		t.Errorf("cached footers need no I/O, plan failed: %v", err)
	}
}
