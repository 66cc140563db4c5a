package ducklake_test

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"

	"lakeframe/ducklake"
	"lakeframe/ducklake/ducklaketest"
	"lakeframe/errs"
	"lakeframe/expr"
	"lakeframe/plan"
)

// TestChangeEvolvedTable deletes, updates and appends on main.events,
// whose columns were renamed, dropped, promoted and added with a default,
// whose files have delete files and a deletion kept in the catalog, and
// compares each new snapshot with the reference model's rows changed in
// plain Go.
func TestChangeEvolvedTable(t *testing.T) {
	ctx := context.Background()
	path, lake := sqliteLake(t)
	cat := openLake(t, path)
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)
	opts := ducklake.WriteOptions{Mem: mem}
	cols := lake.Events.Columns(lake.Latest)
	rows := lake.Events.Rows(lake.Latest)
	id := func(r map[string]string) int64 {
		n, err := strconv.ParseInt(r["id"], 10, 64)
		if err != nil {
			t.Fatal(err)
		}
		return n
	}
	check := func(snap ducklake.Snapshot, want []map[string]string) {
		t.Helper()
		checkModel(t, cat, "main.events", cols, snap, want)
	}

	// Ids 95..214 span files A, B (with a catalog-kept deletion) and C.
	res, err := cat.DeleteRows(ctx, "events", expr.Col("id").Ge(int64(95)).And(expr.Col("id").Lt(int64(215))), opts)
	if err != nil {
		t.Fatal(err)
	}
	before := len(rows)
	rows = slices.DeleteFunc(rows, func(r map[string]string) bool { return id(r) >= 95 && id(r) < 215 })
	if res.Rows != int64(before-len(rows)) || res.Snapshot.ID != lake.Latest+1 {
		t.Errorf("delete: %d rows at snapshot %d, want %d at %d", res.Rows, res.Snapshot.ID, before-len(rows), lake.Latest+1)
	}
	check(res.Snapshot, rows)

	// label is NULL for some rows; a NULL condition row is left alone.
	res, err = cat.UpdateRows(ctx, "events", expr.Col("label").IsNull().Or(expr.Col("id").Gt(int64(240))),
		map[string]any{"extra": "changed", "amount": expr.Col("amount").Mul(int64(2))}, opts)
	if err != nil {
		t.Fatal(err)
	}
	var n int64
	for i, r := range rows {
		if r["label"] == "NULL" || id(r) > 240 {
			n++
			r = maps.Clone(r)
			r["extra"] = "changed"
			if r["amount"] != "NULL" {
				a, _ := strconv.ParseInt(r["amount"], 10, 64)
				r["amount"] = strconv.FormatInt(a*2, 10)
			}
			rows[i] = r
		}
	}
	if res.Rows != n || n == 0 {
		t.Errorf("update: %d rows, want %d", res.Rows, n)
	}
	check(res.Snapshot, rows)

	// An append in another column order, with an int32 amount cast to the
	// table's int64.
	schema := arrow.NewSchema([]arrow.Field{
		{Name: "extra", Type: arrow.BinaryTypes.String, Nullable: true},
		{Name: "amount", Type: arrow.PrimitiveTypes.Int32, Nullable: true},
		{Name: "LABEL", Type: arrow.BinaryTypes.String, Nullable: true},
		{Name: "id", Type: arrow.PrimitiveTypes.Int64, Nullable: true},
	}, nil)
	b := array.NewRecordBuilder(mem, schema)
	for i := int64(0); i < 5; i++ {
		b.Field(0).(*array.StringBuilder).Append("new")
		b.Field(1).(*array.Int32Builder).Append(int32(i * 10))
		b.Field(2).AppendNull()
		b.Field(3).(*array.Int64Builder).Append(9000 + i)
		rows = append(rows, map[string]string{"id": fmt.Sprint(9000 + i), "label": "NULL", "amount": fmt.Sprint(i * 10), "extra": "new"})
	}
	rec := b.NewRecordBatch()
	b.Release()
	snap, err := cat.Write(ctx, "events", schema, func(yield func(arrow.RecordBatch, error) bool) { yield(rec, nil) }, opts)
	if err != nil {
		t.Fatal(err)
	}
	check(snap, rows)
	// Earlier snapshots read as before.
	old := ducklake.Snapshot{ID: lake.Latest}
	check(old, lake.Events.Rows(lake.Latest))
}

