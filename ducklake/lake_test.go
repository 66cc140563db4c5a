package ducklake_test

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/memory"

	"lakeframe/ducklake"
	"lakeframe/ducklake/ducklaketest"
	"lakeframe/errs"
	"lakeframe/exec"
	"lakeframe/expr"
	"lakeframe/plan"
)

// scanAll plans a source with a pushdown and reads every task, with a
// checked allocator and small batches. Rows are "a|b|c" lines, sorted.
func scanAll(t *testing.T, src *ducklake.Source, pd plan.Pushdown) ([]string, plan.ScanStats) {
	t.Helper()
	ctx := context.Background()
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)
	sp, err := src.Plan(ctx, pd)
	if err != nil {
		t.Fatalf("plan: %v", err)
	}
	var lines []string
	for _, task := range sp.Tasks {
		// Tasks travel to other processes as JSON: read the copy.
		raw, err := json.Marshal(task)
		if err != nil {
			t.Fatalf("encode %s: %v", task, err)
		}
		var copied ducklake.Task
		if err := json.Unmarshal(raw, &copied); err != nil {
			t.Fatalf("decode %s: %v", task, err)
		}
		st, err := src.Open(ctx, &exec.TaskContext{Mem: mem, BatchSize: 16}, &copied)
		if err != nil {
			t.Fatalf("open %s: %v", task, err)
		}
		for {
			rec, err := st.Next(ctx)
			if errors.Is(err, io.EOF) {
				break
			}
			if err != nil {
				st.Close()
				t.Fatalf("read %s: %v", task, err)
			}
			if !rec.Schema().Equal(st.Schema()) {
				t.Errorf("batch schema %s differs from stream schema %s", rec.Schema(), st.Schema())
			}
			lines = append(lines, formatRows(rec)...)
			rec.Release()
		}
		if err := st.Close(); err != nil {
			t.Fatal(err)
		}
	}
	slices.Sort(lines)
	return lines, sp.Stats
}

// readTask reads a task to the end and returns the first error.
func readTask(ctx context.Context, src *ducklake.Source, task plan.Task) error {
	st, err := src.Open(ctx, &exec.TaskContext{Mem: memory.NewGoAllocator()}, task)
	if err != nil {
		return err
	}
	defer st.Close()
	for {
		rec, err := st.Next(ctx)
		if errors.Is(err, io.EOF) {
			return nil
		}
		if err != nil {
			return err
		}
		rec.Release()
	}
}

func formatRows(rec arrow.RecordBatch) []string {
	out := make([]string, rec.NumRows())
	for i := range out {
		parts := make([]string, rec.NumCols())
		for j, col := range rec.Columns() {
			if col.IsNull(i) {
				parts[j] = "NULL"
			} else {
				parts[j] = col.ValueStr(i)
			}
		}
		out[i] = strings.Join(parts, "|")
	}
	return out
}

func source(t *testing.T, cat *ducklake.Catalog, table string, opts ...ducklake.ReadOption) *ducklake.Source {
	t.Helper()
	src, err := ducklake.NewSource(context.Background(), cat, table, opts...)
	if err != nil {
		t.Fatalf("source %s: %v", table, err)
	}
	return src
}

func resolve(t *testing.T, src *ducklake.Source, es ...expr.Expr) []expr.Node {
	t.Helper()
	out := make([]expr.Node, len(es))
	for i, e := range es {
		n, err := expr.Resolve(e.Node(), src.Schema())
		if err != nil {
			t.Fatalf("resolve %s: %v", e, err)
		}
		out[i] = n
	}
	return out
}

func fieldNames(s *arrow.Schema) []string {
	var out []string
	for _, f := range s.Fields() {
		out = append(out, f.Name)
	}
	return out
}

