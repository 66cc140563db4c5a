//go:build cgo

package frame_test

import (
	"context"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

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

// countCase is a count(*) query and whether it must be answered from
// manifests alone.
type countCase struct {
	name     string
	df       *frame.DataFrame
	metadata bool
	want     int64 // -1: no independent answer; the two lakeframe paths must agree
}

// checkCounts runs each case twice: as written, where the physical
// planner may count from metadata, and with filter pushdown off, where
// the rows are read and filtered above the scan. Both must give the
// expected count, and Explain must say "count from iceberg metadata"
// exactly when the case expects it.
func checkCounts(t *testing.T, cases []countCase) {
	t.Helper()
	ctx := context.Background()
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			plan, err := c.df.Explain(ctx)
			if err != nil {
				t.Fatal(err)
			}
			if got := strings.Contains(plan, "count from iceberg metadata"); got != c.metadata {
				t.Errorf("answered from metadata = %v, want %v:\n%s", got, c.metadata, plan)
			}
			got := collectCount(t, c.df)
			rows := collectCount(t, c.df, frame.WithoutRules("push_down_filter"))
			if got != rows {
				t.Errorf("count = %d, but %d rows read", got, rows)
			}
			if c.want >= 0 && got != c.want {
				t.Errorf("count = %d, want %d", got, c.want)
			}
		})
	}
}

func collectCount(t *testing.T, df *frame.DataFrame, opts ...frame.Option) int64 {
	t.Helper()
	out, err := df.Collect(context.Background(), opts...)
	if err != nil {
		t.Fatal(err)
	}
	defer out.Release()
	if out.NumRows() != 1 || out.NumCols() != 1 {
		t.Fatalf("count result is %d x %d", out.NumRows(), out.NumCols())
	}
	v, err := strconv.ParseInt(out.Column(0).Data().Chunk(0).ValueStr(0), 10, 64)
	if err != nil {
		t.Fatal(err)
	}
	return v
}

// TestIcebergCountFromManifests counts rows of tables written here: one
// partitioned by identity(part) with two appends, one whose partitioning
// evolved from none to identity(part), and one with positional deletes.
// Expected counts are worked out from the generator (k in a range,
// part = k % 4).
func TestIcebergCountFromManifests(t *testing.T) {
	ctx := context.Background()
	cat, err := iceberg.OpenCatalog(ctx, "sqlite://"+filepath.Join(t.TempDir(), "catalog.db"), nil)
	if err != nil {
		t.Fatal(err)
	}
	tbl, snaps := writeCatalogTable(t, cat, [2]int{0, 100}, [2]int{100, 250})

	// evo: 40 rows written unpartitioned, then 60 under identity(part).
	evo := createCatalogTable(t, cat, "evo", false, nil)
	evo = appendCatalogRows(t, evo, 0, 40)
	tx := evo.NewTransaction()
	if err := tx.UpdateSpec(true).AddIdentity("part").Commit(); err != nil {
		t.Fatal(err)
	}
	if evo, err = tx.Commit(ctx); err != nil {
		t.Fatal(err)
	}
	evo = appendCatalogRows(t, evo, 40, 100)

	// del: 100 rows, then k < 10 deleted with positional delete files.
	del := createCatalogTable(t, cat, "del", true, ice.Properties{
		table.WriteDeleteModeKey: table.WriteModeMergeOnRead,
	})
	del = appendCatalogRows(t, del, 0, 100)
	tx = del.NewTransaction()
	if err := tx.Delete(ctx, ice.LessThan(ice.Reference("k"), int64(10)), nil); err != nil {
		t.Fatal(err)
	}
	if del, err = tx.Commit(ctx); err != nil {
		t.Fatal(err)
	}

	nulls := nullPartitionTable(t, cat)

	read := func(tbl *table.Table, opts ...frame.IcebergOption) *frame.DataFrame {
		return frame.ReadIceberg(tbl, opts...)
	}
	g := expr.Col("g")
	part := expr.Col("part")
	checkCounts(t, []countCase{
		{"all", read(tbl).Count(), true, 250},
		// part = 2: k = 2, 6, ..., 246.
		{"partition eq", read(tbl).Where(part.Eq(2)).Count(), true, 62},
		{"partition in", read(tbl).Where(part.IsIn(1, 3)).Count(), true, 125},
		{"partition range", read(tbl).Where(part.Ge(1).And(part.Lt(3))).Count(), true, 125},
		{"partition not", read(tbl).Where(part.Ne(0).Not()).Count(), true, 63},
		{"partition expression", read(tbl).Where(part.Mod(2).Eq(1)).Count(), true, 125},
		{"row filter", read(tbl).Where(expr.Col("k").Lt(50)).Count(), false, 50},
		{"partition and row filter", read(tbl).Where(part.Eq(1).And(expr.Col("k").Lt(50))).Count(), false, 13},
		{"first snapshot", read(tbl, frame.AtSnapshot(snaps[0])).Where(part.Eq(1)).Count(), true, 25},
		{"no partition matches", read(tbl).Where(part.Eq(7)).Count(), true, 0},
		{"evolved all", read(evo).Count(), true, 100},
		// The first 40 rows are in a file without a part partition value.
		{"evolved partition", read(evo).Where(part.Eq(1)).Count(), false, 25},
		{"deletes all", read(del).Count(), false, 90},
		// part = 1 and k >= 10: 25 values of k%4 = 1 below 100, less 1, 5, 9.
		{"deletes partition", read(del).Where(part.Eq(1)).Count(), false, 22},
		{"before deletes", read(del, frame.AtSnapshot(del.Metadata().Snapshots()[0].SnapshotID)).Where(part.Eq(1)).Count(), true, 25},
		// nulls: k in [0, 30), g NULL for k%3 == 0 (10 rows), else "a" for
		// odd k (10 rows) and "b" for even k (10 rows). A NULL partition
		// value fails every comparison.
		{"null partition ne", read(nulls).Where(g.Ne("a")).Count(), true, 10},
		{"null partition not eq", read(nulls).Where(g.Eq("a").Not()).Count(), true, 10},
		{"null partition is null", read(nulls).Where(g.IsNull()).Count(), true, 10},
		{"null partition not in", read(nulls).Where(g.IsIn("b").Not()).Count(), true, 10},
		{"null partition is not null", read(nulls).Where(g.IsNotNull()).Count(), true, 20},
		{"null partition or null", read(nulls).Where(g.Eq("a").Or(g.IsNull())).Count(), true, 20},
	})
}

