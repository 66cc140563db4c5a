package frame_test

import (
	"context"
	"fmt"
	"os"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"
	"github.com/apache/arrow-go/v18/parquet/file"
	"github.com/apache/arrow-go/v18/parquet/pqarrow"
	"github.com/apache/iceberg-go/table"

	"lakeframe/expr"
	"lakeframe/frame"
	"lakeframe/iceberg"
)

var txSchema = arrow.NewSchema([]arrow.Field{
	{Name: "id", Type: arrow.PrimitiveTypes.Int64},
	{Name: "s", Type: arrow.BinaryTypes.String, Nullable: true},
	{Name: "d", Type: arrow.FixedWidthTypes.Date32, Nullable: true},
	{Name: "ts", Type: &arrow.TimestampType{Unit: arrow.Microsecond, TimeZone: "UTC"}, Nullable: true},
}, nil)

type txRow struct {
	id   int64
	s    string // "" is NULL
	when time.Time
	null bool // d and ts NULL
}

func txRows() []txRow {
	var out []txRow
	base := time.Date(2023, 11, 28, 0, 0, 0, 0, time.UTC)
	for i := range 48 {
		r := txRow{id: int64(i*7 - 20), s: []string{"alpha", "alps", "beta", "", "b"}[i%5], when: base.Add(time.Duration(i) * 37 * time.Hour)}
		r.null = i%11 == 3
		out = append(out, r)
	}
	return out
}

func (r txRow) String() string {
	s := r.s
	if s == "" {
		s = "NULL"
	}
	d, ts := "NULL", "NULL"
	if !r.null {
		d = r.when.Format("2006-01-02")
		ts = r.when.Format("2006-01-02T15")
	}
	return fmt.Sprintf("%d|%s|%s|%s", r.id, s, d, ts)
}

func txArrow(rows []txRow) arrow.Table {
	return arrowTable(txSchema, rows, func(b *array.RecordBuilder, r txRow) {
		b.Field(0).(*array.Int64Builder).Append(r.id)
		if r.s == "" {
			b.Field(1).AppendNull()
		} else {
			b.Field(1).(*array.StringBuilder).Append(r.s)
		}
		if r.null {
			b.Field(2).AppendNull()
			b.Field(3).AppendNull()
		} else {
			b.Field(2).(*array.Date32Builder).Append(arrow.Date32FromTime(r.when))
			b.Field(3).(*array.TimestampBuilder).Append(arrow.Timestamp(r.when.UnixMicro()))
		}
	})
}

func txRead(t *testing.T, tbl arrow.Table) []string {
	t.Helper()
	return sortedRows(tbl, func(rec arrow.RecordBatch) []string {
		ids := column(t, rec, "id").(*array.Int64)
		s := column(t, rec, "s")
		d := column(t, rec, "d").(*array.Date32)
		ts := column(t, rec, "ts").(*array.Timestamp)
		var out []string
		for i := 0; i < int(rec.NumRows()); i++ {
			r := txRow{id: ids.Value(i), null: ts.IsNull(i)}
			if s.IsValid(i) {
				r.s = s.ValueStr(i)
			}
			if !r.null {
				r.when = time.UnixMicro(int64(ts.Value(i))).UTC()
				if got := d.Value(i).ToTime().Format("2006-01-02"); got != r.when.Format("2006-01-02") {
					t.Errorf("row %d: d %s does not match ts %s", r.id, got, r.when)
				}
			}
			out = append(out, r.String())
		}
		return out
	})
}