// testLake runs the shared checks on a catalog that BuildLake wrote.
func testLake(t *testing.T, cat *ducklake.Catalog, lake *ducklaketest.Lake) {
	ctx := context.Background()
	t.Run("time_travel", func(t *testing.T) {
		// Counted by hand from the steps BuildLake documents.
		wantRows := map[int64]int{1: 0, 2: 100, 3: 200, 4: 190, 5: 190, 6: 240, 7: 232, 8: 232, 9: 232, 10: 231, 11: 231, 12: 231}
		for snap := int64(ducklaketest.SnapCreated); snap <= lake.Latest; snap++ {
			src := source(t, cat, "main.events", ducklake.AtSnapshot(snap))
			cols := lake.Events.Columns(snap)
			if got := fieldNames(src.Schema()); !slices.Equal(got, cols) {
				t.Fatalf("snapshot %d: columns %v, want %v", snap, got, cols)
			}
			got, _ := scanAll(t, src, plan.Pushdown{Limit: -1})
			if len(got) != wantRows[snap] {
				t.Errorf("snapshot %d: %d rows, want %d", snap, len(got), wantRows[snap])
			}
			want := ducklaketest.Lines(lake.Events.Rows(snap), cols)
			if !slices.Equal(got, want) {
				t.Errorf("snapshot %d: %d rows, want %d\n%s", snap, len(got), len(want), firstDiff(got, want))
			}
		}
	})
	t.Run("latest_types", func(t *testing.T) {
		src := source(t, cat, "events")
		if src.Table().Snapshot.ID != lake.Latest {
			t.Errorf("latest snapshot %d, want %d", src.Table().Snapshot.ID, lake.Latest)
		}
		want := []string{"id:int64", "label:utf8", "amount:int64", "extra:utf8"}
		var got []string
		for _, f := range src.Schema().Fields() {
			got = append(got, f.Name+":"+f.Type.String())
		}
		if !slices.Equal(got, want) {
			t.Errorf("schema %v, want %v", got, want)
		}
		// The amount column was int32 in files A and B: it is cast.
		old := source(t, cat, "events", ducklake.AtSnapshot(ducklaketest.SnapFileB))
		if typ := old.Schema().Field(3).Type; typ.ID() != arrow.INT32 {
			t.Errorf("amount at snapshot %d is %s, want int32", ducklaketest.SnapFileB, typ)
		}
	})
	t.Run("projection", func(t *testing.T) {
		src := source(t, cat, "main.events")
		cols := []string{"extra", "id"}
		got, _ := scanAll(t, src, plan.Pushdown{Columns: cols, Limit: -1})
		want := ducklaketest.Lines(lake.Events.Rows(lake.Latest), cols)
		if !slices.Equal(got, want) {
			t.Errorf("projection: %d rows, want %d\n%s", len(got), len(want), firstDiff(got, want))
		}
		// No columns at all: only the number of live rows.
		got, _ = scanAll(t, src, plan.Pushdown{Columns: []string{}, Limit: -1})
		if len(got) != len(want) {
			t.Errorf("count-only scan: %d rows, want %d", len(got), len(want))
		}
	})
	t.Run("limit", func(t *testing.T) {
		src := source(t, cat, "main.events")
		got, stats := scanAll(t, src, plan.Pushdown{Columns: []string{"id"}, Limit: 30})
		if len(got) < 30 {
			t.Errorf("limit 30 read %d rows", len(got))
		}
		// File A alone has 87 live rows.
		if stats.FilesKept != 1 {
			t.Errorf("limit 30 kept %d files, want 1", stats.FilesKept)
		}
	})
	t.Run("pruning", func(t *testing.T) {
		day := func(y, m, d int) time.Time { return time.Date(y, time.Month(m), d, 0, 0, 0, 0, time.UTC) }
		cases := []struct {
			name        string
			table       string
			snap        int64
			filters     []expr.Expr
			kept, total int
		}{
			{"id_range", "main.events", 0, []expr.Expr{expr.Col("id").Ge(200)}, 1, 3},
			{"id_or", "main.events", 0, []expr.Expr{expr.Col("id").Lt(0).Or(expr.Col("id").Gt(240))}, 1, 3},
			{"string_eq", "main.events", 0, []expr.Expr{expr.Col("label").Eq("b150")}, 1, 3},
			{"nulls_present", "main.events", 0, []expr.Expr{expr.Col("label").IsNull()}, 2, 3},
			{"promoted_type", "main.events", 0, []expr.Expr{expr.Col("amount").Gt(500)}, 1, 3},
			{"added_column_default", "main.events", 0, []expr.Expr{expr.Col("extra").Eq("none")}, 2, 3},
			{"added_column_null", "main.events", 0, []expr.Expr{expr.Col("extra").IsNull()}, 0, 3},
			{"dropped_later", "main.events", ducklaketest.SnapFileB, []expr.Expr{expr.Col("old").Lt(50)}, 1, 2},
			{"no_filter", "main.events", 0, nil, 3, 3},
			{"partition_identity", "main.sales", 0, []expr.Expr{expr.Col("region").Eq("EU")}, 2, 3},
			{"partition_missing", "main.sales", 0, []expr.Expr{expr.Col("region").Eq("ASIA")}, 0, 3},
			{"partition_year", "main.sales", 0, []expr.Expr{expr.Col("day").Ge(day(2024, 1, 1))}, 2, 3},
			{"partition_year_upper", "main.sales", 0, []expr.Expr{expr.Col("day").Lt(day(2023, 12, 31))}, 1, 3},
			{"partition_both", "main.sales", 0, []expr.Expr{expr.Col("region").Eq("EU"), expr.Col("day").Ge(day(2024, 3, 1))}, 1, 3},
			{"no_stats", "main.sales", 0, []expr.Expr{expr.Col("amount").Gt(5)}, 3, 3},
		}
		for _, tc := range cases {
			t.Run(tc.name, func(t *testing.T) {
				var opts []ducklake.ReadOption
				if tc.snap > 0 {
					opts = append(opts, ducklake.AtSnapshot(tc.snap))
				}
				src := source(t, cat, tc.table, opts...)
				for _, f := range resolve(t, src, tc.filters...) {
					if src.SupportsFilter(f) != plan.FilterInexact {
						t.Errorf("SupportsFilter(%s) = %v, want inexact", f, src.SupportsFilter(f))
					}
				}
				_, stats := scanAll(t, src, plan.Pushdown{Filters: resolve(t, src, tc.filters...), Limit: -1})
				if stats.FilesKept != tc.kept || stats.FilesTotal != tc.total {
					t.Errorf("files kept %d of %d, want %d of %d", stats.FilesKept, stats.FilesTotal, tc.kept, tc.total)
				}
			})
		}
	})
	t.Run("inlined_data", func(t *testing.T) {
		for _, snap := range []int64{ducklaketest.SnapSmall, ducklaketest.SnapSmallMore} {
			src := source(t, cat, "main.small", ducklake.AtSnapshot(snap))
			cols := lake.Small.Columns(snap)
			got, _ := scanAll(t, src, plan.Pushdown{Limit: -1})
			want := ducklaketest.Lines(lake.Small.Rows(snap), cols)
			if !slices.Equal(got, want) || len(want) != 3 {
				t.Errorf("snapshot %d:\n got  %q\n want %q", snap, got, want)
			}
		}
		src := source(t, cat, "main.small")
		got, _ := scanAll(t, src, plan.Pushdown{Columns: []string{"n", "k"}, Limit: -1})
		if want := []string{"5|1", "5|3", "9|4"}; !slices.Equal(got, want) {
			t.Errorf("projection of inlined rows: %q, want %q", got, want)
		}
		got, _ = scanAll(t, src, plan.Pushdown{Columns: []string{}, Limit: -1})
		if len(got) != 3 {
			t.Errorf("count-only scan of inlined rows: %d rows, want 3", len(got))
		}
	})
	t.Run("row_groups", func(t *testing.T) {
		// Files hold row groups of 40 rows: A has ids 0-39, 40-79, 80-99.
		// id >= 85 keeps A's last group; positions 80 and 90 of A are
		// deleted, so the offsets of skipped groups must be counted.
		src := source(t, cat, "main.events")
		cols := fieldNames(src.Schema())
		got, stats := scanAll(t, src, plan.Pushdown{Filters: resolve(t, src, expr.Col("id").Ge(85)), Limit: -1})
		if stats.FilesKept != 3 || stats.RowGroupsTotal != 8 || stats.RowGroupsKept != 6 {
			t.Errorf("stats %+v, want files 3 of 3, row groups 6 of 8", stats)
		}
		var want []map[string]string
		for _, r := range lake.Events.Rows(lake.Latest) {
			if id, _ := strconv.Atoi(r["id"]); id >= 80 {
				want = append(want, r)
			}
		}
		if w := ducklaketest.Lines(want, cols); !slices.Equal(got, w) {
			t.Errorf("rows of the kept row groups: %d, want %d\n%s", len(got), len(w), firstDiff(got, w))
		}
		n, _ := scanAll(t, src, plan.Pushdown{Columns: []string{}, Filters: resolve(t, src, expr.Col("id").Ge(85)), Limit: -1})
		if len(n) != len(want) {
			t.Errorf("count-only scan of the kept row groups: %d rows, want %d", len(n), len(want))
		}
		// A column the files lack is judged by its default in every group.
		_, stats = scanAll(t, src, plan.Pushdown{Filters: resolve(t, src, expr.Col("extra").Eq("none"), expr.Col("id").Lt(50)), Limit: -1})
		if stats.FilesKept != 1 || stats.RowGroupsKept != 2 {
			t.Errorf("extra = 'none' and id < 50: %+v, want 1 file, 2 row groups", stats)
		}
	})
	t.Run("as_of", func(t *testing.T) {
		at := ducklaketest.SnapshotTime(ducklaketest.SnapDeleteA).Add(30 * time.Second)
		src := source(t, cat, "main.events", ducklake.AsOf(at))
		if src.Table().Snapshot.ID != ducklaketest.SnapDeleteA {
			t.Errorf("as of %s: snapshot %d, want %d", at, src.Table().Snapshot.ID, ducklaketest.SnapDeleteA)
		}
		_, err := ducklake.NewSource(ctx, cat, "main.events", ducklake.AsOf(ducklaketest.SnapshotTime(0).Add(-time.Hour)))
		if !errors.Is(err, errs.ErrPlan) {
			t.Errorf("as of before the first snapshot: %v, want a plan error", err)
		}
	})
	t.Run("listing", func(t *testing.T) {
		schemas, err := cat.Schemas(ctx)
		if err != nil || !slices.Equal(schemas, []string{"main"}) {
			t.Errorf("schemas %v, %v", schemas, err)
		}
		tables, err := cat.Tables(ctx, "main")
		if err != nil || !slices.Equal(tables, []string{"events", "sales", "small"}) {
			t.Errorf("tables %v, %v", tables, err)
		}
		tables, err = cat.Tables(ctx, "main", ducklake.AtSnapshot(ducklaketest.SnapEvolved))
		if err != nil || !slices.Equal(tables, []string{"events"}) {
			t.Errorf("tables at snapshot %d: %v, %v", ducklaketest.SnapEvolved, tables, err)
		}
		if _, err := cat.Tables(ctx, "nope"); !errors.Is(err, errs.ErrPlan) {
			t.Errorf("tables of a missing schema: %v", err)
		}
		snaps, err := cat.Snapshots(ctx)
		if err != nil || len(snaps) != int(lake.Latest)+1 {
			t.Fatalf("snapshots: %d, %v", len(snaps), err)
		}
		if !snaps[3].Time.Equal(ducklaketest.SnapshotTime(3)) {
			t.Errorf("snapshot 3 time %s, want %s", snaps[3].Time, ducklaketest.SnapshotTime(3))
		}
	})
	t.Run("errors", func(t *testing.T) {
		_, err := ducklake.NewSource(ctx, cat, "main.nope")
		if !errors.Is(err, errs.ErrPlan) || !strings.Contains(err.Error(), `"main.nope"`) ||
			!strings.Contains(err.Error(), "main.events, main.sales") {
			t.Errorf("unknown table: %v", err)
		}
		_, err = ducklake.NewSource(ctx, cat, "sales", ducklake.AtSnapshot(ducklaketest.SnapFileC))
		if !errors.Is(err, errs.ErrPlan) || !strings.Contains(err.Error(), "tables: main.events") {
			t.Errorf("table read before it existed: %v", err)
		}
		_, err = ducklake.NewSource(ctx, cat, "main.events", ducklake.AtSnapshot(99))
		if !errors.Is(err, errs.ErrPlan) || !strings.Contains(err.Error(), "snapshot 99") {
			t.Errorf("missing snapshot: %v", err)
		}
	})
}

// firstDiff shows where two sorted line lists first differ.
func firstDiff(got, want []string) string {
	for i := range max(len(got), len(want)) {
		var g, w string
		if i < len(got) {
			g = got[i]
		}
		if i < len(want) {
			w = want[i]
		}
		if g != w {
			return "first difference at line " + strconv.Itoa(i) + ":\n got  " + g + "\n want " + w
		}
	}
	return ""
}
