//go:build cgo

package queries_test

import (
	"context"
	"database/sql"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"runtime/debug"
	"strings"
	"testing"
	"time"

	"github.com/apache/arrow-go/v18/arrow"
	_ "github.com/duckdb/duckdb-go/v2"

	"lakeframe/examples/tpch/queries"
	"lakeframe/frame"
	"lakeframe/internal/tpchgen"
)

// orderBy lists, per query, the output columns of its ORDER BY (by
// position); queries without ORDER BY give one row.
var orderBy = map[string][]int{
	"q1": {0, 1}, "q2": {0, 2, 1, 3}, "q3": {1, 2}, "q4": {0}, "q5": {1},
	"q7": {0, 1, 2}, "q8": {0}, "q9": {0, 1}, "q10": {2}, "q11": {1},
	"q12": {0}, "q13": {1, 0}, "q15": {0}, "q16": {3, 0, 1, 2}, "q18": {4, 3},
	"q20": {0}, "q21": {1, 0}, "q22": {0},
}

func TestAll(t *testing.T) {
	all := queries.All()
	if len(all) != 22 {
		t.Fatalf("All() has %d queries, want 22", len(all))
	}
	for i, q := range all {
		n := i + 1
		if q.Number != n || q.Name != fmt.Sprintf("q%d", n) {
			t.Errorf("All()[%d] is %d %q, want %d q%d", i, q.Number, q.Name, n, n)
		}
		if q.DataFrame == nil || q.Title == "" {
			t.Errorf("%s: missing DataFrame or Title", q.Name)
		}
		if sql := queries.SQL(n); sql == "" || sql != q.SQL {
			t.Errorf("SQL(%d) does not give %s's text", n, q.Name)
		}
		if !strings.HasPrefix(q.SQL, "SELECT") && !strings.HasPrefix(q.SQL, "WITH") {
			t.Errorf("%s: SQL starts with %.10q", q.Name, q.SQL)
		}
		if _, ok := orderBy[q.Name]; !ok && strings.Contains(q.SQL, "ORDER BY") {
			t.Errorf("%s: the test lists no ORDER BY columns for it", q.Name)
		}
	}
	for _, n := range []int{-1, 0, 23} {
		if s := queries.SQL(n); s != "" {
			t.Errorf("SQL(%d) = %.20q, want empty", n, s)
		}
	}
	if got := queries.Tables(); len(got) != 8 {
		t.Errorf("Tables() = %v, want the 8 TPC-H tables", got)
	}
}

// TestAgainstDuckDB runs the 22 queries at scale factor 1 with lakeframe,
// and as SQL with DuckDB on the same Parquet files, and compares the
// answers. The data are generated once into a directory shared across
// runs (and with the examples and benchmarks), which takes about a minute.
func TestAgainstDuckDB(t *testing.T) {
	if testing.Short() {
		t.Skip("skipped in short mode: generates TPC-H SF1 data (1 GiB) and runs 22 queries on it")
	}
	ctx := context.Background()
	dir := filepath.Join(os.TempDir(), "lakeframe-tpch-sf1")
	if err := tpchgen.Generate(ctx, dir, 1); err != nil {
		t.Fatalf("generate TPC-H SF1 data: %v", err)
	}
	db := openDuckDB(t, dir)

	for _, q := range queries.All() {
		t.Run(q.Name, func(t *testing.T) {
			start := time.Now()
			tbl, err := collect(ctx, q.DataFrame(dir))
			lfTime := time.Since(start)
			if err != nil {
				t.Fatalf("lakeframe: %v", err)
			}
			defer tbl.Release()
			got, err := arrowAnswer(tbl)
			if err != nil {
				t.Fatalf("lakeframe answer: %v", err)
			}

			start = time.Now()
			rows, err := db.QueryContext(ctx, q.SQL)
			if err != nil {
				t.Fatalf("duckdb: %v", err)
			}
			want, err := sqlAnswer(rows)
			duckTime := time.Since(start)
			if err != nil {
				t.Fatalf("duckdb answer: %v", err)
			}
			if len(want) == 0 {
				t.Fatalf("duckdb's answer is empty; the data in %s look wrong", dir)
			}

			if d := diff(got, want, orderBy[q.Name]); d != "" {
				t.Errorf("answers differ: %s", d)
			}
			t.Logf("%d rows; lakeframe %v, duckdb %v", len(got), lfTime.Round(time.Millisecond), duckTime.Round(time.Millisecond))
		})
	}
}

// collect runs a query. A panic is a lakeframe bug, never the query's
// fault; it fails this query only, so the other queries still report.
func collect(ctx context.Context, df *frame.DataFrame) (tbl arrow.Table, err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("panic: %v\n%s", r, debug.Stack())
		}
	}()
	return df.Collect(ctx, frame.WithoutProgressDisplay())
}

// openDuckDB opens an in-memory DuckDB with a view over each table's
// Parquet files.
func openDuckDB(t *testing.T, dir string) *sql.DB {
	t.Helper()
	db, err := sql.Open("duckdb", "")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	db.SetMaxOpenConns(1) // views live in the one connection's database
	stmts := []string{fmt.Sprintf("SET threads = %d", runtime.GOMAXPROCS(0))}
	for _, table := range queries.Tables() {
		stmts = append(stmts, fmt.Sprintf("CREATE VIEW %s AS SELECT * FROM read_parquet('%s')", table, tpchgen.Glob(dir, table)))
	}
	for _, s := range stmts {
		if _, err := db.Exec(s); err != nil {
			t.Fatalf("%s: %v", s, err)
		}
	}
	return db
}