// TestCreateTableTransforms writes through every partition transform and
// reads back through lakeframe and iceberg-go, whole and filtered.
func TestCreateTableTransforms(t *testing.T) {
	ctx := context.Background()
	cat := rlCatalog(t)
	rows := txRows()
	in := txArrow(rows)
	defer in.Release()
	trunc := func(v, w int64) int64 { return v - ((v%w)+w)%w }
	for _, c := range []struct {
		name string
		part iceberg.Partition
		// key is the partition value computed independently; "" when the
		// transform's values are not worth recomputing (bucket hashes).
		key func(txRow) string
		// filter and match are a query and its meaning.
		filter expr.Expr
		match  func(txRow) bool
	}{
		{"identity", iceberg.Identity("s"), func(r txRow) string { return r.s },
			expr.Col("s").Eq("beta"), func(r txRow) bool { return r.s == "beta" }},
		{"year", iceberg.Year("d"), func(r txRow) string { return yearOf(r) },
			expr.Col("d").Ge(time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC)), func(r txRow) bool { return !r.null && r.when.Year() >= 2024 }},
		{"month", iceberg.Month("ts"), func(r txRow) string { return monthOf(r) },
			expr.Col("ts").Lt(time.Date(2023, 12, 15, 0, 0, 0, 0, time.UTC)), func(r txRow) bool {
				return !r.null && r.when.Before(time.Date(2023, 12, 15, 0, 0, 0, 0, time.UTC))
			}},
		{"day", iceberg.Day("d"), func(r txRow) string { return dayOf(r) },
			expr.Col("d").Eq(time.Date(2023, 12, 4, 0, 0, 0, 0, time.UTC)), func(r txRow) bool {
				return !r.null && r.when.Format("2006-01-02") == "2023-12-04"
			}},
		{"hour", iceberg.Hour("ts"), func(r txRow) string { return hourOf(r) },
			expr.Col("ts").Ge(time.Date(2023, 12, 20, 5, 0, 0, 0, time.UTC)), func(r txRow) bool {
				return !r.null && !r.when.Before(time.Date(2023, 12, 20, 5, 0, 0, 0, time.UTC))
			}},
		{"bucket", iceberg.Bucket("id", 4), nil,
			expr.Col("id").Eq(15), func(r txRow) bool { return r.id == 15 }},
		{"bucket string", iceberg.Bucket("s", 3), nil,
			expr.Col("s").IsIn("alps", "b"), func(r txRow) bool { return r.s == "alps" || r.s == "b" }},
		{"truncate int", iceberg.Truncate("id", 25), func(r txRow) string { return fmt.Sprint(trunc(r.id, 25)) },
			expr.Col("id").Between(30, 80), func(r txRow) bool { return r.id >= 30 && r.id <= 80 }},
		{"truncate string", iceberg.Truncate("s", 2), func(r txRow) string {
			if r.s == "" {
				return ""
			}
			return r.s[:min(2, len(r.s))]
		}, expr.Col("s").Gt("al"), func(r txRow) bool { return r.s != "" && r.s > "al" }},
	} {
		t.Run(c.name, func(t *testing.T) {
			tbl, err := iceberg.CreateTable(ctx, cat, table.Identifier{"tx", strings.ReplaceAll(c.name, " ", "_")}, txSchema,
				iceberg.WithPartitioning(c.part))
			if err != nil {
				t.Fatal(err)
			}
			if tbl, err = frame.FromArrow(in).WriteIceberg(ctx, tbl); err != nil {
				t.Fatal(err)
			}
			var want, wantFiltered []string
			parts := map[string]bool{}
			for _, r := range rows {
				want = append(want, r.String())
				if c.match(r) {
					wantFiltered = append(wantFiltered, r.String())
				}
				if c.key != nil {
					parts[c.key(r)] = true
				}
			}
			slices.Sort(want)
			slices.Sort(wantFiltered)
			got, err := frame.ReadIceberg(tbl).Collect(ctx)
			if err != nil {
				t.Fatal(err)
			}
			defer got.Release()
			scanned, err := tbl.Scan().ToArrowTable(ctx)
			if err != nil {
				t.Fatal(err)
			}
			defer scanned.Release()
			if g := txRead(t, got); !slices.Equal(g, want) {
				t.Errorf("lakeframe read %v, want %v", g, want)
			}
			if g := txRead(t, scanned); !slices.Equal(g, want) {
				t.Errorf("iceberg-go read %v, want %v", g, want)
			}
			filtered, err := frame.ReadIceberg(tbl).Where(c.filter).Collect(ctx)
			if err != nil {
				t.Fatal(err)
			}
			defer filtered.Release()
			if g := txRead(t, filtered); !slices.Equal(g, wantFiltered) {
				t.Errorf("filtered %s: read %v, want %v", c.filter, g, wantFiltered)
			}
			files := tbl.CurrentSnapshot().Summary.Properties["added-data-files"]
			if c.key != nil && files != fmt.Sprint(len(parts)) {
				t.Errorf("%s data files, want one per partition: %d", files, len(parts))
			}
		})
	}
}

