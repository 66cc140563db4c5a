package frame_test

import (
	"context"
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
	b := array.NewRecordBuilder(memory.DefaultAllocator, rlSchema)
	defer b.Release()
	for _, r := range rows {
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
	}
	rec := b.NewRecordBatch()
	defer rec.Release()
	return array.NewTableFromRecords(rlSchema, []arrow.RecordBatch{rec})
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
	var rows []rlRow
	rdr := array.NewTableReader(tbl, 1024)
	defer rdr.Release()
	for rdr.Next() {
		rec := rdr.RecordBatch()
		sc := rec.Schema()
		ids := rec.Column(sc.FieldIndices("id")[0]).(*array.Int64)
		grp := rec.Column(sc.FieldIndices("grp")[0])
		n := rec.Column(sc.FieldIndices("n")[0]).(*array.Int64)
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
	}
	return rlStrings(rows)
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
