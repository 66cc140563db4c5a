package frame_test

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"
	"github.com/apache/iceberg-go/catalog"
	"github.com/apache/iceberg-go/table"

	"lakeframe/errs"
	"lakeframe/expr"
	"lakeframe/frame"
	"lakeframe/iceberg"
)

var rlSchema = arrow.NewSchema([]arrow.Field{
	{Name: "id", Type: arrow.PrimitiveTypes.Int64},
	{Name: "grp", Type: arrow.BinaryTypes.String, Nullable: true},
	{Name: "n", Type: arrow.PrimitiveTypes.Int64, Nullable: true},
}, nil)

// rlRow is one row of rlSchema; grp "" is NULL, and so is n when nNull.
type rlRow struct {
	id    int64
	grp   string
	n     int64
	nNull bool
}

func (r rlRow) String() string {
	g, n := r.grp, fmt.Sprint(r.n)
	if g == "" {
		g = "NULL"
	}
	if r.nNull {
		n = "NULL"
	}
	return fmt.Sprintf("%d|%s|%s", r.id, g, n)
}

func rlRows(from, to int64) []rlRow {
	var out []rlRow
	for i := from; i < to; i++ {
		r := rlRow{id: i, grp: []string{"a", "b", "c", ""}[i%4], n: i % 7, nNull: i%5 == 0}
		out = append(out, r)
	}
	return out
}

func rlArrow(rows []rlRow) arrow.Table {
	return arrowTable(rlSchema, rows, func(b *array.RecordBuilder, r rlRow) {
		b.Field(0).(*array.Int64Builder).Append(r.id)
		if r.grp == "" {
			b.Field(1).AppendNull()
		} else {
			b.Field(1).(*array.StringBuilder).Append(r.grp)
		}
		if r.nNull {
			b.Field(2).AppendNull()
		} else {
			b.Field(2).(*array.Int64Builder).Append(r.n)
		}
	})
}

func rlStrings(rows []rlRow) []string {
	out := make([]string, len(rows))
	for i, r := range rows {
		out[i] = r.String()
	}
	slices.Sort(out)
	return out
}

// rlRead reads an Arrow table of rlSchema's columns back into sorted rows,
// independently of lakeframe's code.
func rlRead(t *testing.T, tbl arrow.Table) []string {
	t.Helper()
	return sortedRows(tbl, func(rec arrow.RecordBatch) []string {
		ids := column(t, rec, "id").(*array.Int64)
		grp := column(t, rec, "grp")
		n := column(t, rec, "n").(*array.Int64)
		var rows []rlRow
		for i := 0; i < int(rec.NumRows()); i++ {
			r := rlRow{id: ids.Value(i), nNull: n.IsNull(i)}
			if grp.IsValid(i) {
				r.grp = grp.ValueStr(i)
			}
			if !r.nNull {
				r.n = n.Value(i)
			}
			rows = append(rows, r)
		}
		return rlStrings(rows)
	})
}

// rlCheck compares lakeframe's read and iceberg-go's own scan of tbl with
// the rows expected.
func rlCheck(t *testing.T, ctx context.Context, step string, tbl *table.Table, want []rlRow) {
	t.Helper()
	got, err := frame.ReadIceberg(tbl).Collect(ctx)
	if err != nil {
		t.Fatalf("%s: read through lakeframe: %v", step, err)
	}
	defer got.Release()
	scanned, err := tbl.Scan().ToArrowTable(ctx)
	if err != nil {
		t.Fatalf("%s: read through iceberg-go: %v", step, err)
	}
	defer scanned.Release()
	w := rlStrings(want)
	if lf := rlRead(t, got); !slices.Equal(lf, w) {
		t.Errorf("%s: lakeframe read\n%v\nwant\n%v", step, lf, w)
	}
	if ig := rlRead(t, scanned); !slices.Equal(ig, w) {
		t.Errorf("%s: iceberg-go read\n%v\nwant\n%v", step, ig, w)
	}
}

func rlCatalog(t *testing.T) catalog.Catalog {
	t.Helper()
	cat, err := iceberg.OpenCatalog(context.Background(), "sqlite://"+filepath.Join(t.TempDir(), "cat.db"), nil)
	if err != nil {
		t.Fatal(err)
	}
	return cat
}

