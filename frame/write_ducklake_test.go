//go:build cgo

package frame_test

import (
	"context"
	"database/sql"
	"fmt"
	"path/filepath"
	"slices"
	"strconv"
	"testing"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"
	_ "github.com/jackc/pgx/v5/stdlib"
	"github.com/uptrace/bun/driver/sqliteshim"

	"lakeframe/ducklake"
	"lakeframe/ducklake/ducklaketest"
	"lakeframe/expr"
	"lakeframe/frame"
	"lakeframe/internal/pgtest"
)

// emptyLake makes a DuckLake 1.0 catalog in SQLite with schema main and
// no tables, as a fresh DuckDB ducklake catalog starts, and opens it.
func emptyLake(t *testing.T) (*ducklake.Catalog, string) {
	t.Helper()
	dir := t.TempDir()
	path := filepath.Join(dir, "lake.sqlite")
	db, err := sql.Open(sqliteshim.ShimName, "file:"+path)
	if err != nil {
		t.Fatal(err)
	}
	ducklaketest.NewEmpty(t, db, ducklake.SQLite, filepath.Join(dir, "data"))
	db.Close()
	cat, err := ducklake.OpenSQLite(context.Background(), path, ducklake.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { cat.Close() })
	return cat, filepath.Join(dir, "data")
}

// order is a row of the test table.
type order struct {
	id     int64
	region *string
	amount *float64
	paid   bool
	day    int32 // days since the epoch
}

var orderSchema = arrow.NewSchema([]arrow.Field{
	{Name: "id", Type: arrow.PrimitiveTypes.Int64, Nullable: true},
	{Name: "region", Type: arrow.BinaryTypes.String, Nullable: true},
	{Name: "amount", Type: arrow.PrimitiveTypes.Float64, Nullable: true},
	{Name: "paid", Type: arrow.FixedWidthTypes.Boolean, Nullable: true},
	{Name: "day", Type: arrow.FixedWidthTypes.Date32, Nullable: true},
}, nil)

var orderColumns = []string{"id", "region", "amount", "paid", "day"}

// makeOrders builds rows ids from..to-1 with NULLs and empty strings
// mixed in; amounts are halves, which print alike in Go and DuckDB.
func makeOrders(from, to int64) []order {
	regions := []string{"EU", "US", "", "APAC"}
	var out []order
	for i := from; i < to; i++ {
		o := order{id: i, paid: i%3 == 0, day: int32(19000 + i%40)}
		if i%7 != 0 {
			r := regions[i%4]
			o.region = &r
		}
		if i%5 != 0 {
			a := float64(i%50) + 0.5
			o.amount = &a
		}
		out = append(out, o)
	}
	return out
}

func ordersFrame(rows []order) *frame.DataFrame {
	tbl := arrowTable(orderSchema, rows, func(b *array.RecordBuilder, o order) {
		b.Field(0).(*array.Int64Builder).Append(o.id)
		if o.region == nil {
			b.Field(1).AppendNull()
		} else {
			b.Field(1).(*array.StringBuilder).Append(*o.region)
		}
		if o.amount == nil {
			b.Field(2).AppendNull()
		} else {
			b.Field(2).(*array.Float64Builder).Append(*o.amount)
		}
		b.Field(3).(*array.BooleanBuilder).Append(o.paid)
		b.Field(4).(*array.Date32Builder).Append(arrow.Date32(o.day))
	})
	return frame.FromArrow(tbl)
}

// orderLines renders rows as the expected "id|region|amount|paid|day"
// lines, from the Go values alone.
func orderLines(rows []order) []string {
	out := make([]string, len(rows))
	for i, o := range rows {
		region, amount := "NULL", "NULL"
		if o.region != nil {
			region = *o.region
		}
		if o.amount != nil {
			amount = strconv.FormatFloat(*o.amount, 'f', 1, 64)
		}
		day := arrow.Date32(o.day).ToTime().Format("2006-01-02")
		out[i] = fmt.Sprintf("%d|%s|%s|%t|%s", o.id, region, amount, o.paid, day)
	}
	slices.Sort(out)
	return out
}

// checkLake compares the table at snap as lakeframe reads it, as DuckDB
// reads its files, and as expected.
func checkLake(t *testing.T, cat *ducklake.Catalog, dataPath, table string, snap ducklake.Snapshot, want []string) {
	t.Helper()
	got := collectLines(t, frame.ReadDuckLake(cat, "main."+table, ducklake.AtSnapshot(snap.ID)))
	if !slices.Equal(got, want) {
		t.Errorf("snapshot %d: lakeframe read %d rows, want %d\n got %v\nwant %v", snap.ID, len(got), len(want), head(got), head(want))
	}
	oracle := duckLakeOracle(t, cat.DB(), dataPath, "main", table, snap.ID, orderColumns)
	if !slices.Equal(oracle, want) {
		t.Errorf("snapshot %d: duckdb read %d rows, want %d\n got %v\nwant %v", snap.ID, len(oracle), len(want), head(oracle), head(want))
	}
}

