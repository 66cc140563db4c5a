package frame_test

import (
	"context"
	"fmt"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"
	"github.com/apache/iceberg-go/table"

	"lakeframe/expr"
	"lakeframe/frame"
	"lakeframe/iceberg"
)

var writeSchema = arrow.NewSchema([]arrow.Field{
	{Name: "id", Type: arrow.PrimitiveTypes.Int64},
	{Name: "region", Type: arrow.BinaryTypes.String, Nullable: true},
	{Name: "ts", Type: &arrow.TimestampType{Unit: arrow.Microsecond, TimeZone: "UTC"}, Nullable: true},
}, nil)

// writeRow is one row of writeSchema; region "" is NULL.
type writeRow struct {
	id     int64
	region string
	day    int // days after 2025-01-01; -1 is a NULL ts
}

func (r writeRow) String() string { return fmt.Sprintf("%d|%s|%d", r.id, r.region, r.day) }

var day0 = time.Date(2025, 1, 1, 3, 0, 0, 0, time.UTC)

func writeTable(t *testing.T, rows []writeRow) arrow.Table {
	t.Helper()
	return arrowTable(writeSchema, rows, func(b *array.RecordBuilder, r writeRow) {
		b.Field(0).(*array.Int64Builder).Append(r.id)
		if r.region == "" {
			b.Field(1).AppendNull()
		} else {
			b.Field(1).(*array.StringBuilder).Append(r.region)
		}
		if r.day < 0 {
			b.Field(2).AppendNull()
		} else {
			b.Field(2).(*array.TimestampBuilder).Append(arrow.Timestamp(day0.AddDate(0, 0, r.day).UnixMicro()))
		}
	})
}

// writtenRows reads an Arrow table of writeSchema's columns (in any order)
// back into sorted rows, independently of lakeframe's code.
func writtenRows(t *testing.T, tbl arrow.Table) []string {
	t.Helper()
	return sortedRows(tbl, func(rec arrow.RecordBatch) []string {
		ids := column(t, rec, "id").(*array.Int64)
		regions := column(t, rec, "region")
		ts := column(t, rec, "ts").(*array.Timestamp)
		var out []string
		for i := 0; i < int(rec.NumRows()); i++ {
			r := writeRow{id: ids.Value(i), day: -1}
			if regions.IsValid(i) {
				r.region = regions.ValueStr(i)
			}
			if ts.IsValid(i) {
				d := time.UnixMicro(int64(ts.Value(i))).UTC().Sub(day0)
				r.day = int(d / (24 * time.Hour))
			}
			out = append(out, r.String())
		}
		return out
	})
}

func rowStrings(rows ...[]writeRow) []string {
	var out []string
	for _, rs := range rows {
		for _, r := range rs {
			out = append(out, r.String())
		}
	}
	slices.Sort(out)
	return out
}

// readBoth reads tbl through lakeframe and through iceberg-go's own scan.
func readBoth(t *testing.T, ctx context.Context, tbl *table.Table) (lf, ig []string) {
	t.Helper()
	got, err := frame.ReadIceberg(tbl).Collect(ctx)
	if err != nil {
		t.Fatalf("read through lakeframe: %v", err)
	}
	defer got.Release()
	scanned, err := tbl.Scan().ToArrowTable(ctx)
	if err != nil {
		t.Fatalf("read through iceberg-go: %v", err)
	}
	defer scanned.Release()
	return writtenRows(t, got), writtenRows(t, scanned)
}

