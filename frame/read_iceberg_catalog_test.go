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
	ice "github.com/apache/iceberg-go"
	"github.com/apache/iceberg-go/catalog"
	"github.com/apache/iceberg-go/table"

	"lakeframe/expr"
	"lakeframe/frame"
	"lakeframe/iceberg"
)

// catalogRow is a row of the table writeCatalogTable writes: k is
// 0..n-1, name is "n<k>" or NULL when k%5 == 0, part is k%4 (the
// identity partition).
type catalogRow struct {
	k    int64
	name string // `\N` for NULL
	part int32
}

func wantCatalogRow(k int) catalogRow {
	r := catalogRow{k: int64(k), name: fmt.Sprintf("n%d", k), part: int32(k % 4)}
	if k%5 == 0 {
		r.name = `\N`
	}
	return r
}

var catalogSchema = ice.NewSchema(0,
	ice.NestedField{ID: 1, Name: "k", Type: ice.PrimitiveTypes.Int64},
	ice.NestedField{ID: 2, Name: "name", Type: ice.PrimitiveTypes.String},
	ice.NestedField{ID: 3, Name: "part", Type: ice.PrimitiveTypes.Int32, Required: true},
)

// writeCatalogTable creates ns.t in cat, partitioned by identity(part),
// and appends each range of k as one commit (one file per partition).
// It returns the table as the catalog loads it and the snapshot id after
// each append.
func writeCatalogTable(t *testing.T, cat catalog.Catalog, ranges ...[2]int) (*table.Table, []int64) {
	t.Helper()
	if err := cat.CreateNamespace(context.Background(), table.Identifier{"ns"}, nil); err != nil {
		t.Fatal(err)
	}
	tbl := createCatalogTable(t, cat, "t", true, nil)
	var snaps []int64
	for _, r := range ranges {
		tbl = appendCatalogRows(t, tbl, r[0], r[1])
		snaps = append(snaps, tbl.CurrentSnapshot().SnapshotID)
	}
	tbl, err := cat.LoadTable(context.Background(), table.Identifier{"ns", "t"})
	if err != nil {
		t.Fatal(err)
	}
	return tbl, snaps
}

// createCatalogTable creates ns.<name> with catalogSchema, partitioned by
// identity(part) or not at all.
func createCatalogTable(t *testing.T, cat catalog.Catalog, name string, partitioned bool, props ice.Properties) *table.Table {
	t.Helper()
	opts := []catalog.CreateTableOpt{catalog.WithProperties(props)}
	if partitioned {
		spec := ice.NewPartitionSpec(ice.PartitionField{SourceIDs: []int{3}, FieldID: 1000, Name: "part", Transform: ice.IdentityTransform{}})
		opts = append(opts, catalog.WithPartitionSpec(&spec))
	}
	tbl, err := cat.CreateTable(context.Background(), table.Identifier{"ns", name}, catalogSchema, opts...)
	if err != nil {
		t.Fatal(err)
	}
	return tbl
}

