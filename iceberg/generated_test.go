package iceberg

import (
	"context"
	"fmt"
	"io"
	"path/filepath"
	"testing"
	"time"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"
	iceberg "github.com/apache/iceberg-go"
	"github.com/apache/iceberg-go/catalog"
	"github.com/apache/iceberg-go/table"

	"lakeframe/exec"
	"lakeframe/expr"
	"lakeframe/plan"
)

// layout describes a generated table: for every day, region and id there
// is one row; the table is partitioned by day(ts), bucket[buckets](id)
// and identity(region), so each (day, bucket, region) is one data file.
type layout struct {
	days, regions, ids, buckets int
}

var day0 = time.Date(2025, 3, 1, 0, 0, 0, 0, time.UTC)

func (l layout) rows() int { return l.days * l.regions * l.ids }

// genRow returns the values of row i: the id, the region, and a
// timestamp inside day d (hours vary so files are not single-valued).
func (l layout) genRow(i int) (id int64, region string, ts time.Time) {
	id = int64(i % l.ids)
	r := (i / l.ids) % l.regions
	d := i / (l.ids * l.regions)
	return id, fmt.Sprintf("r%d", r), day0.AddDate(0, 0, d).Add(time.Duration(int(id)%24) * time.Hour)
}

var genSchema = iceberg.NewSchema(0,
	iceberg.NestedField{ID: 1, Name: "id", Type: iceberg.PrimitiveTypes.Int64, Required: false},
	iceberg.NestedField{ID: 2, Name: "region", Type: iceberg.PrimitiveTypes.String, Required: false},
	iceberg.NestedField{ID: 3, Name: "ts", Type: iceberg.PrimitiveTypes.TimestampTz, Required: false},
	iceberg.NestedField{ID: 4, Name: "v", Type: iceberg.PrimitiveTypes.Float64, Required: false},
)

// createGenerated writes the table through iceberg-go into a SQLite
// catalog opened with OpenCatalog.
func createGenerated(tb testing.TB, l layout) *table.Table {
	tb.Helper()
	ctx := context.Background()
	dir := tb.TempDir()
	cat, err := OpenCatalog(ctx, "sqlite://"+filepath.Join(dir, "catalog.db"), nil)
	if err != nil {
		tb.Fatal(err)
	}
	if err := cat.CreateNamespace(ctx, table.Identifier{"db"}, nil); err != nil {
		tb.Fatal(err)
	}
	spec := iceberg.NewPartitionSpec(
		iceberg.PartitionField{SourceIDs: []int{3}, FieldID: 1000, Name: "ts_day", Transform: iceberg.DayTransform{}},
		iceberg.PartitionField{SourceIDs: []int{1}, FieldID: 1001, Name: "id_bucket", Transform: iceberg.BucketTransform{NumBuckets: l.buckets}},
		iceberg.PartitionField{SourceIDs: []int{2}, FieldID: 1002, Name: "region", Transform: iceberg.IdentityTransform{}},
	)
	tbl, err := cat.CreateTable(ctx, table.Identifier{"db", "events"}, genSchema, catalog.WithPartitionSpec(&spec))
	if err != nil {
		tb.Fatal(err)
	}
	sc, err := table.SchemaToArrowSchema(genSchema, nil, false, false)
	if err != nil {
		tb.Fatal(err)
	}
	mem := memory.DefaultAllocator
	b := array.NewRecordBuilder(mem, sc)
	defer b.Release()
	for i := range l.rows() {
		id, region, ts := l.genRow(i)
		b.Field(0).(*array.Int64Builder).Append(id)
		b.Field(1).(*array.StringBuilder).Append(region)
		b.Field(2).(*array.TimestampBuilder).Append(arrow.Timestamp(ts.UnixMicro()))
		if i%7 == 0 {
			b.Field(3).AppendNull()
		} else {
			b.Field(3).(*array.Float64Builder).Append(float64(i) / 4)
		}
	}
	rec := b.NewRecordBatch()
	defer rec.Release()
	rdr, err := array.NewRecordReader(sc, []arrow.RecordBatch{rec})
	if err != nil {
		tb.Fatal(err)
	}
	defer rdr.Release()
	if tbl, err = tbl.Append(ctx, rdr, nil); err != nil {
		tb.Fatal(err)
	}
	// Read the table back through the catalog, as a user would.
	tbl, err = cat.LoadTable(ctx, table.Identifier{"db", "events"})
	if err != nil {
		tb.Fatal(err)
	}
	return tbl
}