// rlTable creates a table and fills it with rows in two appends, so that
// partitions hold more than one data file.
func rlTable(t *testing.T, ctx context.Context, cat catalog.Catalog, name string, partitioned bool, rows []rlRow, opts ...iceberg.CreateOption) *table.Table {
	t.Helper()
	if partitioned {
		opts = append(opts, iceberg.WithPartitioning(iceberg.Identity("grp"), iceberg.Bucket("id", 2)))
	}
	tbl, err := iceberg.CreateTable(ctx, cat, table.Identifier{"rl", name}, rlSchema, opts...)
	if err != nil {
		t.Fatal(err)
	}
	half := len(rows) / 2
	for _, part := range [][]rlRow{rows[:half], rows[half:]} {
		in := rlArrow(part)
		tbl, err = frame.FromArrow(in).WriteIceberg(ctx, tbl)
		in.Release()
		if err != nil {
			t.Fatal(err)
		}
	}
	return tbl
}

// deleteWhere and updateWhere apply a change to Go rows: the oracle.
func deleteWhere(rows []rlRow, match func(rlRow) bool) []rlRow {
	var out []rlRow
	for _, r := range rows {
		if !match(r) {
			out = append(out, r)
		}
	}
	return out
}

func updateWhere(rows []rlRow, match func(rlRow) bool, set func(rlRow) rlRow) []rlRow {
	out := make([]rlRow, len(rows))
	for i, r := range rows {
		if match(r) {
			r = set(r)
		}
		out[i] = r
	}
	return out
}

func TestIcebergRowLevel(t *testing.T) {
	ctx := context.Background()
	cat := rlCatalog(t)
	type step struct {
		name   string
		where  expr.Expr
		match  func(rlRow) bool // where is true (not NULL)
		set    map[string]any   // nil: delete
		update func(rlRow) rlRow
	}
	deletes := []step{
		// n > 4 is NULL where n is: those rows stay.
		{name: "delete n>4", where: expr.Col("n").Gt(4), match: func(r rlRow) bool { return !r.nNull && r.n > 4 }},
		// Overlaps rows deleted already, which must not be deleted twice.
		{name: "delete grp=a or n<2", where: expr.Col("grp").Eq("a").Or(expr.Col("n").Lt(2)),
			match: func(r rlRow) bool { return r.grp == "a" || (!r.nNull && r.n < 2) }},
	}
	updates := []step{
		// Moves rows to another partition and computes from the old row.
		{name: "update n>4", where: expr.Col("n").Gt(4), match: func(r rlRow) bool { return !r.nNull && r.n > 4 },
			set: map[string]any{"n": expr.Col("n").Mul(10).Add(expr.Col("id")), "grp": "z"},
			update: func(r rlRow) rlRow {
				r.n, r.grp = r.n*10+r.id, "z"
				return r
			}},
		// Matches rows whose old versions were deleted by the first update:
		// only their new versions change.
		{name: "update grp=z or grp is null", where: expr.Col("grp").Eq("z").Or(expr.Col("grp").IsNull()),
			match: func(r rlRow) bool { return r.grp == "z" || r.grp == "" },
			set:   map[string]any{"n": nil, "grp": expr.Col("grp").IsNull().Cast(arrow.BinaryTypes.String)},
			update: func(r rlRow) rlRow {
				g := "false"
				if r.grp == "" {
					g = "true"
				}
				r.nNull, r.n, r.grp = true, 0, g
				return r
			}},
	}
	for _, mode := range []string{"copy-on-write", "merge-on-read"} {
		for _, partitioned := range []bool{false, true} {
			for _, op := range []string{"delete", "update"} {
				name := fmt.Sprintf("%s/%s/partitioned=%v", op, mode, partitioned)
				t.Run(name, func(t *testing.T) {
					mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
					defer mem.AssertSize(t, 0)
					rows := rlRows(0, 60)
					tbl := rlTable(t, ctx, cat, strings.NewReplacer("/", "_", "-", "_", "=", "_").Replace(name), partitioned, rows)
					steps := deletes
					if op == "update" {
						steps = updates
					}
					opt := frame.IcebergCopyOnWrite()
					if mode == "merge-on-read" {
						opt = frame.IcebergMergeOnRead()
					}
					for _, s := range steps {
						before := rows
						prev := tbl.CurrentSnapshot().SnapshotID
						var err error
						if s.set == nil {
							rows = deleteWhere(rows, s.match)
							tbl, err = frame.DeleteIceberg(ctx, tbl, s.where, opt, frame.IcebergRun(frame.WithAllocator(mem)))
						} else {
							rows = updateWhere(rows, s.match, s.update)
							tbl, err = frame.UpdateIceberg(ctx, tbl, s.where, s.set, opt, frame.IcebergRun(frame.WithAllocator(mem)))
						}
						if err != nil {
							t.Fatalf("%s: %v", s.name, err)
						}
						rlCheck(t, ctx, s.name, tbl, rows)
						if err := tbl.Refresh(ctx); err != nil {
							t.Fatal(err)
						}
						rlCheck(t, ctx, s.name+" (reloaded)", tbl, rows)

						snap := tbl.CurrentSnapshot()
						if snap.ParentSnapshotID == nil || *snap.ParentSnapshotID != prev {
							t.Errorf("%s: not one commit on top of the previous snapshot", s.name)
						}
						wantOp := "overwrite"
						if mode == "merge-on-read" && op == "delete" {
							wantOp = "delete"
						}
						if got := string(snap.Summary.Operation); got != wantOp {
							t.Errorf("%s: snapshot operation %s, want %s", s.name, got, wantOp)
						}
						added := snap.Summary.Properties["added-delete-files"]
						if (mode == "merge-on-read") != (added != "" && added != "0") {
							t.Errorf("%s: %s added %q delete files", s.name, mode, added)
						}
						old, err := frame.ReadIceberg(tbl, frame.AtSnapshot(prev)).Collect(ctx)
						if err != nil {
							t.Fatal(err)
						}
						if got, want := rlRead(t, old), rlStrings(before); !slices.Equal(got, want) {
							t.Errorf("%s: time travel to the previous snapshot read %v, want %v", s.name, got, want)
						}
						old.Release()
					}
				})
			}
		}
	}
}