// appendCatalogRows appends the rows with k in [from, to) in one commit.
func appendCatalogRows(t *testing.T, tbl *table.Table, from, to int) *table.Table {
	t.Helper()
	asch, err := table.SchemaToArrowSchema(catalogSchema, nil, false, false)
	if err != nil {
		t.Fatal(err)
	}
	b := array.NewRecordBuilder(memory.DefaultAllocator, asch)
	defer b.Release()
	for k := from; k < to; k++ {
		row := wantCatalogRow(k)
		b.Field(0).(*array.Int64Builder).Append(row.k)
		if row.name == `\N` {
			b.Field(1).AppendNull()
		} else {
			b.Field(1).(*array.StringBuilder).Append(row.name)
		}
		b.Field(2).(*array.Int32Builder).Append(row.part)
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

// collectCatalogRows reads a frame over writeCatalogTable's columns,
// sorted by k.
func collectCatalogRows(t *testing.T, df *frame.DataFrame) []catalogRow {
	t.Helper()
	return collectCatalogRowsWith(t, df)
}

func collectCatalogRowsWith(t *testing.T, df *frame.DataFrame, opts ...frame.Option) []catalogRow {
	t.Helper()
	out, err := df.Collect(context.Background(), opts...)
	if err != nil {
		t.Fatal(err)
	}
	defer out.Release()
	var rows []catalogRow
	tr := array.NewTableReader(out, -1)
	defer tr.Release()
	for tr.Next() {
		rec := tr.RecordBatch()
		ks := rec.Column(0).(*array.Int64)
		names := rec.Column(1).(*array.String)
		parts := rec.Column(2).(*array.Int32)
		for i := 0; i < int(rec.NumRows()); i++ {
			r := catalogRow{k: ks.Value(i), part: parts.Value(i), name: `\N`}
			if names.IsValid(i) {
				r.name = names.Value(i)
			}
			rows = append(rows, r)
		}
	}
	slices.SortFunc(rows, func(a, b catalogRow) int { return int(a.k - b.k) })
	return rows
}

// catalogFilters are predicates over writeCatalogTable's columns with
// the same predicate written in Go.
var catalogFilters = []struct {
	name string
	pred expr.Expr
	keep func(catalogRow) bool
}{
	{"partition", expr.Col("part").Eq(2), func(r catalogRow) bool { return r.part == 2 }},
	{"partition not in", expr.Col("part").IsIn(1, 2).Not(), func(r catalogRow) bool { return r.part != 1 && r.part != 2 }},
	{"range", expr.Col("k").Ge(120).And(expr.Col("k").Lt(130)), func(r catalogRow) bool { return r.k >= 120 && r.k < 130 }},
	{"null", expr.Col("name").IsNull(), func(r catalogRow) bool { return r.name == `\N` }},
	{"starts with", expr.Col("name").Str().StartsWith("n1"), func(r catalogRow) bool { return strings.HasPrefix(r.name, "n1") }},
	{"in or", expr.Col("part").IsIn(0, 3).Or(expr.Col("k").Eq(1)), func(r catalogRow) bool { return r.part == 0 || r.part == 3 || r.k == 1 }},
	{"partition and row", expr.Col("part").Eq(1).And(expr.Col("k").Lt(50)), func(r catalogRow) bool { return r.part == 1 && r.k < 50 }},
	// An int column against a fraction: no value equals it.
	{"fraction lt", expr.Col("part").Lt(1.5), func(r catalogRow) bool { return r.part <= 1 }},
	{"fraction eq", expr.Col("part").Eq(2.5), func(catalogRow) bool { return false }},
	{"fraction row", expr.Col("k").Cast(arrow.PrimitiveTypes.Float64).Gt(240.5), func(r catalogRow) bool { return r.k >= 241 }},
}

// checkCatalogTable reads tbl (written with k in [0, n)) whole and with
// each of catalogFilters, against the generator's rows.
func checkCatalogTable(t *testing.T, tbl *table.Table, n int) {
	t.Helper()
	all := collectCatalogRows(t, frame.ReadIceberg(tbl))
	if len(all) != n {
		t.Fatalf("full read has %d rows, want %d", len(all), n)
	}
	for i, r := range all {
		if r != wantCatalogRow(i) {
			t.Fatalf("row %d = %+v, want %+v", i, r, wantCatalogRow(i))
		}
	}
	for _, f := range catalogFilters {
		t.Run(f.name, func(t *testing.T) {
			var want []catalogRow
			for _, r := range all {
				if f.keep(r) {
					want = append(want, r)
				}
			}
			got := collectCatalogRows(t, frame.ReadIceberg(tbl).Where(f.pred))
			if !slices.Equal(got, want) {
				t.Errorf("got %d rows, want %d", len(got), len(want))
			}
		})
	}
}

// TestIcebergSQLiteCatalog writes a table with iceberg-go into the
// embedded SQLite catalog, appends twice, and reads it back: filtered
// reads equal a full read filtered afterwards, and time travel and refs
// pick the right snapshot.
func TestIcebergSQLiteCatalog(t *testing.T) {
	ctx := context.Background()
	cat, err := iceberg.OpenCatalog(ctx, "sqlite://"+filepath.Join(t.TempDir(), "catalog.db"), nil)
	if err != nil {
		t.Fatal(err)
	}
	tbl, snaps := writeCatalogTable(t, cat, [2]int{0, 100}, [2]int{100, 250})
	checkCatalogTable(t, tbl, 250)
	if got := collectCatalogRows(t, frame.ReadIceberg(tbl, frame.AtSnapshot(snaps[0]))); len(got) != 100 {
		t.Errorf("first snapshot has %d rows, want 100", len(got))
	}
	if got := collectCatalogRows(t, frame.ReadIceberg(tbl, frame.AtRef("main"))); len(got) != 250 {
		t.Errorf("main has %d rows, want 250", len(got))
	}
	if err := frame.ReadIceberg(tbl, frame.AtRef("nope")).Err(); err == nil {
		t.Error("unknown ref: no error")
	}
}