// TestGeneratedPruning checks that selective predicates keep exactly the
// files that can match, and that the rows read equal those of the
// generator that satisfy the predicate.
func TestGeneratedPruning(t *testing.T) {
	l := layout{days: 20, regions: 5, ids: 100, buckets: 10}
	tbl := createGenerated(t, l)
	src, err := NewSource(tbl, ScanOptions{})
	if err != nil {
		t.Fatal(err)
	}
	sch := src.Schema()
	day := func(d int) time.Time { return day0.AddDate(0, 0, d) }
	filesPerDay := l.regions * l.buckets
	cases := []struct {
		name  string
		pred  expr.Expr
		files int // hand-computed from the layout
		keep  func(id int64, region string, ts time.Time) bool
		// exact: identity-partition values decide the predicate per file.
		exact bool
	}{
		{"none", expr.Lit(true), 1000, func(int64, string, time.Time) bool { return true }, true},
		{"identity", expr.Col("region").Eq("r1"), 1000 / l.regions,
			func(_ int64, r string, _ time.Time) bool { return r == "r1" }, true},
		{"identity in", expr.Col("region").IsIn("r1", "r3"), 2 * 1000 / l.regions,
			func(_ int64, r string, _ time.Time) bool { return r == "r1" || r == "r3" }, true},
		// Every file of id 7's bucket holds id 7: one bucket of ten.
		{"bucket", expr.Col("id").Eq(int64(7)), 1000 / l.buckets,
			func(id int64, _ string, _ time.Time) bool { return id == 7 }, false},
		{"day range", expr.Col("ts").Ge(day(3)).And(expr.Col("ts").Lt(day(5))), 2 * filesPerDay,
			func(_ int64, _ string, ts time.Time) bool { return !ts.Before(day(3)) && ts.Before(day(5)) }, false},
		{"day of timestamp", expr.Col("ts").Cast(arrow.FixedWidthTypes.Date32).Eq(day(4)), filesPerDay,
			func(_ int64, _ string, ts time.Time) bool { return ts.Truncate(24 * time.Hour).Equal(day(4)) }, false},
		{"open range", expr.Col("ts").Gt(day(18)), 2 * filesPerDay,
			func(_ int64, _ string, ts time.Time) bool { return ts.After(day(18)) }, false},
		{"identity and day", expr.Col("region").Eq("r2").And(expr.Col("ts").Lt(day(2))), 2 * l.buckets,
			func(_ int64, r string, ts time.Time) bool { return r == "r2" && ts.Before(day(2)) }, false},
		{"year", expr.Col("ts").Dt().Year().Eq(2024), 0,
			func(_ int64, _ string, ts time.Time) bool { return ts.Year() == 2024 }, false},
		// starts_with prunes by the identity partition and is checked on
		// rows by lakeframe, not iceberg-go.
		{"starts with", expr.Col("region").Str().StartsWith("r4"), 1000 / l.regions,
			func(_ int64, r string, _ time.Time) bool { return r[:2] == "r4" }, true},
		{"or", expr.Col("region").Eq("r0").Or(expr.Col("ts").Ge(day(19))), 1000/l.regions + filesPerDay - l.buckets,
			func(_ int64, r string, ts time.Time) bool { return r == "r0" || !ts.Before(day(19)) }, false},
		{"not", expr.Col("region").Ne("r0").Not(), 1000 / l.regions,
			func(_ int64, r string, _ time.Time) bool { return r == "r0" }, true},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			pred, err := expr.Resolve(c.pred.Node(), sch)
			if err != nil {
				t.Fatal(err)
			}
			support := plan.FilterInexact
			if c.exact {
				support = plan.FilterExact
			}
			if got := src.SupportsFilter(pred); got != support {
				t.Fatalf("SupportsFilter = %v, want %v", got, support)
			}
			p, err := src.Plan(context.Background(), plan.Pushdown{Filters: []expr.Node{pred}, Limit: -1})
			if err != nil {
				t.Fatal(err)
			}
			if p.Stats.FilesKept != c.files || p.Stats.FilesTotal != 1000 {
				t.Errorf("files kept %d of %d, want %d of 1000", p.Stats.FilesKept, p.Stats.FilesTotal, c.files)
			}
			want := 0
			for i := range l.rows() {
				if c.keep(l.genRow(i)) {
					want++
				}
			}
			got := countMatching(t, src, p, c.keep)
			if got != want {
				t.Errorf("rows = %d, want %d", got, want)
			}
			if c.exact {
				// Every row read must match: the scan applies the filter.
				if all := countMatching(t, src, p, func(int64, string, time.Time) bool { return true }); all != want {
					t.Errorf("exact filter read %d rows, want %d", all, want)
				}
			}
		})
	}
}