func TestIcebergRowLevelNoMatchAndErrors(t *testing.T) {
	ctx := context.Background()
	cat := rlCatalog(t)
	rows := rlRows(0, 20)
	tbl := rlTable(t, ctx, cat, "edge", true, rows)
	snaps := len(tbl.Metadata().Snapshots())

	out, err := frame.DeleteIceberg(ctx, tbl, expr.Col("n").Gt(100))
	if err != nil {
		t.Fatal(err)
	}
	if out.CurrentSnapshot().SnapshotID != tbl.CurrentSnapshot().SnapshotID || len(out.Metadata().Snapshots()) != snaps {
		t.Errorf("a delete matching nothing committed a snapshot")
	}
	// NULL = 'a' is NULL, never true: nothing matches.
	out, err = frame.UpdateIceberg(ctx, tbl, expr.Col("grp").Eq(expr.Lit(nil)), map[string]any{"n": 1}, frame.IcebergMergeOnRead())
	if err != nil {
		t.Fatal(err)
	}
	if len(out.Metadata().Snapshots()) != snaps {
		t.Errorf("an update matching nothing committed a snapshot")
	}
	rlCheck(t, ctx, "after no-ops", out, rows)

	for _, c := range []struct {
		name string
		run  func() error
		want []string
	}{
		{"delete on unknown column", func() error {
			_, err := frame.DeleteIceberg(ctx, tbl, expr.Col("amount").Gt(1))
			return err
		}, []string{`"amount"`, "id", "grp", "n"}},
		{"update on unknown column", func() error {
			_, err := frame.UpdateIceberg(ctx, tbl, expr.Col("id").Gt(1), map[string]any{"nn": 1})
			return err
		}, []string{`"nn"`, "id", "grp"}},
		{"update with a value on an unknown column", func() error {
			_, err := frame.UpdateIceberg(ctx, tbl, expr.Col("id").Gt(1), map[string]any{"n": expr.Col("x").Add(1)})
			return err
		}, []string{`"x"`}},
		{"condition not boolean", func() error {
			_, err := frame.DeleteIceberg(ctx, tbl, expr.Col("n").Add(1))
			return err
		}, []string{"not boolean"}},
		{"update without columns", func() error {
			_, err := frame.UpdateIceberg(ctx, tbl, expr.Col("n").Gt(1), nil)
			return err
		}, []string{"no columns"}},
	} {
		err := c.run()
		if err == nil {
			t.Errorf("%s: no error", c.name)
			continue
		}
		if !errors.Is(err, errs.ErrPlan) {
			t.Errorf("%s: %v is not a plan error", c.name, err)
		}
		for _, w := range c.want {
			if !strings.Contains(err.Error(), w) {
				t.Errorf("%s: error %q does not mention %s", c.name, err, w)
			}
		}
	}
	if err := tbl.Refresh(ctx); err != nil {
		t.Fatal(err)
	}
	if len(tbl.Metadata().Snapshots()) != snaps {
		t.Errorf("failed changes committed snapshots")
	}

	// Conditions on identity partition columns only drop whole files,
	// including the delete files that named them.
	rows = deleteWhere(rows, func(r rlRow) bool { return r.id%3 == 0 })
	tbl, err = frame.DeleteIceberg(ctx, tbl, expr.Col("id").Mod(3).Eq(0), frame.IcebergMergeOnRead())
	if err != nil {
		t.Fatal(err)
	}
	rows = deleteWhere(rows, func(r rlRow) bool { return r.grp == "" || r.grp == "b" })
	tbl, err = frame.DeleteIceberg(ctx, tbl, expr.Col("grp").IsNull().Or(expr.Col("grp").Eq("b")))
	if err != nil {
		t.Fatal(err)
	}
	rlCheck(t, ctx, "delete whole partitions", tbl, rows)
	if n := tbl.CurrentSnapshot().Summary.Properties["removed-position-delete-files"]; n == "" || n == "0" {
		t.Errorf("deleting whole partitions left their delete files: %v", tbl.CurrentSnapshot().Summary.Properties)
	}
	if tbl, err = frame.DeleteIceberg(ctx, tbl, expr.Lit(true)); err != nil {
		t.Fatal(err)
	}
	rlCheck(t, ctx, "delete everything", tbl, nil)
}