func TestWriteIcebergAppendOverwrite(t *testing.T) {
	ctx := context.Background()
	cat, err := iceberg.OpenCatalog(ctx, "sqlite://"+filepath.Join(t.TempDir(), "cat.db"), nil)
	if err != nil {
		t.Fatal(err)
	}
	first := []writeRow{{1, "eu", 0}, {2, "", 1}, {3, "us", -1}}
	second := []writeRow{{4, "eu", 2}, {5, "ap", 0}}
	third := []writeRow{{6, "us", 5}}
	in1, in2, in3 := writeTable(t, first), writeTable(t, second), writeTable(t, third)
	defer in1.Release()
	defer in2.Release()
	defer in3.Release()

	df1 := frame.FromArrow(in1)
	sc, err := df1.Schema()
	if err != nil {
		t.Fatal(err)
	}
	tbl, err := iceberg.CreateTable(ctx, cat, table.Identifier{"sales", "orders"}, sc)
	if err != nil {
		t.Fatal(err)
	}
	if got := tbl.Properties()[table.CommitNumRetriesKey]; got == "" || got == "0" {
		t.Errorf("commit retries not set: %q", got)
	}
	if lf, _ := readBoth(t, ctx, tbl); len(lf) != 0 {
		t.Fatalf("new table has rows: %v", lf)
	}

	steps := []struct {
		name string
		df   *frame.DataFrame
		opts []frame.IcebergWriteOption
		want []string
	}{
		{"append", df1, nil, rowStrings(first)},
		{"append again", frame.FromArrow(in2), nil, rowStrings(first, second)},
		{"overwrite", frame.FromArrow(in3), []frame.IcebergWriteOption{frame.IcebergOverwrite()}, rowStrings(third)},
		{"append after overwrite", frame.FromArrow(in1), nil, rowStrings(third, first)},
		{"overwrite with filtered frame", frame.FromArrow(in2).Where(expr.Col("region").Eq("ap")), []frame.IcebergWriteOption{frame.IcebergOverwrite()}, rowStrings(second[1:])},
	}
	snapshots := 0
	for _, s := range steps {
		out, err := s.df.WriteIceberg(ctx, tbl, s.opts...)
		if err != nil {
			t.Fatalf("%s: %v", s.name, err)
		}
		snapshots++
		if n := len(out.Metadata().Snapshots()); n != snapshots {
			t.Errorf("%s: %d snapshots, want %d (one commit per write)", s.name, n, snapshots)
		}
		// A reload from the catalog sees the same table.
		tbl, err = cat.LoadTable(ctx, table.Identifier{"sales", "orders"})
		if err != nil {
			t.Fatal(err)
		}
		lf, ig := readBoth(t, ctx, tbl)
		if !slices.Equal(lf, s.want) {
			t.Errorf("%s: lakeframe read %v, want %v", s.name, lf, s.want)
		}
		if !slices.Equal(ig, s.want) {
			t.Errorf("%s: iceberg-go read %v, want %v", s.name, ig, s.want)
		}
	}
}

func TestWriteIcebergPartitioned(t *testing.T) {
	ctx := context.Background()
	cat, err := iceberg.OpenCatalog(ctx, "sqlite://"+filepath.Join(t.TempDir(), "cat.db"), nil)
	if err != nil {
		t.Fatal(err)
	}
	var rows []writeRow
	for i := range 60 {
		region := []string{"eu", "us", "ap", ""}[i%4]
		rows = append(rows, writeRow{int64(i), region, i % 5})
	}
	in := writeTable(t, rows)
	defer in.Release()
	tbl, err := iceberg.CreateTable(ctx, cat, table.Identifier{"p", "events"}, writeSchema,
		iceberg.WithPartitioning(iceberg.Identity("region"), iceberg.Day("ts")))
	if err != nil {
		t.Fatal(err)
	}
	if tbl, err = frame.FromArrow(in).WriteIceberg(ctx, tbl); err != nil {
		t.Fatal(err)
	}
	// 4 regions (NULL included) × 5 days, each a file of its own.
	if n := tbl.CurrentSnapshot().Summary.Properties["added-data-files"]; n != "20" {
		t.Errorf("added-data-files = %s, want 20", n)
	}
	var want []string
	for _, r := range rows {
		if r.region == "eu" && r.day >= 3 {
			want = append(want, r.String())
		}
	}
	slices.Sort(want)
	var stats []frame.ScanReport
	got, err := frame.ReadIceberg(tbl).
		Where(expr.Col("region").Eq("eu").And(expr.Col("ts").Ge(day0.AddDate(0, 0, 3)))).
		Collect(ctx, frame.WithScanReport(func(r frame.ScanReport) { stats = append(stats, r) }))
	if err != nil {
		t.Fatal(err)
	}
	defer got.Release()
	if g := writtenRows(t, got); !slices.Equal(g, want) {
		t.Errorf("filtered read %v, want %v", g, want)
	}
	if len(stats) != 1 || stats[0].Stats.FilesTotal != 20 || stats[0].Stats.FilesKept != 2 {
		t.Errorf("scan kept %+v, want 2 of 20 files", stats)
	}
}