// countMatching reads the planned tasks and counts the rows that keep
// accepts: the filter applied after the scan.
func countMatching(t *testing.T, src *Source, p *plan.ScanPlan, keep func(int64, string, time.Time) bool) int {
	t.Helper()
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)
	tc := &exec.TaskContext{Mem: mem}
	n := 0
	for _, task := range p.Tasks {
		st, err := src.Open(context.Background(), tc, task)
		if err != nil {
			t.Fatal(err)
		}
		for {
			rec, err := st.Next(context.Background())
			if err == io.EOF {
				break
			}
			if err != nil {
				t.Fatal(err)
			}
			ids := rec.Column(0).(*array.Int64)
			regions := rec.Column(1).(*array.String)
			ts := rec.Column(2).(*array.Timestamp)
			for i := 0; i < int(rec.NumRows()); i++ {
				if keep(ids.Value(i), regions.Value(i), time.UnixMicro(int64(ts.Value(i))).UTC()) {
					n++
				}
			}
			rec.Release()
		}
		st.Close()
	}
	return n
}

// TestTaskCodec plans a filtered scan, sends every task through
// EncodeTask and DecodeTask, and reads the decoded tasks: the rows are
// the same as the generator's.
func TestTaskCodec(t *testing.T) {
	l := layout{days: 3, regions: 2, ids: 20, buckets: 4}
	tbl := createGenerated(t, l)
	src, err := NewSource(tbl, ScanOptions{})
	if err != nil {
		t.Fatal(err)
	}
	pred, err := expr.Resolve(expr.Col("region").Eq("r1").And(expr.Col("id").Lt(int64(10))).Node(), src.Schema())
	if err != nil {
		t.Fatal(err)
	}
	p, err := src.Plan(context.Background(), plan.Pushdown{Filters: []expr.Node{pred}, Limit: -1})
	if err != nil {
		t.Fatal(err)
	}
	decoded := &plan.ScanPlan{}
	for _, task := range p.Tasks {
		b, err := src.EncodeTask(task.(*Task))
		if err != nil {
			t.Fatal(err)
		}
		d, err := src.DecodeTask(b)
		if err != nil {
			t.Fatal(err)
		}
		if d.String() != task.String() {
			t.Errorf("decoded task %s, want %s", d, task)
		}
		decoded.Tasks = append(decoded.Tasks, d)
	}
	keep := func(id int64, r string, _ time.Time) bool { return r == "r1" && id < 10 }
	want := 0
	for i := range l.rows() {
		if keep(l.genRow(i)) {
			want++
		}
	}
	if got := countMatching(t, src, decoded, keep); got != want || want == 0 {
		t.Errorf("rows = %d, want %d", got, want)
	}

	// A task's limit travels with it.
	exact, err := expr.Resolve(expr.Col("region").Eq("r1").Node(), src.Schema())
	if err != nil {
		t.Fatal(err)
	}
	p, err = src.Plan(context.Background(), plan.Pushdown{Filters: []expr.Node{exact}, Limit: 7})
	if err != nil {
		t.Fatal(err)
	}
	if len(p.Tasks) != 1 {
		t.Fatalf("%d tasks, want 1", len(p.Tasks))
	}
	b, err := src.EncodeTask(p.Tasks[0].(*Task))
	if err != nil {
		t.Fatal(err)
	}
	d, err := src.DecodeTask(b)
	if err != nil {
		t.Fatal(err)
	}
	if d.Limit != 7 {
		t.Errorf("decoded limit %d, want 7", d.Limit)
	}
	all := func(int64, string, time.Time) bool { return true }
	if got := countMatching(t, src, &plan.ScanPlan{Tasks: []plan.Task{d}}, all); got != 7 {
		t.Errorf("decoded task read %d rows, want 7", got)
	}
}