// TestIcebergRowLevelModes: the table properties choose the mode, the
// options override them, and copy-on-write over merge-on-read deletes
// applies them and drops the delete files it leaves with nothing to apply
// to.
func TestIcebergRowLevelModes(t *testing.T) {
	ctx := context.Background()
	cat := rlCatalog(t)
	rows := rlRows(0, 40)
	tbl := rlTable(t, ctx, cat, "modes", false, rows, iceberg.WithTableProperties(map[string]string{
		"write.delete.mode": "merge-on-read",
		"write.update.mode": "merge-on-read",
	}))
	deleteFiles := func(tbl *table.Table) int {
		t.Helper()
		tasks, err := tbl.Scan().PlanFiles(ctx)
		if err != nil {
			t.Fatal(err)
		}
		seen := map[string]bool{}
		for _, ft := range tasks {
			for _, d := range ft.DeleteFiles {
				seen[d.FilePath()] = true
			}
		}
		return len(seen)
	}

	// The table says merge-on-read.
	match := func(r rlRow) bool { return r.id%3 == 0 }
	rows = deleteWhere(rows, match)
	tbl, err := frame.DeleteIceberg(ctx, tbl, expr.Col("id").Mod(3).Eq(0))
	if err != nil {
		t.Fatal(err)
	}
	rlCheck(t, ctx, "merge-on-read delete", tbl, rows)
	if deleteFiles(tbl) == 0 {
		t.Fatalf("write.delete.mode=merge-on-read wrote no delete files")
	}
	upd := func(r rlRow) bool { return r.id%3 == 1 }
	rows = updateWhere(rows, upd, func(r rlRow) rlRow { r.grp = "u"; return r })
	tbl, err = frame.UpdateIceberg(ctx, tbl, expr.Col("id").Mod(3).Eq(1), map[string]any{"grp": "u"})
	if err != nil {
		t.Fatal(err)
	}
	rlCheck(t, ctx, "merge-on-read update", tbl, rows)
	if op := tbl.CurrentSnapshot().Summary.Operation; op != table.OpOverwrite {
		t.Errorf("merge-on-read update operation %s", op)
	}

	// The option overrides the table: rewrite every file with a match,
	// which here is every original file, so their delete files dangle.
	rows = deleteWhere(rows, func(r rlRow) bool { return r.id < 40 && r.id%3 == 2 })
	tbl, err = frame.DeleteIceberg(ctx, tbl, expr.Col("id").Mod(3).Eq(2), frame.IcebergCopyOnWrite())
	if err != nil {
		t.Fatal(err)
	}
	rlCheck(t, ctx, "copy-on-write delete over delete files", tbl, rows)

	bad, err := iceberg.CreateTable(ctx, cat, table.Identifier{"rl", "badmode"}, rlSchema,
		iceberg.WithTableProperties(map[string]string{"write.update.mode": "mor"}))
	if err != nil {
		t.Fatal(err)
	}
	_, err = frame.UpdateIceberg(ctx, bad, expr.Col("id").Eq(1), map[string]any{"n": 1})
	if !errors.Is(err, errs.ErrPlan) || !strings.Contains(err.Error(), "write.update.mode") {
		t.Errorf("unknown write.update.mode: %v", err)
	}
	sum := tbl.CurrentSnapshot().Summary
	if sum.Properties["added-delete-files"] != "" && sum.Properties["added-delete-files"] != "0" {
		t.Errorf("copy-on-write added delete files: %v", sum.Properties)
	}
	// The update's delete files point at the original files only; the
	// update's new data files have no match (grp u rows have id%3 == 1).
	if n := deleteFiles(tbl); n != 0 {
		t.Errorf("%d delete files still apply after every file they name was rewritten (summary %v)", n, sum.Properties)
	}
	if sum.Properties["removed-position-delete-files"] == "" && sum.Properties["removed-delete-files"] == "" {
		t.Errorf("copy-on-write removed no delete files: %v", sum.Properties)
	}
}