// checkModel compares a table at snap with reference rows.
func checkModel(t *testing.T, cat *ducklake.Catalog, table string, cols []string, snap ducklake.Snapshot, want []map[string]string) {
	t.Helper()
	got, _ := scanAll(t, source(t, cat, table, ducklake.AtSnapshot(snap.ID)), plan.Pushdown{Limit: -1})
	if w := ducklaketest.Lines(want, cols); !slices.Equal(got, w) {
		t.Errorf("%s at snapshot %d: %d rows, want %d\n%s", table, snap.ID, len(got), len(w), firstDiff(got, w))
	}
}

// TestWriteErrors checks that mistakes fail before anything is written,
// as plan errors that name what is wrong and what exists, and that
// unsupported tables fail as not implemented.
func TestWriteErrors(t *testing.T) {
	ctx := context.Background()
	path, _ := sqliteLake(t)
	cat := openLake(t, path)
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)
	opts := ducklake.WriteOptions{Mem: mem}
	ids := func(name string, typ arrow.DataType) (*arrow.Schema, func(func(arrow.RecordBatch, error) bool)) {
		s := arrow.NewSchema([]arrow.Field{{Name: name, Type: typ, Nullable: true}}, nil)
		return s, func(yield func(arrow.RecordBatch, error) bool) {
			b := array.NewRecordBuilder(mem, s)
			defer b.Release()
			b.Field(0).AppendNull()
			yield(b.NewRecordBatch(), nil)
		}
	}
	snapsBefore, err := cat.Snapshots(ctx)
	if err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		name string
		run  func() error
		kind error
		says []string
	}{
		{"missing columns", func() error {
			s, r := ids("id", arrow.PrimitiveTypes.Int64)
			_, err := cat.Write(ctx, "events", s, r, opts)
			return err
		}, errs.ErrPlan, []string{"main.events", "missing label, amount, extra"}},
		{"extra column", func() error {
			s, r := ids("nope", arrow.PrimitiveTypes.Int64)
			_, err := cat.Write(ctx, "small", s, r, opts)
			return err
		}, errs.ErrPlan, []string{"not in the table: nope"}},
		{"no such schema", func() error {
			s, r := ids("id", arrow.PrimitiveTypes.Int64)
			_, err := cat.Write(ctx, "nope.t", s, r, opts)
			return err
		}, errs.ErrPlan, []string{`schema "nope" does not exist`, "schemas: main"}},
		{"unwritable type", func() error {
			s, r := ids("l", arrow.ListOf(arrow.FixedWidthTypes.MonthDayNanoInterval))
			_, err := cat.Write(ctx, "lists", s, r, opts)
			return err
		}, errs.ErrNotImplemented, []string{"column l", "month_day_nano_interval"}},
		{"partition by unknown column", func() error {
			s, r := ids("a", arrow.PrimitiveTypes.Int64)
			_, err := cat.Write(ctx, "newtable", s, r, ducklake.WriteOptions{Mem: mem, PartitionBy: []ducklake.PartitionKey{{Column: "b"}}})
			return err
		}, errs.ErrPlan, []string{`by "b"`, "a int64"}},
		{"hour of a string", func() error {
			s, r := ids("a", arrow.BinaryTypes.String)
			_, err := cat.Write(ctx, "newtable", s, r, ducklake.WriteOptions{Mem: mem, PartitionBy: []ducklake.PartitionKey{{Column: "a", Transform: "hour"}}})
			return err
		}, errs.ErrNotImplemented, []string{"hour(a)", "varchar"}},
		{"other partitioning", func() error {
			s, r := ids("region", arrow.BinaryTypes.String)
			_, err := cat.Write(ctx, "sales", s, r, ducklake.WriteOptions{Mem: mem, PartitionBy: []ducklake.PartitionKey{{Column: "region"}}})
			return err
		}, errs.ErrPlan, []string{"main.sales exists, partitioned by identity(column 1), year(column 2)"}},
		{"delete unknown column", func() error {
			_, err := cat.DeleteRows(ctx, "events", expr.Col("nope").Eq(1), opts)
			return err
		}, errs.ErrPlan, []string{"nope"}},
		{"delete non-boolean", func() error {
			_, err := cat.DeleteRows(ctx, "events", expr.Col("id"), opts)
			return err
		}, errs.ErrPlan, []string{"not boolean"}},
		{"delete from missing table", func() error {
			_, err := cat.DeleteRows(ctx, "nope", expr.Lit(true), opts)
			return err
		}, errs.ErrPlan, []string{`"nope" does not exist`, "main.events"}},
		{"update unknown column", func() error {
			_, err := cat.UpdateRows(ctx, "events", expr.Lit(true), map[string]any{"nope": 1}, opts)
			return err
		}, errs.ErrPlan, []string{"nope"}},
		{"update nothing", func() error {
			_, err := cat.UpdateRows(ctx, "events", expr.Lit(true), nil, opts)
			return err
		}, errs.ErrPlan, []string{"no column to set"}},
		{"delete inlined rows", func() error {
			_, err := cat.DeleteRows(ctx, "small", expr.Lit(true), opts)
			return err
		}, errs.ErrNotImplemented, []string{"main.small", "inlining"}},
	}
	for _, c := range cases {
		err := c.run()
		if !errors.Is(err, c.kind) {
			t.Errorf("%s: %v, want %v", c.name, err, c.kind)
			continue
		}
		for _, s := range c.says {
			if !strings.Contains(err.Error(), s) {
				t.Errorf("%s: %q does not say %q", c.name, err, s)
			}
		}
	}
	snapsAfter, err := cat.Snapshots(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(snapsAfter) != len(snapsBefore) {
		t.Errorf("failed changes committed %d snapshots", len(snapsAfter)-len(snapsBefore))
	}
}