// nullPartitionTable writes ns.nulls, partitioned by identity(g): k in
// [0, 30), g NULL when k%3 == 0, "a" for the other odd k, "b" for the
// other even k.
func nullPartitionTable(t *testing.T, cat catalog.Catalog) *table.Table {
	t.Helper()
	ctx := context.Background()
	sch := ice.NewSchema(0,
		ice.NestedField{ID: 1, Name: "k", Type: ice.PrimitiveTypes.Int64},
		ice.NestedField{ID: 2, Name: "g", Type: ice.PrimitiveTypes.String},
	)
	spec := ice.NewPartitionSpec(ice.PartitionField{SourceIDs: []int{2}, FieldID: 1000, Name: "g", Transform: ice.IdentityTransform{}})
	tbl, err := cat.CreateTable(ctx, table.Identifier{"ns", "nulls"}, sch, catalog.WithPartitionSpec(&spec))
	if err != nil {
		t.Fatal(err)
	}
	asch, err := table.SchemaToArrowSchema(sch, nil, false, false)
	if err != nil {
		t.Fatal(err)
	}
	b := array.NewRecordBuilder(memory.DefaultAllocator, asch)
	defer b.Release()
	for k := range 30 {
		b.Field(0).(*array.Int64Builder).Append(int64(k))
		switch {
		case k%3 == 0:
			b.Field(1).AppendNull()
		case k%2 == 1:
			b.Field(1).(*array.StringBuilder).Append("a")
		default:
			b.Field(1).(*array.StringBuilder).Append("b")
		}
	}
	rec := b.NewRecordBatch()
	defer rec.Release()
	rdr, err := array.NewRecordReader(asch, []arrow.RecordBatch{rec})
	if err != nil {
		t.Fatal(err)
	}
	defer rdr.Release()
	if tbl, err = tbl.Append(ctx, rdr, nil); err != nil {
		t.Fatal(err)
	}
	return tbl
}

