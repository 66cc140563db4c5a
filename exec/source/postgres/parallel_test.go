package postgres

import (
	"context"
	"errors"
	"io"
	"strings"
	"testing"
	"time"

	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"
	"github.com/jackc/pgx/v5"

	"lakeframe/errs"
	"lakeframe/exec"
	"lakeframe/expr"
	"lakeframe/plan"
)

const bigRows = 200_000

func bigTable(t *testing.T) (string, *pgx.Conn) {
	dsn, conn := newDatabase(t)
	mustExec(t, conn, `CREATE TABLE big (id int8, v text)`)
	mustExec(t, conn, `INSERT INTO big SELECT g, 'value ' || g FROM generate_series(1, 200000) g`)
	mustExec(t, conn, `VACUUM ANALYZE big`)
	return dsn, conn
}

// readTask reads one opened task to the end, adding every id to seen.
func readTask(t *testing.T, st exec.Stream, seen map[int64]int) {
	t.Helper()
	defer st.Close()
	for {
		rec, err := st.Next(context.Background())
		if err == io.EOF {
			return
		}
		if err != nil {
			t.Fatal(err)
		}
		ids := rec.Column(0).(*array.Int64)
		for i := range ids.Len() {
			seen[ids.Value(i)]++
		}
		rec.Release()
	}
}

// TestParallelTasksReadOneSnapshot splits a table into page ranges and
// changes the table after the first task has started: every task must
// still read the table as it was, each row exactly once.
func TestParallelTasksReadOneSnapshot(t *testing.T) {
	dsn, conn := bigTable(t)
	ctx := context.Background()
	src, err := NewSource(ctx, dsn, "big", Options{Parallelism: 4, PagesPerTask: 8})
	if err != nil {
		t.Fatal(err)
	}
	sp, err := src.Plan(ctx, plan.Pushdown{Columns: []string{"id"}, Limit: -1})
	if err != nil {
		t.Fatal(err)
	}
	if len(sp.Tasks) != 4 {
		t.Fatalf("%d tasks, want 4", len(sp.Tasks))
	}
	if sql := sp.Tasks[1].(*Task).SQL; !strings.Contains(sql, "ctid >= '(") || !strings.Contains(sql, "ctid < '(") {
		t.Errorf("a middle task reads %s, want a ctid range", sql)
	}
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)
	tc := &exec.TaskContext{Mem: mem, BatchSize: 10_000}
	seen := map[int64]int{}
	first, err := src.Open(ctx, tc, sp.Tasks[0])
	if err != nil {
		t.Fatal(err)
	}
	// Committed after the snapshot was taken: no task may see it.
	mustExec(t, conn, `DELETE FROM big WHERE id % 2 = 0`)
	mustExec(t, conn, `INSERT INTO big SELECT g, 'late' FROM generate_series(200001, 250000) g`)
	readTask(t, first, seen)
	for _, task := range sp.Tasks[1:] {
		st, err := src.Open(ctx, tc, task)
		if err != nil {
			t.Fatal(err)
		}
		readTask(t, st, seen)
	}
	if len(seen) != bigRows {
		t.Errorf("read %d distinct ids, the table had %d when the scan started", len(seen), bigRows)
	}
	for id, n := range seen {
		if n != 1 || id < 1 || id > bigRows {
			t.Fatalf("id %d read %d times", id, n)
		}
	}
	// The exporting connection has closed once every task imported, and
	// the tasks' connections with their streams.
	waitNoConnections(t, conn)
}

func waitNoConnections(t *testing.T, conn *pgx.Conn) {
	t.Helper()
	var n int
	for range 50 {
		if err := conn.QueryRow(context.Background(), `SELECT count(*) FROM pg_stat_activity WHERE application_name = 'lakeframe'`).Scan(&n); err != nil {
			t.Fatal(err)
		}
		if n == 0 {
			return
		}
		time.Sleep(100 * time.Millisecond)
	}
	t.Errorf("%d lakeframe connections are still open", n)
}

