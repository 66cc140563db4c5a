package frame_test

import (
	"context"
	"fmt"
	"path/filepath"
	"slices"
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
	b := array.NewRecordBuilder(memory.DefaultAllocator, writeSchema)
	defer b.Release()
	for _, r := range rows {
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
	}
	rec := b.NewRecordBatch()
	defer rec.Release()
	return array.NewTableFromRecords(writeSchema, []arrow.RecordBatch{rec})
}

// writtenRows reads an Arrow table of writeSchema's columns (in any order)
// back into sorted rows, independently of lakeframe's code.
func writtenRows(t *testing.T, tbl arrow.Table) []string {
	t.Helper()
	var out []string
	rdr := array.NewTableReader(tbl, 1024)
	defer rdr.Release()
	for rdr.Next() {
		rec := rdr.RecordBatch()
		sc := rec.Schema()
		ids := rec.Column(sc.FieldIndices("id")[0]).(*array.Int64)
		regions := rec.Column(sc.FieldIndices("region")[0])
		ts := rec.Column(sc.FieldIndices("ts")[0]).(*array.Timestamp)
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
	}
	slices.Sort(out)
	return out
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