func TestWriteDuckLakeCreateAppendOverwrite(t *testing.T) {
	t.Run("sqlite", func(t *testing.T) {
		cat, dataPath := emptyLake(t)
		testWriteLifecycle(t, cat, dataPath)
	})
	t.Run("postgres", func(t *testing.T) {
		dsn := pgtest.NewDatabase(t, pgtest.Start(t))
		db, err := sql.Open("pgx", dsn)
		if err != nil {
			t.Fatal(err)
		}
		dataPath := filepath.Join(t.TempDir(), "data")
		ducklaketest.NewEmpty(t, db, ducklake.Postgres, dataPath)
		db.Close()
		cat, err := ducklake.OpenPostgres(context.Background(), dsn, ducklake.Options{})
		if err != nil {
			t.Fatal(err)
		}
		defer cat.Close()
		testWriteLifecycle(t, cat, dataPath)
	})
}

// testWriteLifecycle creates, appends to, deletes from, updates and
// overwrites a table, checking every snapshot with lakeframe and DuckDB.
func testWriteLifecycle(t *testing.T, cat *ducklake.Catalog, dataPath string) {
	ctx := context.Background()

	first := makeOrders(0, 300)
	s1, err := ordersFrame(first).WriteDuckLake(ctx, cat, "orders", frame.DuckLakeTargetFileSize(2048))
	if err != nil {
		t.Fatal(err)
	}
	checkLake(t, cat, dataPath, "orders", s1, orderLines(first))

	second := makeOrders(300, 450)
	s2, err := ordersFrame(second).WriteDuckLake(ctx, cat, "main.orders")
	if err != nil {
		t.Fatal(err)
	}
	if s2.ID != s1.ID+1 {
		t.Errorf("append made snapshot %d after %d", s2.ID, s1.ID)
	}
	checkLake(t, cat, dataPath, "orders", s2, orderLines(append(slices.Clone(first), second...)))
	// Time travel still sees the first version, by id and by time.
	checkLake(t, cat, dataPath, "orders", s1, orderLines(first))
	if got := collectLines(t, frame.ReadDuckLake(cat, "orders", ducklake.AsOf(s1.Time))); !slices.Equal(got, orderLines(first)) {
		t.Errorf("as of %s: %d rows, want the %d of snapshot %d", s1.Time, len(got), len(first), s1.ID)
	}

	// Delete, then delete again from the same files: the second delete
	// file of a data file must hold the first one's positions too.
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)
	run := frame.DuckLakeRun(frame.WithAllocator(mem))
	live := append(slices.Clone(first), second...)
	res, err := frame.DeleteDuckLake(ctx, cat, "orders", expr.Col("region").Eq("EU").And(expr.Col("amount").Gt(10.0)), run)
	if err != nil {
		t.Fatal(err)
	}
	live, n := without(live, func(o order) bool { return o.region != nil && *o.region == "EU" && o.amount != nil && *o.amount > 10 })
	if res.Rows != n || res.Snapshot.ID != s2.ID+1 {
		t.Errorf("delete: %d rows at snapshot %d, want %d at %d", res.Rows, res.Snapshot.ID, n, s2.ID+1)
	}
	checkLake(t, cat, dataPath, "orders", res.Snapshot, orderLines(live))
	res, err = frame.DeleteDuckLake(ctx, cat, "orders", expr.Col("id").Lt(int64(40)).Or(expr.Col("id").Eq(int64(420))), run)
	if err != nil {
		t.Fatal(err)
	}
	live, n = without(live, func(o order) bool { return o.id < 40 || o.id == 420 })
	if res.Rows != n {
		t.Errorf("second delete: %d rows, want %d", res.Rows, n)
	}
	sDel, atDel := res.Snapshot, orderLines(live)
	checkLake(t, cat, dataPath, "orders", sDel, atDel)

	// A delete that matches nothing commits nothing.
	res, err = frame.DeleteDuckLake(ctx, cat, "orders", expr.Col("id").Lt(int64(-1)), run)
	if err != nil || res.Rows != 0 || res.Snapshot.ID != sDel.ID {
		t.Errorf("empty delete: %+v, %v; want no rows at snapshot %d", res, err, sDel.ID)
	}

	// Update: amounts of paid orders below id 200 go up by one, their
	// region becomes "XX"; a NULL amount stays NULL.
	res, err = frame.UpdateDuckLake(ctx, cat, "orders", expr.Col("paid").Eq(true).And(expr.Col("id").Lt(int64(200))),
		map[string]any{"amount": expr.Col("amount").Add(1.0), "region": "XX"}, run)
	if err != nil {
		t.Fatal(err)
	}
	n = 0
	for i, o := range live {
		if o.paid && o.id < 200 {
			n++
			xx := "XX"
			live[i].region = &xx
			if o.amount != nil {
				a := *o.amount + 1
				live[i].amount = &a
			}
		}
	}
	if res.Rows != n {
		t.Errorf("update: %d rows, want %d", res.Rows, n)
	}
	checkLake(t, cat, dataPath, "orders", res.Snapshot, orderLines(live))
	checkLake(t, cat, dataPath, "orders", sDel, atDel)

	third := makeOrders(1000, 1010)
	s3, err := ordersFrame(third).WriteDuckLake(ctx, cat, "orders", frame.DuckLakeOverwrite())
	if err != nil {
		t.Fatal(err)
	}
	checkLake(t, cat, dataPath, "orders", s3, orderLines(third))
	checkLake(t, cat, dataPath, "orders", s2, orderLines(append(slices.Clone(first), second...)))
}

// without drops the rows drop selects and counts them.
func without[T any](rows []T, drop func(T) bool) ([]T, int64) {
	var out []T
	var n int64
	for _, r := range rows {
		if drop(r) {
			n++
			continue
		}
		out = append(out, r)
	}
	return out, n
}