func yearOf(r txRow) string {
	if r.null {
		return ""
	}
	return fmt.Sprint(r.when.Year())
}

func monthOf(r txRow) string {
	if r.null {
		return ""
	}
	return r.when.Format("2006-01")
}

func dayOf(r txRow) string {
	if r.null {
		return ""
	}
	return r.when.Format("2006-01-02")
}

func hourOf(r txRow) string {
	if r.null {
		return ""
	}
	return r.when.Format("2006-01-02T15")
}

// TestCreateTableSortOrder: the sort order is in the table's metadata and
// every data file written holds its rows in that order, also across the
// batches of a multi-batch query.
func TestCreateTableSortOrder(t *testing.T) {
	ctx := context.Background()
	cat := rlCatalog(t)
	tbl, err := iceberg.CreateTable(ctx, cat, table.Identifier{"db", "nested", "sorted"}, rlSchema,
		iceberg.WithPartitioning(iceberg.Identity("grp")),
		iceberg.WithSortOrder(iceberg.Descending("n"), iceberg.Ascending("id")),
		iceberg.WithTableProperties(map[string]string{"owner": "sales"}))
	if err != nil {
		t.Fatal(err)
	}
	if ok, err := cat.CheckNamespaceExists(ctx, table.Identifier{"db"}); err != nil || !ok {
		t.Errorf("parent namespace db not created: %v %v", ok, err)
	}
	if tbl.Properties()["owner"] != "sales" {
		t.Errorf("properties %v", tbl.Properties())
	}
	order := tbl.SortOrder()
	if order.Len() != 2 {
		t.Fatalf("sort order %v", order)
	}
	if f := order.Field(0); f.Direction != table.SortDESC || f.NullOrder != table.NullsLast {
		t.Errorf("first key %v", f)
	}
	if f := order.Field(1); f.Direction != table.SortASC || f.NullOrder != table.NullsFirst {
		t.Errorf("second key %v", f)
	}

	rows := rlRows(0, 3000)
	in := rlArrow(rows)
	defer in.Release()
	// Small batches: the rows reach the writer in many batches.
	if tbl, err = frame.FromArrow(in).WriteIceberg(ctx, tbl, frame.IcebergRun(frame.WithBatchSize(100))); err != nil {
		t.Fatal(err)
	}
	rlCheck(t, ctx, "sorted write", tbl, rows)
	tasks, err := tbl.Scan().PlanFiles(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(tasks) != 4 {
		t.Errorf("%d files, want 4", len(tasks))
	}
	for _, ft := range tasks {
		path := strings.TrimPrefix(ft.File.FilePath(), "file://")
		got := readParquetRows(t, path)
		sorted := slices.IsSortedFunc(got, func(a, b rlRow) int {
			// n descending, NULLs last; then id ascending.
			switch {
			case a.nNull != b.nNull:
				if a.nNull {
					return 1
				}
				return -1
			case !a.nNull && a.n != b.n:
				return int(b.n - a.n)
			}
			return int(a.id - b.id)
		})
		if !sorted || len(got) == 0 {
			t.Errorf("%s: %d rows not in the table's sort order", path, len(got))
		}
	}
}

// readParquetRows reads a data file straight with arrow-go's Parquet
// reader, in file order.
func readParquetRows(t *testing.T, path string) []rlRow {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	rdr, err := file.NewParquetReader(f)
	if err != nil {
		t.Fatal(err)
	}
	defer rdr.Close()
	fr, err := pqarrow.NewFileReader(rdr, pqarrow.ArrowReadProperties{}, memory.DefaultAllocator)
	if err != nil {
		t.Fatal(err)
	}
	tbl, err := fr.ReadTable(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	defer tbl.Release()
	var out []rlRow
	rd := array.NewTableReader(tbl, 4096)
	defer rd.Release()
	for rd.Next() {
		rec := rd.RecordBatch()
		ids := rec.Column(tbl.Schema().FieldIndices("id")[0]).(*array.Int64)
		n := rec.Column(tbl.Schema().FieldIndices("n")[0]).(*array.Int64)
		for i := 0; i < int(rec.NumRows()); i++ {
			out = append(out, rlRow{id: ids.Value(i), n: n.Value(i), nNull: n.IsNull(i)})
		}
	}
	return out
}