func TestWriteIcebergOverwriteWhere(t *testing.T) {
	ctx := context.Background()
	cat := rlCatalog(t)
	newRows := rlRows(100, 112)
	for _, c := range []struct {
		name        string
		partitioned bool
		cond        expr.Expr
		match       func(rlRow) bool
		// wholeFiles: every file with a match matches whole, so no file
		// is rewritten.
		wholeFiles bool
	}{
		{"unpartitioned partial files", false, expr.Col("n").Gt(3), func(r rlRow) bool { return !r.nNull && r.n > 3 }, false},
		{"partitioned partial files", true, expr.Col("n").Gt(3), func(r rlRow) bool { return !r.nNull && r.n > 3 }, false},
		{"partitioned whole files", true, expr.Col("grp").Eq("a"), func(r rlRow) bool { return r.grp == "a" }, true},
		{"partitioned null partition", true, expr.Col("grp").IsNull(), func(r rlRow) bool { return r.grp == "" }, true},
		{"nothing matches", true, expr.Col("n").Gt(100), func(r rlRow) bool { return false }, true},
	} {
		t.Run(c.name, func(t *testing.T) {
			mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
			defer mem.AssertSize(t, 0)
			rows := rlRows(0, 60)
			tbl := rlTable(t, ctx, cat, strings.ReplaceAll(c.name, " ", "_"), c.partitioned, rows)
			prev := tbl.CurrentSnapshot().SnapshotID
			in := rlArrow(newRows)
			defer in.Release()
			out, err := frame.FromArrow(in).WriteIceberg(ctx, tbl, frame.IcebergOverwriteWhere(c.cond), frame.IcebergRun(frame.WithAllocator(mem)))
			if err != nil {
				t.Fatal(err)
			}
			want := append(deleteWhere(rows, c.match), newRows...)
			rlCheck(t, ctx, c.name, out, want)
			snap := out.CurrentSnapshot()
			if snap.ParentSnapshotID == nil || *snap.ParentSnapshotID != prev {
				t.Errorf("not one commit")
			}
			removed := len(rows) - len(deleteWhere(rows, c.match))
			wantOp := table.OpOverwrite
			if removed == 0 {
				wantOp = table.OpAppend
			}
			if snap.Summary.Operation != wantOp {
				t.Errorf("operation %s, want %s", snap.Summary.Operation, wantOp)
			}
			// Rows beyond the new ones are the kept rows of rewritten files.
			added := snap.Summary.Properties["added-records"]
			if c.wholeFiles && added != fmt.Sprint(len(newRows)) {
				t.Errorf("added %s records, want only the %d new ones (no rewrite)", added, len(newRows))
			}
			if !c.wholeFiles && added == fmt.Sprint(len(newRows)) {
				t.Errorf("added %s records: no file was rewritten", added)
			}
			old, err := frame.ReadIceberg(out, frame.AtSnapshot(prev)).Collect(ctx)
			if err != nil {
				t.Fatal(err)
			}
			defer old.Release()
			if got := rlRead(t, old); !slices.Equal(got, rlStrings(rows)) {
				t.Errorf("time travel read %v", got)
			}
		})
	}

	t.Run("unknown column", func(t *testing.T) {
		tbl := rlTable(t, ctx, cat, "ow_unknown", false, rlRows(0, 4))
		in := rlArrow(newRows)
		defer in.Release()
		_, err := frame.FromArrow(in).WriteIceberg(ctx, tbl, frame.IcebergOverwriteWhere(expr.Col("zz").Eq(1)))
		if err == nil || !strings.Contains(err.Error(), `"zz"`) || !strings.Contains(err.Error(), "grp") {
			t.Errorf("error %v does not name the column and the table's columns", err)
		}
	})
}