// TestIcebergRowLevelConcurrent: a change planned on a stale snapshot
// loses its commit to the writer that moved the table and is planned
// again, so it also changes the rows that writer added and loses none.
func TestIcebergRowLevelConcurrent(t *testing.T) {
	ctx := context.Background()
	cat := rlCatalog(t)
	rows := rlRows(0, 30)
	for _, mode := range []frame.IcebergWriteOption{frame.IcebergCopyOnWrite(), frame.IcebergMergeOnRead()} {
		stale := rlTable(t, ctx, cat, fmt.Sprintf("conc%d", len(rows)), true, rows)
		fresh, err := cat.LoadTable(ctx, stale.Identifier())
		if err != nil {
			t.Fatal(err)
		}
		more := rlRows(100, 120)
		in := rlArrow(more)
		if _, err := frame.FromArrow(in).WriteIceberg(ctx, fresh); err != nil {
			t.Fatal(err)
		}
		in.Release()
		want := append(slices.Clone(rows), more...)
		// A concurrent delete of some of the same rows, also committed
		// after the stale handle was loaded.
		fresh, err = cat.LoadTable(ctx, stale.Identifier())
		if err != nil {
			t.Fatal(err)
		}
		if _, err := frame.DeleteIceberg(ctx, fresh, expr.Col("id").Lt(5), mode); err != nil {
			t.Fatal(err)
		}
		want = deleteWhere(want, func(r rlRow) bool { return r.id < 5 })

		want = updateWhere(want, func(r rlRow) bool { return r.grp == "b" }, func(r rlRow) rlRow { r.n, r.nNull = -r.id, false; return r })
		out, err := frame.UpdateIceberg(ctx, stale, expr.Col("grp").Eq("b"), map[string]any{"n": expr.Col("id").Neg()}, mode)
		if err != nil {
			t.Fatal(err)
		}
		rlCheck(t, ctx, "update from a stale handle", out, want)
		if n := len(out.Metadata().Snapshots()); n != 5 {
			t.Errorf("%d snapshots, want 5 (2 appends, 1 append, 1 delete, 1 update)", n)
		}
		rows = append(rows, rlRow{id: int64(1000 + len(rows))})
	}
}