// TestIcebergCountSharedTables counts rows of the shared tables written
// by Spark and Impala. A case's count is the one its engine's test suite
// expects when the case has the same filter; otherwise the count from
// metadata is checked against the rows read.
func TestIcebergCountSharedTables(t *testing.T) {
	root, tabs := loadIcebergCases(t)
	byName := map[string]*icebergTable{}
	for i := range tabs {
		byName[tabs[i].Name] = &tabs[i]
	}
	date := func(y, m, d int) time.Time { return time.Date(y, time.Month(m), d, 0, 0, 0, 0, time.UTC) }
	shared := []struct {
		name, table, caseID string
		pred                []expr.Expr
		metadata            bool
		// caseCount: the case's count (or, for a row case, its number of
		// expected rows) applies.
		caseCount bool
	}{
		{"partition_integer all", "duckdb-iceberg/partition_integer", "count", nil, true, true},
		{"partition_integer partition", "duckdb-iceberg/partition_integer", "filter_partition_col",
			[]expr.Expr{expr.Col("partition_col").Eq(42)}, true, true},
		{"decimal partition", "duckdb-iceberg/partition_decimal_hugeint", "filter_negative",
			[]expr.Expr{expr.Col("partition_col").Lt(0)}, true, true},
		{"timestamptz partition", "duckdb-iceberg/partition_timestamptz", "filter_partition_col",
			[]expr.Expr{expr.Col("partition_col").Eq(time.Date(2023, 5, 15, 14, 30, 45, 0, time.UTC))}, true, true},
		{"partition_integer row filter", "duckdb-iceberg/partition_integer", "count",
			[]expr.Expr{expr.Col("user_id").Gt(0)}, false, false},
		{"hive all", "duckdb-iceberg/hive_partitioned_table", "count", nil, true, true},
		{"hive event_date in both specs", "duckdb-iceberg/hive_partitioned_table", "count",
			[]expr.Expr{expr.Col("event_date").Eq(date(2024, 1, 2))}, true, false},
		// The first snapshot's files were written under a spec without
		// event_type.
		{"hive event_type in one spec", "duckdb-iceberg/hive_partitioned_table", "count",
			[]expr.Expr{expr.Col("event_type").Eq("view")}, false, false},
		{"impala partitioned all", "impala/iceberg_partitioned", "count", nil, true, true},
		{"impala partitioned action ne", "impala/iceberg_partitioned", "count_action_ne_click",
			[]expr.Expr{expr.Col("action").Ne("click")}, true, true},
		{"impala partitioned action like", "impala/iceberg_partitioned", "count_action_like_c",
			[]expr.Expr{expr.Col("action").Str().StartsWith("c")}, true, true},
		{"impala partitioned id", "impala/iceberg_partitioned", "count_id_gt_10",
			[]expr.Expr{expr.Col("id").Gt(10)}, false, true},
		// hour(event_time) is not an identity partition.
		{"impala partitioned hour", "impala/iceberg_partitioned", "count",
			[]expr.Expr{expr.Col("event_time").Gt(time.Date(2020, 1, 1, 9, 0, 0, 0, time.UTC))}, false, false},
		{"lineitem current", "duckdb-iceberg-old/lineitem_iceberg", "count_current", nil, true, true},
		{"lineitem snapshot 1", "duckdb-iceberg-old/lineitem_iceberg", "count_snapshot1", nil, true, true},
		{"lineitem as of", "duckdb-iceberg-old/lineitem_iceberg", "count_asof_ts_3", nil, true, true},
		{"unpartitioned v1", "duckdb-iceberg-old/generated_spec1_0_001", "count", nil, true, true},
		{"positional deletes", "impala/iceberg_v2_delete_positional", "count", nil, false, true},
		{"positional deletes, snapshot before", "impala/iceberg_v2_delete_positional", "count_snapshot1", nil, true, true},
		{"equality deletes", "impala/iceberg_v2_delete_equality", "count", nil, false, true},
		{"equality deletes, spark", "duckdb-iceberg/equality_deletes_mytable", "count", nil, false, true},
		{"spec2 positional deletes", "duckdb-iceberg-old/generated_spec2_0_001", "count", nil, false, true},
		{"multiblock deletes", "impala/iceberg_lineitem_multiblock", "count", nil, false, true},
	}
	var cases []countCase
	for _, sc := range shared {
		tab := byName[sc.table]
		if tab == nil {
			t.Fatalf("no table %s in iceberg_cases.json", sc.table)
		}
		var c *icebergCase
		for i := range tab.Cases {
			if tab.Cases[i].ID == sc.caseID {
				c = &tab.Cases[i]
			}
		}
		if c == nil {
			t.Fatalf("no case %s/%s", sc.table, sc.caseID)
		}
		count := c.Expected.Count
		if count == nil {
			count = c.RowCount
		}
		if sc.caseCount && count == nil {
			t.Fatalf("case %s/%s has no count", sc.table, sc.caseID)
		}
		metadata := tab.Metadata
		if c.Metadata != "" {
			metadata = c.Metadata
		}
		tbl, err := openCaseTable(t, root, tab, metadata)
		if err != nil {
			t.Fatal(err)
		}
		df := frame.ReadIceberg(tbl, caseOptions(c)...)
		for _, p := range sc.pred {
			df = df.Where(p)
		}
		want := int64(-1)
		if sc.caseCount {
			want = *count
		}
		cases = append(cases, countCase{sc.name, df.Count(), sc.metadata, want})
	}
	checkCounts(t, cases)
}
