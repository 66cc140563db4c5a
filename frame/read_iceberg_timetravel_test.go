package frame_test

import (
	"context"
	"fmt"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"
	ice "github.com/apache/iceberg-go"
	"github.com/apache/iceberg-go/table"

	"lakeframe/expr"
	"lakeframe/frame"
	"lakeframe/iceberg"
)

// appendWithSchema appends rows k in [from, to) through the table's
// current schema: k, name and part as writeCatalogTable writes them, and
// extra (when the schema has it) as k * 10.
func appendWithSchema(t *testing.T, tbl *table.Table, from, to int) *table.Table {
	t.Helper()
	asch, err := table.SchemaToArrowSchema(tbl.Schema(), nil, false, false)
	if err != nil {
		t.Fatal(err)
	}
	b := array.NewRecordBuilder(memory.DefaultAllocator, asch)
	defer b.Release()
	for k := from; k < to; k++ {
		row := wantCatalogRow(k)
		for i, f := range asch.Fields() {
			switch f.Name {
			case "k":
				b.Field(i).(*array.Int64Builder).Append(row.k)
			case "name":
				if row.name == `\N` {
					b.Field(i).AppendNull()
				} else {
					b.Field(i).(*array.StringBuilder).Append(row.name)
				}
			case "part":
				b.Field(i).(*array.Int32Builder).Append(row.part)
			case "extra":
				b.Field(i).(*array.Int64Builder).Append(int64(k * 10))
			}
		}
	}
	rec := b.NewRecordBatch()
	defer rec.Release()
	rdr, err := array.NewRecordReader(asch, []arrow.RecordBatch{rec})
	if err != nil {
		t.Fatal(err)
	}
	defer rdr.Release()
	out, err := tbl.Append(context.Background(), rdr, nil)
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// TestIcebergTimeTravel reads a table with two snapshots, a schema change
// between them (column extra added), a tag and a branch on the first
// snapshot, through every way of choosing a snapshot, at their edges.
func TestIcebergTimeTravel(t *testing.T) {
	ctx := context.Background()
	cat, err := iceberg.OpenCatalog(ctx, "sqlite://"+filepath.Join(t.TempDir(), "catalog.db"), nil)
	if err != nil {
		t.Fatal(err)
	}
	if err := cat.CreateNamespace(ctx, table.Identifier{"ns"}, nil); err != nil {
		t.Fatal(err)
	}
	empty := createCatalogTable(t, cat, "empty", true, nil)
	tbl := createCatalogTable(t, cat, "t", true, nil)
	tbl = appendWithSchema(t, tbl, 0, 10)
	s1 := tbl.CurrentSnapshot()
	time.Sleep(5 * time.Millisecond) // distinct commit times
	tx := tbl.NewTransaction()
	if err := tx.UpdateSchema(true, false).AddColumn([]string{"extra"}, ice.PrimitiveTypes.Int64, "", false, nil).Commit(); err != nil {
		t.Fatal(err)
	}
	if tbl, err = tx.Commit(ctx); err != nil {
		t.Fatal(err)
	}
	tbl = appendWithSchema(t, tbl, 10, 30)
	s2 := tbl.CurrentSnapshot()
	if s2.TimestampMs <= s1.TimestampMs {
		t.Fatalf("snapshot times %d, %d are not increasing", s1.TimestampMs, s2.TimestampMs)
	}
	for _, ref := range []struct {
		name string
		typ  table.RefType
	}{{"v1", table.TagRef}, {"b1", table.BranchRef}} {
		if _, _, err := cat.CommitTable(ctx, tbl.Identifier(), nil,
			[]table.Update{table.NewSetSnapshotRefUpdate(ref.name, s1.SnapshotID, ref.typ, 0, 0, 0)}); err != nil {
			t.Fatal(err)
		}
	}
	if tbl, err = cat.LoadTable(ctx, table.Identifier{"ns", "t"}); err != nil {
		t.Fatal(err)
	}

	at := func(ms int64) time.Time { return time.UnixMilli(ms) }
	zone := time.FixedZone("UTC-7", -7*3600)
	cases := []struct {
		name  string
		df    *frame.DataFrame
		rows  int
		extra bool   // the schema read has column extra
		err   string // the frame fails with an error containing this
	}{
		{name: "current", df: frame.ReadIceberg(tbl), rows: 30, extra: true},
		{name: "snapshot 1", df: frame.ReadIceberg(tbl, frame.AtSnapshot(s1.SnapshotID)), rows: 10},
		{name: "snapshot 2", df: frame.ReadIceberg(tbl, frame.AtSnapshot(s2.SnapshotID)), rows: 30, extra: true},
		{name: "unknown snapshot", df: frame.ReadIceberg(tbl, frame.AtSnapshot(12345)), err: "no snapshot 12345"},
		// As of a time: the last snapshot committed at or before it.
		{name: "as of first commit", df: frame.ReadIceberg(tbl, frame.AsOf(at(s1.TimestampMs))), rows: 10},
		{name: "as of first commit, other zone", df: frame.ReadIceberg(tbl, frame.AsOf(at(s1.TimestampMs).In(zone))), rows: 10},
		{name: "as of just before second", df: frame.ReadIceberg(tbl, frame.AsOf(at(s2.TimestampMs-1))), rows: 10},
		{name: "as of second commit", df: frame.ReadIceberg(tbl, frame.AsOf(at(s2.TimestampMs))), rows: 30, extra: true},
		{name: "as of later", df: frame.ReadIceberg(tbl, frame.AsOf(at(s2.TimestampMs).Add(time.Hour))), rows: 30, extra: true},
		{name: "as of before first", df: frame.ReadIceberg(tbl, frame.AsOf(at(s1.TimestampMs-1))), err: "no snapshot at or before"},
		// A tag reads its snapshot's schema; a branch the current one.
		{name: "tag", df: frame.ReadIceberg(tbl, frame.AtRef("v1")), rows: 10},
		{name: "branch", df: frame.ReadIceberg(tbl, frame.AtRef("b1")), rows: 10, extra: true},
		{name: "main", df: frame.ReadIceberg(tbl, frame.AtRef("main")), rows: 30, extra: true},
		{name: "unknown ref", df: frame.ReadIceberg(tbl, frame.AtRef("v2")), err: `no branch or tag "v2"`},
		{name: "snapshot and time", df: frame.ReadIceberg(tbl, frame.AtSnapshot(s1.SnapshotID), frame.AsOf(time.Now())), err: "choose one"},
		{name: "snapshot and ref", df: frame.ReadIceberg(tbl, frame.AtSnapshot(s1.SnapshotID), frame.AtRef("main")), err: "choose one"},
		{name: "empty table", df: frame.ReadIceberg(empty), rows: 0},
		{name: "empty table as of", df: frame.ReadIceberg(empty, frame.AsOf(time.Now())), err: "no snapshot at or before"},
		{name: "empty table main", df: frame.ReadIceberg(empty, frame.AtRef("main")), err: `no branch or tag "main"`},
		// Filters and counts apply to the snapshot chosen: part = 1 holds
		// k = 1, 5, 9 in the first ten rows.
		{name: "tag filtered", df: frame.ReadIceberg(tbl, frame.AtRef("v1")).Where(expr.Col("part").Eq(1)), rows: 3},
		{name: "as of filtered", df: frame.ReadIceberg(tbl, frame.AsOf(at(s2.TimestampMs-1))).Where(expr.Col("k").Ge(5)), rows: 5},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if c.err != "" {
				err := c.df.Err()
				if err == nil || !strings.Contains(err.Error(), c.err) {
					t.Fatalf("err = %v, want one containing %q", err, c.err)
				}
				return
			}
			sch, err := c.df.Schema()
			if err != nil {
				t.Fatal(err)
			}
			if got := len(sch.FieldIndices("extra")) > 0; got != c.extra {
				t.Errorf("schema has extra = %v, want %v: %s", got, c.extra, sch)
			}
			out, err := c.df.Collect(ctx)
			if err != nil {
				t.Fatal(err)
			}
			defer out.Release()
			if int(out.NumRows()) != c.rows {
				t.Errorf("%d rows, want %d", out.NumRows(), c.rows)
			}
			if c.extra {
				checkExtra(t, out)
			}
		})
	}
}

// checkExtra checks column extra: NULL for the rows of the first
// snapshot (k < 10, written before the column existed), k * 10 after.
func checkExtra(t *testing.T, out arrow.Table) {
	t.Helper()
	tr := array.NewTableReader(out, -1)
	defer tr.Release()
	for tr.Next() {
		rec := tr.RecordBatch()
		sch := rec.Schema()
		ks := rec.Column(sch.FieldIndices("k")[0]).(*array.Int64)
		extra := rec.Column(sch.FieldIndices("extra")[0]).(*array.Int64)
		for i := 0; i < int(rec.NumRows()); i++ {
			k := ks.Value(i)
			want := fmt.Sprint(k * 10)
			if k < 10 {
				want = "(null)"
			}
			if got := extra.ValueStr(i); got != want {
				t.Errorf("k = %d: extra = %s, want %s", k, got, want)
			}
		}
	}
}