func TestWriteIcebergOverwritePartitions(t *testing.T) {
	ctx := context.Background()
	cat := rlCatalog(t)
	for _, c := range []struct {
		name  string
		parts []iceberg.Partition
		// key is a row's partition, computed independently.
		key func(rlRow) string
	}{
		{"identity", []iceberg.Partition{iceberg.Identity("grp")}, func(r rlRow) string { return r.grp }},
		{"identity and truncate", []iceberg.Partition{iceberg.Identity("grp"), iceberg.Truncate("id", 10)},
			func(r rlRow) string { return fmt.Sprint(r.grp, "/", r.id/10) }},
		{"unpartitioned", nil, func(rlRow) string { return "" }},
	} {
		t.Run(c.name, func(t *testing.T) {
			rows := rlRows(0, 60)
			tbl, err := iceberg.CreateTable(ctx, cat, table.Identifier{"dpo", strings.ReplaceAll(c.name, " ", "_")}, rlSchema,
				iceberg.WithPartitioning(c.parts...))
			if err != nil {
				t.Fatal(err)
			}
			for _, part := range [][]rlRow{rows[:30], rows[30:]} {
				in := rlArrow(part)
				tbl, err = frame.FromArrow(in).WriteIceberg(ctx, tbl)
				in.Release()
				if err != nil {
					t.Fatal(err)
				}
			}
			// Merge-on-read deletes in a partition that is replaced, and in
			// one that is not.
			rows = deleteWhere(rows, func(r rlRow) bool { return r.id == 4 || r.id == 13 })
			if tbl, err = frame.DeleteIceberg(ctx, tbl, expr.Col("id").IsIn(4, 13), frame.IcebergMergeOnRead()); err != nil {
				t.Fatal(err)
			}
			// New rows in groups a and NULL only, ids 0..19.
			var newRows []rlRow
			for _, r := range rlRows(0, 20) {
				if r.grp == "a" || r.grp == "" {
					r.n, r.nNull = 100+r.id, false
					newRows = append(newRows, r)
				}
			}
			touched := map[string]bool{}
			for _, r := range newRows {
				touched[c.key(r)] = true
			}
			want := slices.Clone(newRows)
			for _, r := range rows {
				if !touched[c.key(r)] {
					want = append(want, r)
				}
			}
			prev := tbl.CurrentSnapshot().SnapshotID
			in := rlArrow(newRows)
			defer in.Release()
			out, err := frame.FromArrow(in).WriteIceberg(ctx, tbl, frame.IcebergOverwritePartitions())
			if err != nil {
				t.Fatal(err)
			}
			rlCheck(t, ctx, c.name, out, want)
			if op := out.CurrentSnapshot().Summary.Operation; op != table.OpOverwrite {
				t.Errorf("operation %s", op)
			}
			if p := out.CurrentSnapshot().ParentSnapshotID; p == nil || *p != prev {
				t.Errorf("not one commit")
			}
			// Id 4 (group a) was deleted in a replaced partition: its
			// delete file goes with it.
			if out.CurrentSnapshot().Summary.Properties["removed-position-delete-files"] == "" {
				t.Errorf("no delete file removed: %v", out.CurrentSnapshot().Summary.Properties)
			}
		})
	}
}

