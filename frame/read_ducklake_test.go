package frame_test

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/memory"
	"github.com/uptrace/bun/driver/sqliteshim"

	"lakeframe/ducklake"
	"lakeframe/ducklake/ducklaketest"
	"lakeframe/errs"
	"lakeframe/expr"
	"lakeframe/frame"
)

// ducklakeSQLite writes the ducklaketest lake into a SQLite catalog and
// opens it.
func ducklakeSQLite(t *testing.T) (*ducklake.Catalog, *ducklaketest.Lake) {
	t.Helper()
	dir := t.TempDir()
	path := filepath.Join(dir, "lake.sqlite")
	db, err := sql.Open(sqliteshim.ShimName, "file:"+path)
	if err != nil {
		t.Fatal(err)
	}
	lake := ducklaketest.BuildLake(ducklaketest.NewBuilder(t, db, ducklake.SQLite, filepath.Join(dir, "data")))
	db.Close()
	cat, err := ducklake.OpenSQLite(context.Background(), path, ducklake.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { cat.Close() })
	return cat, lake
}

// collectLines runs df with a checked allocator and returns its rows as
// sorted "a|b" lines.
func collectLines(t *testing.T, df *frame.DataFrame) []string {
	t.Helper()
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)
	tbl, err := df.Collect(context.Background(), frame.WithAllocator(mem), frame.WithBatchSize(16))
	if err != nil {
		t.Fatal(err)
	}
	defer tbl.Release()
	lines := make([]string, tbl.NumRows())
	for c := 0; c < int(tbl.NumCols()); c++ {
		row := 0
		for _, chunk := range tbl.Column(c).Data().Chunks() {
			for i := 0; i < chunk.Len(); i++ {
				v := "NULL"
				if chunk.IsValid(i) {
					v = chunk.ValueStr(i)
				}
				if c > 0 {
					lines[row] += "|"
				}
				lines[row] += v
				row++
			}
		}
	}
	slices.Sort(lines)
	return lines
}

func TestReadDuckLakeFilterProject(t *testing.T) {
	cat, lake := ducklakeSQLite(t)
	df := frame.ReadDuckLake(cat, "main.events").
		Where(expr.Col("id").Ge(150).And(expr.Col("extra").Eq("none"))).
		Select("id", "label")
	var want []map[string]string
	for _, r := range lake.Events.Rows(lake.Latest) {
		id, _ := strconv.Atoi(r["id"])
		if id >= 150 && r["extra"] == "none" {
			want = append(want, r)
		}
	}
	got := collectLines(t, df)
	if w := ducklaketest.Lines(want, []string{"id", "label"}); !slices.Equal(got, w) {
		t.Errorf("got %d rows, want %d:\n%v\n%v", len(got), len(w), got, w)
	}
	if len(want) != 49 || !slices.Contains(got, "157|NULL") || slices.Contains(got, "150|b150") {
		t.Errorf("reference has %d rows (want 49: ids 151..199, labels NULL at 157 and 182)", len(want))
	}
	// id >= 150 skips file A, extra = 'none' skips file C.
	plan, err := df.Explain(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"Scan ducklake: main.events", "files=1/3", "snapshot=12", "delete_files=1"} {
		if !strings.Contains(plan, want) {
			t.Errorf("explain does not show %s:\n%s", want, plan)
		}
	}
}

func TestReadDuckLakeTimeTravel(t *testing.T) {
	cat, lake := ducklakeSQLite(t)
	cases := []struct {
		name string
		opts []ducklake.ReadOption
		want int
	}{
		{"latest", nil, 231},
		{"snapshot_3", []ducklake.ReadOption{ducklake.AtSnapshot(ducklaketest.SnapFileB)}, 200},
		{"as_of_snapshot_4", []ducklake.ReadOption{ducklake.AsOf(ducklaketest.SnapshotTime(ducklaketest.SnapDeleteA))}, 190},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			got := collectLines(t, frame.ReadDuckLake(cat, "events", tc.opts...).Count())
			if want := strconv.Itoa(tc.want); len(got) != 1 || got[0] != want {
				t.Errorf("count %v, want %s", got, want)
			}
		})
	}
	// Columns resolve when the frame is built, at its snapshot.
	old := frame.ReadDuckLake(cat, "events", ducklake.AtSnapshot(ducklaketest.SnapFileB))
	if err := old.Select("old").Err(); err != nil {
		t.Errorf("column old at snapshot %d: %v", ducklaketest.SnapFileB, err)
	}
	if err := frame.ReadDuckLake(cat, "events").Select("old").Err(); !errors.Is(err, errs.ErrPlan) {
		t.Errorf("dropped column old at the latest snapshot: %v", err)
	}
	got := collectLines(t, old.Where(expr.Col("old").Lt(20)).Select("id", "old"))
	want := ducklaketest.Lines(filterRows(lake.Events.Rows(ducklaketest.SnapFileB), func(r map[string]string) bool {
		n, _ := strconv.Atoi(r["old"])
		return n < 20
	}), []string{"id", "old"})
	if !slices.Equal(got, want) || len(want) != 10 {
		t.Errorf("old < 20 at snapshot %d: %v, want %v", ducklaketest.SnapFileB, got, want)
	}
}