// TestIcebergRowLevelLargeFiles: positions stay right across the many
// batches and row groups of large files, and rewritten files roll at the
// target size.
func TestIcebergRowLevelLargeFiles(t *testing.T) {
	ctx := context.Background()
	cat := rlCatalog(t)
	rows := rlRows(0, 300_000)
	tbl, err := iceberg.CreateTable(ctx, cat, table.Identifier{"rl", "large"}, rlSchema)
	if err != nil {
		t.Fatal(err)
	}
	in := rlArrow(rows)
	defer in.Release()
	if tbl, err = frame.FromArrow(in).WriteIceberg(ctx, tbl); err != nil {
		t.Fatal(err)
	}
	if n := tbl.CurrentSnapshot().Summary.Properties["added-data-files"]; n != "1" {
		t.Fatalf("%s data files, want 1", n)
	}
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)
	run := frame.IcebergRun(frame.WithAllocator(mem))

	rows = deleteWhere(rows, func(r rlRow) bool { return r.id%1000 == 7 || r.id > 299_990 })
	tbl, err = frame.DeleteIceberg(ctx, tbl, expr.Col("id").Mod(1000).Eq(7).Or(expr.Col("id").Gt(299_990)), frame.IcebergMergeOnRead(), run)
	if err != nil {
		t.Fatal(err)
	}
	rlCheck(t, ctx, "merge-on-read delete", tbl, rows)

	match := func(r rlRow) bool { return r.id%1000 == 8 || r.id%1000 == 7 }
	rows = updateWhere(rows, match, func(r rlRow) rlRow { r.grp = "x"; return r })
	tbl, err = frame.UpdateIceberg(ctx, tbl, expr.Col("id").Mod(1000).IsIn(7, 8), map[string]any{"grp": "x"},
		frame.IcebergCopyOnWrite(), frame.IcebergTargetFileSize(100<<10), run)
	if err != nil {
		t.Fatal(err)
	}
	rlCheck(t, ctx, "copy-on-write update over deletes", tbl, rows)
	tasks, err := tbl.Scan().PlanFiles(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(tasks) < 3 {
		t.Errorf("the rewrite of a %d-row file at a 100 KiB target made %d files", len(rows), len(tasks))
	}
	for _, ft := range tasks {
		if len(ft.DeleteFiles) > 0 {
			t.Errorf("%s still has delete files", ft.File.FilePath())
		}
		// Files roll once past the target; none is far beyond it.
		if ft.File.FileSizeBytes() > 2*(100<<10) {
			t.Errorf("%s is %d bytes, over twice the target", ft.File.FilePath(), ft.File.FileSizeBytes())
		}
	}
}

// TestIcebergRowLevelPooledMemory: copy-on-write deletes on a table
// partitioned by a string column, with the query's default (pooling)
// allocator. Partition values must not follow buffers the pool hands out
// again (iceberg-go keeps them as strings aliasing the batch they came in).
func TestIcebergRowLevelPooledMemory(t *testing.T) {
	ctx := context.Background()
	cat := rlCatalog(t)
	rows := rlRows(0, 240_000)
	tbl, err := iceberg.CreateTable(ctx, cat, table.Identifier{"rl", "pooled"}, rlSchema, iceberg.WithPartitioning(iceberg.Identity("grp")))
	if err != nil {
		t.Fatal(err)
	}
	for _, part := range [][]rlRow{rows[:120_000], rows[120_000:]} {
		in := rlArrow(part)
		tbl, err = frame.FromArrow(in).WriteIceberg(ctx, tbl, frame.IcebergTargetFileSize(64<<10))
		in.Release()
		if err != nil {
			t.Fatal(err)
		}
	}
	for i := int64(1); i <= 3; i++ {
		from, to := i*1000, i*1000+500
		rows = deleteWhere(rows, func(r rlRow) bool { return r.id >= from && r.id < to })
		tbl, err = frame.DeleteIceberg(ctx, tbl, expr.Col("id").Ge(from).And(expr.Col("id").Lt(to)),
			frame.IcebergCopyOnWrite(), frame.IcebergTargetFileSize(64<<10))
		if err != nil {
			t.Fatal(err)
		}
		rlCheck(t, ctx, fmt.Sprintf("delete %d..%d", from, to), tbl, rows)
		if t.Failed() {
			return
		}
	}
}