// TestSnapshotReleasedAfterHold: a task that starts after the snapshot
// was released fails, saying so, instead of reading another snapshot.
func TestSnapshotReleasedAfterHold(t *testing.T) {
	dsn, conn := bigTable(t)
	ctx := context.Background()
	src, err := NewSource(ctx, dsn, "big", Options{Parallelism: 2, PagesPerTask: 8, SnapshotHold: 100 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	sp, err := src.Plan(ctx, plan.Pushdown{Limit: -1})
	if err != nil {
		t.Fatal(err)
	}
	st, err := src.Open(ctx, nil, sp.Tasks[0])
	if err != nil {
		t.Fatal(err)
	}
	st.Close()
	time.Sleep(400 * time.Millisecond)
	_, err = src.Open(ctx, nil, sp.Tasks[1])
	if !errors.Is(err, errs.ErrExec) || !strings.Contains(err.Error(), "snapshot was released") {
		t.Errorf("error %v should say the snapshot was released", err)
	}
	waitNoConnections(t, conn)
}

// TestEarlyCloseStopsTheStatement closes a stream after one batch of a
// large result: Close must not drain the rest, and must free everything.
func TestEarlyCloseStopsTheStatement(t *testing.T) {
	dsn, conn := bigTable(t)
	ctx := context.Background()
	src, err := NewSource(ctx, dsn, "SELECT a.id, b.v FROM big a CROSS JOIN big b", Options{})
	if err != nil {
		t.Fatal(err)
	}
	sp, err := src.Plan(ctx, plan.Pushdown{Limit: -1})
	if err != nil {
		t.Fatal(err)
	}
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)
	st, err := src.Open(ctx, &exec.TaskContext{Mem: mem, BatchSize: 1000}, sp.Tasks[0])
	if err != nil {
		t.Fatal(err)
	}
	rec, err := st.Next(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if rec.NumRows() != 1000 {
		t.Errorf("first batch has %d rows, want 1000", rec.NumRows())
	}
	rec.Release()
	start := time.Now()
	if err := st.Close(); err != nil {
		t.Fatal(err)
	}
	if d := time.Since(start); d > 10*time.Second {
		t.Errorf("Close took %v", d)
	}
	waitNoConnections(t, conn)
}

// TestZeroColumns reads no column at all, as count(*) does: the rows
// still count.
func TestZeroColumns(t *testing.T) {
	dsn, _ := bigTable(t)
	src, err := NewSource(context.Background(), dsn, "big", Options{Parallelism: 3, PagesPerTask: 8})
	if err != nil {
		t.Fatal(err)
	}
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)
	tbl, sp, err := scanAll(t, src, plan.Pushdown{Columns: []string{}, Limit: -1}, mem, 50_000)
	if err != nil {
		t.Fatal(err)
	}
	defer tbl.Release()
	if len(sp.Tasks) != 3 || tbl.NumRows() != bigRows || tbl.NumCols() != 0 {
		t.Errorf("%d tasks read %d rows of %d columns, want 3 tasks, %d rows, no columns", len(sp.Tasks), tbl.NumRows(), tbl.NumCols(), bigRows)
	}
}

// TestSplitColumnCoversEveryRow splits a view by ranges of an integer
// column, under a pushed filter: every row the filter keeps, NULL keys
// included, is read by exactly one task.
func TestSplitColumnCoversEveryRow(t *testing.T) {
	dsn, conn := bigTable(t)
	mustExec(t, conn, `INSERT INTO big SELECT NULL, 'no id ' || g FROM generate_series(1, 10) g`)
	mustExec(t, conn, `CREATE VIEW big_view AS SELECT id, v FROM big`)
	ctx := context.Background()
	src, err := NewSource(ctx, dsn, "big_view", Options{Parallelism: 4, SplitColumn: "id"})
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		name    string
		filters []expr.Node
		want    string
	}{
		{"all rows", nil, "SELECT count(*) FROM big"},
		{"filtered", []expr.Node{mustResolve(t, src, expr.Col("id").Gt(150_000).Or(expr.Col("id").IsNull()))}, "SELECT count(*) FROM big WHERE id > 150000 OR id IS NULL"},
	} {
		t.Run(c.name, func(t *testing.T) {
			sp, err := src.Plan(ctx, plan.Pushdown{Columns: []string{"id"}, Filters: c.filters, Limit: -1})
			if err != nil {
				t.Fatal(err)
			}
			if len(sp.Tasks) != 4 {
				t.Fatalf("%d tasks, want 4", len(sp.Tasks))
			}
			var want int
			if err := conn.QueryRow(ctx, c.want).Scan(&want); err != nil {
				t.Fatal(err)
			}
			mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
			defer mem.AssertSize(t, 0)
			rows, nulls := 0, 0
			seen := map[int64]bool{}
			for _, task := range sp.Tasks {
				st, err := src.Open(ctx, &exec.TaskContext{Mem: mem}, task)
				if err != nil {
					t.Fatal(err)
				}
				for {
					rec, err := st.Next(ctx)
					if err == io.EOF {
						break
					}
					if err != nil {
						t.Fatal(err)
					}
					ids := rec.Column(0).(*array.Int64)
					for i := range ids.Len() {
						rows++
						if ids.IsNull(i) {
							nulls++
						} else if seen[ids.Value(i)] {
							t.Fatalf("id %d read twice", ids.Value(i))
						} else {
							seen[ids.Value(i)] = true
						}
					}
					rec.Release()
				}
				st.Close()
			}
			if rows != want || nulls != 10 {
				t.Errorf("read %d rows (%d with NULL id), PostgreSQL counts %d (10 with NULL id)", rows, nulls, want)
			}
		})
	}
	_, err = NewSource(ctx, dsn, "big_view", Options{SplitColumn: "v"})
	if !errors.Is(err, errs.ErrPlan) || !strings.Contains(err.Error(), `"v" is not an integer column (integer columns: id)`) {
		t.Errorf("splitting by a text column: error %v", err)
	}
}