// TestWriteIcebergTargetFileSize: files roll near the target set by the
// option or by the table property, also below the Parquet row-group size.
func TestWriteIcebergTargetFileSize(t *testing.T) {
	ctx := context.Background()
	cat := rlCatalog(t)
	rows := rlRows(0, 200_000)
	in := rlArrow(rows)
	defer in.Release()
	const target = 64 << 10
	for _, c := range []struct {
		name  string
		props map[string]string
		opts  []frame.IcebergWriteOption
	}{
		{"option", nil, []frame.IcebergWriteOption{frame.IcebergTargetFileSize(target)}},
		{"property", map[string]string{"write.target-file-size-bytes": fmt.Sprint(target)}, nil},
	} {
		t.Run(c.name, func(t *testing.T) {
			tbl, err := iceberg.CreateTable(ctx, cat, table.Identifier{"size", c.name}, rlSchema, iceberg.WithTableProperties(c.props))
			if err != nil {
				t.Fatal(err)
			}
			if tbl, err = frame.FromArrow(in).WriteIceberg(ctx, tbl, c.opts...); err != nil {
				t.Fatal(err)
			}
			rlCheck(t, ctx, c.name, tbl, rows)
			tasks, err := tbl.Scan().PlanFiles(ctx)
			if err != nil {
				t.Fatal(err)
			}
			var total int64
			for _, ft := range tasks {
				total += ft.File.FileSizeBytes()
				if ft.File.FileSizeBytes() > 2*target {
					t.Errorf("%s: %d bytes, target %d", ft.File.FilePath(), ft.File.FileSizeBytes(), target)
				}
			}
			if want := total / (2 * target); int64(len(tasks)) < want {
				t.Errorf("%d files for %d bytes, want at least %d", len(tasks), total, want)
			}
		})
	}
}

func TestWriteIcebergOverwritePartitionsNoRows(t *testing.T) {
	ctx := context.Background()
	cat := rlCatalog(t)
	rows := rlRows(0, 20)
	tbl := rlTable(t, ctx, cat, "dpo_empty", true, rows)
	in := rlArrow(rows)
	defer in.Release()
	out, err := frame.FromArrow(in).Where(expr.Col("id").Lt(0)).WriteIceberg(ctx, tbl, frame.IcebergOverwritePartitions())
	if err != nil {
		t.Fatal(err)
	}
	if out.CurrentSnapshot().SnapshotID != tbl.CurrentSnapshot().SnapshotID {
		t.Errorf("overwriting no partition committed a snapshot")
	}
	rlCheck(t, ctx, "no rows", out, rows)
}

// TestWriteIcebergOverwriteWhereStale: an overwrite planned on a stale
// snapshot plans its deletion again after losing the commit, so rows a
// concurrent writer added that match are replaced too.
func TestWriteIcebergOverwriteWhereStale(t *testing.T) {
	ctx := context.Background()
	cat := rlCatalog(t)
	rows := rlRows(0, 40)
	stale := rlTable(t, ctx, cat, "ow_stale", true, rows)
	fresh, err := cat.LoadTable(ctx, stale.Identifier())
	if err != nil {
		t.Fatal(err)
	}
	more := rlRows(200, 240)
	in := rlArrow(more)
	defer in.Release()
	if _, err := frame.FromArrow(in).WriteIceberg(ctx, fresh); err != nil {
		t.Fatal(err)
	}
	newRows := rlRows(500, 510)
	in2 := rlArrow(newRows)
	defer in2.Release()
	match := func(r rlRow) bool { return r.grp == "b" }
	out, err := frame.FromArrow(in2).WriteIceberg(ctx, stale, frame.IcebergOverwriteWhere(expr.Col("grp").Eq("b")))
	if err != nil {
		t.Fatal(err)
	}
	want := append(deleteWhere(append(slices.Clone(rows), more...), match), newRows...)
	rlCheck(t, ctx, "overwrite from a stale handle", out, want)
}