// TestFailedCommitRemovesFiles breaks the catalog so that the commit
// fails after the data files are written: the files must be gone and no
// snapshot added.
func TestFailedCommitRemovesFiles(t *testing.T) {
	ctx := context.Background()
	_, path, db := bareLake(t)
	cat := openLake(t, path)
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)
	if _, err := db.Exec(`DROP TABLE ducklake_file_column_stats`); err != nil {
		t.Fatal(err)
	}
	_, err := cat.Write(ctx, "t", writerSchema, writerRows(mem, "w", 0, 100), ducklake.WriteOptions{Mem: mem})
	if err == nil || !errors.Is(err, errs.ErrExec) {
		t.Fatalf("write into a broken catalog: %v", err)
	}
	dir := filepath.Join(filepath.Dir(path), "data", "main", "t")
	entries, _ := os.ReadDir(dir)
	if len(entries) != 0 {
		t.Errorf("%d files left in %s after a failed commit", len(entries), dir)
	}
	snaps, err := cat.Snapshots(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(snaps) != 1 {
		t.Errorf("%d snapshots after a failed commit, want 1", len(snaps))
	}
	if _, err := cat.Table(ctx, "t"); !errors.Is(err, errs.ErrPlan) {
		t.Errorf("the table of a failed create exists: %v", err)
	}
}

// TestReadOnlyVersion: catalogs of version 0.2 are read, not written.
func TestReadOnlyVersion(t *testing.T) {
	_, path, db := bareLake(t)
	if _, err := db.Exec(`UPDATE ducklake_metadata SET value = '0.2' WHERE key = 'version'`); err != nil {
		t.Fatal(err)
	}
	cat := openLake(t, path)
	mem := memory.NewGoAllocator()
	_, err := cat.Write(context.Background(), "t", writerSchema, writerRows(mem, "w", 0, 1), ducklake.WriteOptions{})
	if !errors.Is(err, errs.ErrNotImplemented) || !strings.Contains(err.Error(), `"0.2"`) {
		t.Errorf("write to a 0.2 catalog: %v", err)
	}
}

