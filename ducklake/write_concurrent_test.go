package ducklake_test

import (
	"context"
	"database/sql"
	"fmt"
	"iter"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"
	_ "github.com/jackc/pgx/v5/stdlib"

	"lakeframe/ducklake"
	"lakeframe/ducklake/ducklaketest"
	"lakeframe/expr"
	"lakeframe/internal/pgtest"
	"lakeframe/plan"
)

var writerSchema = arrow.NewSchema([]arrow.Field{
	{Name: "id", Type: arrow.PrimitiveTypes.Int64, Nullable: true},
	{Name: "writer", Type: arrow.BinaryTypes.String, Nullable: true},
}, nil)

// writerRows yields one batch of ids lo..hi-1 tagged with writer.
func writerRows(mem memory.Allocator, writer string, lo, hi int64) iter.Seq2[arrow.RecordBatch, error] {
	return func(yield func(arrow.RecordBatch, error) bool) {
		b := array.NewRecordBuilder(mem, writerSchema)
		defer b.Release()
		for i := lo; i < hi; i++ {
			b.Field(0).(*array.Int64Builder).Append(i)
			b.Field(1).(*array.StringBuilder).Append(writer)
		}
		yield(b.NewRecordBatch(), nil)
	}
}

// testConcurrentAppends has 4 writers append 5 times each to a table none
// of them has created yet: one creates it, the others find it at their
// retry and append. Every append must land exactly once, each in its own
// snapshot, with no file written twice.
func testConcurrentAppends(t *testing.T, cat *ducklake.Catalog, dataDir string) {
	ctx := context.Background()
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)
	const writers, appends, rows = 4, 5, 10
	before, err := cat.Snapshots(ctx)
	if err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	errc := make(chan error, writers*appends)
	for w := range writers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for a := range appends {
				lo := int64(w*1000 + a*rows)
				_, err := cat.Write(ctx, "main.events", writerSchema, writerRows(mem, fmt.Sprint("w", w), lo, lo+rows),
					ducklake.WriteOptions{Mem: mem, MaxRetries: 50})
				if err != nil {
					errc <- fmt.Errorf("writer %d append %d: %w", w, a, err)
				}
			}
		}()
	}
	wg.Wait()
	close(errc)
	for err := range errc {
		t.Error(err)
	}
	var want []string
	for w := range writers {
		for a := range appends {
			for k := range rows {
				want = append(want, fmt.Sprintf("%d|w%d", w*1000+a*rows+k, w))
			}
		}
	}
	slices.Sort(want)
	got, _ := scanAll(t, source(t, cat, "main.events"), plan.Pushdown{Limit: -1})
	if !slices.Equal(got, want) {
		t.Errorf("read %d rows, want %d: %s", len(got), len(want), firstDiff(got, want))
	}
	after, err := cat.Snapshots(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if n := len(after) - len(before); n != writers*appends {
		t.Errorf("%d new snapshots, want %d", n, writers*appends)
	}
	// Each snapshot adds one append's rows: reading them in order grows
	// the table by exactly one batch of rows each time.
	for i, s := range after[len(before):] {
		got, _ := scanAll(t, source(t, cat, "main.events", ducklake.AtSnapshot(s.ID)), plan.Pushdown{Limit: -1})
		if len(got) != (i+1)*rows {
			t.Errorf("snapshot %d holds %d rows, want %d", s.ID, len(got), (i+1)*rows)
		}
	}
	var files []string
	err = filepath.WalkDir(dataDir, func(p string, d os.DirEntry, err error) error {
		if err == nil && !d.IsDir() && strings.HasSuffix(p, ".parquet") {
			files = append(files, p)
		}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(files) != writers*appends {
		t.Errorf("%d data files on disk, want %d (one per append; lost attempts must not leave files)", len(files), writers*appends)
	}
	var records, fileIDs, maxNext int64
	db := cat.DB()
	q := func(s string) string {
		if cat.Dialect() == ducklake.Postgres {
			return strings.ReplaceAll(s, "?", "$1")
		}
		return s
	}
	tableID := int64(-1)
	if err := db.QueryRow(`SELECT table_id FROM ducklake_table WHERE table_name = 'events'`).Scan(&tableID); err != nil {
		t.Fatal(err)
	}
	if err := db.QueryRow(q(`SELECT record_count FROM ducklake_table_stats WHERE table_id = ?`), tableID).Scan(&records); err != nil {
		t.Fatal(err)
	}
	if err := db.QueryRow(`SELECT count(DISTINCT data_file_id), (SELECT max(next_file_id) FROM ducklake_snapshot) FROM ducklake_data_file`).Scan(&fileIDs, &maxNext); err != nil {
		t.Fatal(err)
	}
	if records != writers*appends*rows || fileIDs != writers*appends {
		t.Errorf("table stats say %d rows, %d data file ids; want %d and %d", records, fileIDs, writers*appends*rows, writers*appends)
	}
	if maxNext < fileIDs {
		t.Errorf("next_file_id %d is below the %d file ids handed out", maxNext, fileIDs)
	}
}

// testConcurrentDeletes has the 4 writers each delete the first 25 rows
// they appended, at once: a delete that finds another committed first
// recomputes its positions on the new snapshot, so all land.
func testConcurrentDeletes(t *testing.T, cat *ducklake.Catalog) {
	ctx := context.Background()
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)
	before, _ := scanAll(t, source(t, cat, "main.events"), plan.Pushdown{Limit: -1})
	var wg sync.WaitGroup
	errc := make(chan error, 4)
	for w := range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			lo := int64(w * 1000)
			res, err := cat.DeleteRows(ctx, "events", expr.Col("id").Ge(lo).And(expr.Col("id").Lt(lo+25)),
				ducklake.WriteOptions{Mem: mem, MaxRetries: 50})
			if err == nil && res.Rows != 25 {
				err = fmt.Errorf("deleted %d rows, want 25", res.Rows)
			}
			if err != nil {
				errc <- fmt.Errorf("writer %d: %w", w, err)
			}
		}()
	}
	wg.Wait()
	close(errc)
	for err := range errc {
		t.Error(err)
	}
	var want []string
	for _, line := range before {
		id, _, _ := strings.Cut(line, "|")
		var n int64
		fmt.Sscan(id, &n)
		if n%1000 >= 25 {
			want = append(want, line)
		}
	}
	got, _ := scanAll(t, source(t, cat, "main.events"), plan.Pushdown{Limit: -1})
	if !slices.Equal(got, want) {
		t.Errorf("after concurrent deletes: %d rows, want %d: %s", len(got), len(want), firstDiff(got, want))
	}
}

func TestConcurrentAppendsSQLite(t *testing.T) {
	_, path, _ := bareLake(t)
	cat := openLake(t, path)
	testConcurrentAppends(t, cat, filepath.Join(filepath.Dir(path), "data"))
	testConcurrentDeletes(t, cat)
}

func TestConcurrentAppendsPostgres(t *testing.T) {
	dsn := pgtest.NewDatabase(t, pgtest.Start(t))
	db, err := sql.Open("pgx", dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	dataDir := filepath.Join(t.TempDir(), "data")
	ducklaketest.NewEmpty(t, db, ducklake.Postgres, dataDir)
	cat, err := ducklake.OpenPostgres(context.Background(), dsn, ducklake.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer cat.Close()
	testConcurrentAppends(t, cat, dataDir)
	testConcurrentDeletes(t, cat)
}