func filterRows(rows []map[string]string, keep func(map[string]string) bool) []map[string]string {
	var out []map[string]string
	for _, r := range rows {
		if keep(r) {
			out = append(out, r)
		}
	}
	return out
}

func TestReadDuckLakePartitions(t *testing.T) {
	cat, lake := ducklakeSQLite(t)
	df := frame.ReadDuckLake(cat, "main.sales").Where(expr.Col("region").Eq("EU"))
	got := collectLines(t, df)
	want := ducklaketest.Lines(filterRows(lake.Sales.Rows(lake.Latest), func(r map[string]string) bool {
		return r["region"] == "EU"
	}), []string{"region", "day", "amount"})
	if !slices.Equal(got, want) || len(want) != 20 {
		t.Errorf("region = EU: %d rows, want %d", len(got), len(want))
	}
	s, err := frame.ReadDuckLake(cat, "main.sales").Schema()
	if err != nil {
		t.Fatal(err)
	}
	if s.Field(1).Type.ID() != arrow.DATE32 {
		t.Errorf("day is %s, want date32", s.Field(1).Type)
	}
}

func TestReadDuckLakeErrors(t *testing.T) {
	cat, _ := ducklakeSQLite(t)
	err := frame.ReadDuckLake(cat, "main.nope").Err()
	if !errors.Is(err, errs.ErrPlan) || !strings.Contains(err.Error(), "read_ducklake") || !strings.Contains(err.Error(), "main.events, main.sales") {
		t.Errorf("unknown table: %v", err)
	}
	if err := frame.ReadDuckLake(nil, "t").Err(); !errors.Is(err, errs.ErrPlan) {
		t.Errorf("nil catalog: %v", err)
	}
	if err := frame.ReadDuckLake(cat, "events", ducklake.AtSnapshot(1000)).Err(); !errors.Is(err, errs.ErrPlan) {
		t.Errorf("missing snapshot: %v", err)
	}
}

// panicTB lets an example use the test catalog builder.
type panicTB struct{}

func (panicTB) Helper()                           {}
func (panicTB) Fatal(args ...any)                 { panic(fmt.Sprint(args...)) }
func (panicTB) Fatalf(format string, args ...any) { panic(fmt.Sprintf(format, args...)) }

func ExampleReadDuckLake() {
	ctx := context.Background()
	dir, err := os.MkdirTemp("", "ducklake-example")
	if err != nil {
		panic(err)
	}
	defer os.RemoveAll(dir)
	// A catalog in SQLite with data under dir/data (see ducklaketest).
	path := filepath.Join(dir, "lake.sqlite")
	db, err := sql.Open(sqliteshim.ShimName, "file:"+path)
	if err != nil {
		panic(err)
	}
	ducklaketest.BuildLake(ducklaketest.NewBuilder(panicTB{}, db, ducklake.SQLite, filepath.Join(dir, "data")))
	db.Close()

	cat, err := ducklake.OpenSQLite(ctx, path, ducklake.Options{})
	if err != nil {
		panic(err)
	}
	defer cat.Close()
	// Column "extra" was added after files A and B were written: their
	// rows read its initial default. Row 150 was deleted.
	df := frame.ReadDuckLake(cat, "main.events").
		Where(expr.Col("id").IsIn(5, 150, 151, 249)).
		Select("id", "label", "extra").
		Sort("id")
	if err := df.Show(ctx, os.Stdout, 10); err != nil {
		fmt.Println(err)
	}
	// Time travel: before the delete of snapshot 4, and before the
	// schema changed.
	old := frame.ReadDuckLake(cat, "main.events", ducklake.AtSnapshot(3)).
		Where(expr.Col("id").Eq(5)).
		Select("id", "name", "old")
	if err := old.Show(ctx, os.Stdout, 10); err != nil {
		fmt.Println(err)
	}
	// Output:
	// ╭───────┬────────┬────────╮
	// │    id │ label  │ extra  │
	// │ int64 │ string │ string │
	// ├───────┼────────┼────────┤
	// │     5 │ a005   │ none   │
	// │   151 │ b151   │ none   │
	// │   249 │ c249   │ x249   │
	// ╰───────┴────────┴────────╯
	// (3 rows)
	// ╭───────┬────────┬───────╮
	// │    id │ name   │   old │
	// │ int64 │ string │ int32 │
	// ├───────┼────────┼───────┤
	// │     5 │ a005   │    10 │
	// ╰───────┴────────┴───────╯
	// (1 row)
}