func mustResolve(t *testing.T, src *Source, e expr.Expr) expr.Node {
	t.Helper()
	n, err := expr.Resolve(e.Node(), src.Schema())
	if err != nil {
		t.Fatal(err)
	}
	return n
}

// TestSnapshotKeptWhileATaskReads: tasks that run one after another (more
// tasks than partitions) find the snapshot however long the earlier ones
// read; only idleness for the hold releases it.
func TestSnapshotKeptWhileATaskReads(t *testing.T) {
	dsn, conn := bigTable(t)
	ctx := context.Background()
	src, err := NewSource(ctx, dsn, "big", Options{Parallelism: 2, PagesPerTask: 8, SnapshotHold: 100 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	sp, err := src.Plan(ctx, plan.Pushdown{Columns: []string{"id"}, Limit: -1})
	if err != nil {
		t.Fatal(err)
	}
	seen := map[int64]int{}
	first, err := src.Open(ctx, nil, sp.Tasks[0])
	if err != nil {
		t.Fatal(err)
	}
	mustExec(t, conn, `DELETE FROM big WHERE id <= 1000`)
	time.Sleep(500 * time.Millisecond) // five holds, with the first task still open
	// The second task starts while the first is open: no timing decides
	// whether the snapshot is still there.
	second, err := src.Open(ctx, nil, sp.Tasks[1])
	if err != nil {
		t.Fatalf("the second task, started five holds later while the first was open: %v", err)
	}
	readTask(t, first, seen)
	readTask(t, second, seen)
	if len(seen) != bigRows {
		t.Errorf("read %d distinct ids, the snapshot had %d", len(seen), bigRows)
	}
	waitNoConnections(t, conn)
}
