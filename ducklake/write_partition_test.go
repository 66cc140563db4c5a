package ducklake_test

import (
	"context"
	"maps"
	"slices"
	"strconv"
	"testing"
	"time"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"

	"lakeframe/ducklake"
	"lakeframe/expr"
	"lakeframe/plan"
)

// TestPartitionedSales appends to, deletes from and updates main.sales,
// partitioned by identity(region) and year(day), and compares each new
// snapshot with the reference model's rows changed in plain Go. The new
// files must carry partition values that prune.
func TestPartitionedSales(t *testing.T) {
	ctx := context.Background()
	path, lake := sqliteLake(t)
	cat := openLake(t, path)
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)
	opts := ducklake.WriteOptions{Mem: mem}
	cols := lake.Sales.Columns(lake.Latest)
	rows := lake.Sales.Rows(lake.Latest)
	check := func(snap ducklake.Snapshot, want []map[string]string) {
		t.Helper()
		checkModel(t, cat, "main.sales", cols, snap, want)
	}

	schema := arrow.NewSchema([]arrow.Field{
		{Name: "region", Type: arrow.BinaryTypes.String, Nullable: true},
		{Name: "day", Type: arrow.FixedWidthTypes.Date32, Nullable: true},
		{Name: "amount", Type: arrow.PrimitiveTypes.Int64, Nullable: true},
	}, nil)
	b := array.NewRecordBuilder(mem, schema)
	regions := []string{"ASIA", "EU", "US"}
	for i := range 60 {
		day := arrow.Date32FromTime(time.Date(2022+i%4, time.Month(i%12+1), i%28+1, 0, 0, 0, 0, time.UTC))
		row := map[string]string{"day": day.FormattedString(), "amount": strconv.Itoa(1000 + i)}
		if i%10 == 9 {
			b.Field(0).AppendNull()
			row["region"] = "NULL"
		} else {
			b.Field(0).(*array.StringBuilder).Append(regions[i%3])
			row["region"] = regions[i%3]
		}
		b.Field(1).(*array.Date32Builder).Append(day)
		b.Field(2).(*array.Int64Builder).Append(int64(1000 + i))
		rows = append(rows, row)
	}
	rec := b.NewRecordBatch()
	b.Release()
	snap, err := cat.Write(ctx, "sales", schema, func(yield func(arrow.RecordBatch, error) bool) { yield(rec, nil) }, opts)
	if err != nil {
		t.Fatal(err)
	}
	check(snap, rows)
	// Only the new ASIA files of 2025 can hold these rows; every new file
	// has one region and one year.
	src := source(t, cat, "main.sales")
	day2025 := time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)
	got, st := scanAll(t, src, plan.Pushdown{Limit: -1, Filters: resolve(t, src, expr.Col("region").Eq("ASIA"), expr.Col("day").Ge(day2025))})
	if st.FilesKept != 1 {
		t.Errorf("region = ASIA and day >= 2025-01-01 kept %d of %d files, want 1", st.FilesKept, st.FilesTotal)
	}
	var want int
	for _, r := range rows {
		if r["region"] == "ASIA" && r["day"] >= "2025" {
			want++
		}
	}
	if len(got) != want {
		t.Errorf("ASIA 2025 files read %d rows, want %d", len(got), want)
	}

	res, err := cat.DeleteRows(ctx, "sales", expr.Col("region").Eq("EU"), opts)
	if err != nil {
		t.Fatal(err)
	}
	before := len(rows)
	rows = slices.DeleteFunc(rows, func(r map[string]string) bool { return r["region"] == "EU" })
	if res.Rows != int64(before-len(rows)) {
		t.Errorf("delete: %d rows, want %d", res.Rows, before-len(rows))
	}
	check(res.Snapshot, rows)

	// Moving rows to another region moves them to that partition.
	res, err = cat.UpdateRows(ctx, "sales", expr.Col("region").IsNull(), map[string]any{"region": "ASIA"}, opts)
	if err != nil {
		t.Fatal(err)
	}
	var n int64
	for i, r := range rows {
		if r["region"] == "NULL" {
			r = maps.Clone(r)
			r["region"] = "ASIA"
			rows[i] = r
			n++
		}
	}
	if res.Rows != n || n == 0 {
		t.Errorf("update: %d rows, want %d", res.Rows, n)
	}
	check(res.Snapshot, rows)
	got, _ = scanAll(t, source(t, cat, "main.sales"), plan.Pushdown{Limit: -1, Filters: resolve(t, src, expr.Col("region").IsNull())})
	if len(got) != 0 {
		t.Errorf("%d rows with a NULL region after the update: %v", len(got), got)
	}
	var asia int
	for _, r := range rows {
		if r["region"] == "ASIA" {
			asia++
		}
	}
	got, _ = scanAll(t, source(t, cat, "main.sales"), plan.Pushdown{Limit: -1, Filters: resolve(t, src, expr.Col("region").Eq("ASIA"))})
	if len(got) < asia {
		t.Errorf("pruning by region = ASIA read %d rows, want at least %d", len(got), asia)
	}
}