// TestEmptyWrites: creating a table from no rows makes the table; an
// append of no rows commits nothing; an overwrite with no rows empties
// the table in a new snapshot.
func TestEmptyWrites(t *testing.T) {
	ctx := context.Background()
	_, path, _ := bareLake(t)
	cat := openLake(t, path)
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)
	none := func(func(arrow.RecordBatch, error) bool) {}
	created, err := cat.Write(ctx, "e", writerSchema, none, ducklake.WriteOptions{Mem: mem})
	if err != nil {
		t.Fatal(err)
	}
	src := source(t, cat, "main.e")
	if got := fieldNames(src.Schema()); !slices.Equal(got, []string{"id", "writer"}) || src.Table().Snapshot.ID != created.ID {
		t.Errorf("created table has columns %v at snapshot %d, want id, writer at %d", got, src.Table().Snapshot.ID, created.ID)
	}
	filled, err := cat.Write(ctx, "e", writerSchema, writerRows(mem, "w", 0, 10), ducklake.WriteOptions{Mem: mem})
	if err != nil {
		t.Fatal(err)
	}
	// Setting NULL: a nil literal takes the column's type.
	res, err := cat.UpdateRows(ctx, "e", expr.Col("id").Lt(int64(3)), map[string]any{"writer": nil}, ducklake.WriteOptions{Mem: mem})
	if err != nil || res.Rows != 3 {
		t.Fatalf("update to NULL: %+v, %v", res, err)
	}
	got, _ := scanAll(t, source(t, cat, "main.e"), plan.Pushdown{Limit: -1, Filters: resolve(t, src, expr.Col("writer").IsNull())})
	if !slices.Equal(got, []string{"0|NULL", "1|NULL", "2|NULL"}) {
		t.Errorf("rows set to NULL: %v", got)
	}
	filled = res.Snapshot
	again, err := cat.Write(ctx, "e", writerSchema, none, ducklake.WriteOptions{Mem: mem})
	if err != nil || again.ID != filled.ID {
		t.Errorf("an empty append made snapshot %d (%v), want none after %d", again.ID, err, filled.ID)
	}
	emptied, err := cat.Write(ctx, "e", writerSchema, none, ducklake.WriteOptions{Mem: mem, Mode: ducklake.Overwrite})
	if err != nil || emptied.ID != filled.ID+1 {
		t.Fatalf("an empty overwrite made snapshot %d (%v), want %d", emptied.ID, err, filled.ID+1)
	}
	if got, _ := scanAll(t, source(t, cat, "main.e"), plan.Pushdown{Limit: -1}); len(got) != 0 {
		t.Errorf("after an empty overwrite the table has %d rows", len(got))
	}
	if got, _ := scanAll(t, source(t, cat, "main.e", ducklake.AtSnapshot(filled.ID)), plan.Pushdown{Limit: -1}); len(got) != 10 {
		t.Errorf("before the overwrite the table had %d rows, want 10", len(got))
	}
}

// TestCanceledWrite cancels a write after its first file: the error says
// so, the files are removed and no snapshot is added.
func TestCanceledWrite(t *testing.T) {
	_, path, _ := bareLake(t)
	cat := openLake(t, path)
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	rows := func(yield func(arrow.RecordBatch, error) bool) {
		for i := range int64(5) {
			if i == 2 {
				cancel()
			}
			for rec, err := range writerRows(mem, "w", i*100, i*100+100) {
				if !yield(rec, err) {
					return
				}
			}
		}
	}
	_, err := cat.Write(ctx, "c", writerSchema, rows, ducklake.WriteOptions{Mem: mem, TargetFileSize: 1})
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("canceled write: %v", err)
	}
	entries, _ := os.ReadDir(filepath.Join(filepath.Dir(path), "data", "main", "c"))
	if len(entries) != 0 {
		t.Errorf("%d files left after a canceled write", len(entries))
	}
	snaps, err := cat.Snapshots(context.Background())
	if err != nil || len(snaps) != 1 {
		t.Errorf("%d snapshots after a canceled write (%v), want 1", len(snaps), err)
	}
}
