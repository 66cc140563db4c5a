package frame

import (
	"context"
	"fmt"
	"time"

	"lakeframe/exec/source/postgres"
	"lakeframe/plan"
)

// PostgresOption tunes how ReadPostgres reads.
type PostgresOption func(*postgres.Options)

// PostgresParallelism splits a scan into at most n tasks, each reading
// on its own connection a range of the table's pages or, with
// PostgresSplitColumn, of a column's values (default GOMAXPROCS). All
// tasks of one scan read one snapshot.
func PostgresParallelism(n int) PostgresOption {
	return func(o *postgres.Options) { o.Parallelism = n }
}

// PostgresSplitColumn splits the scan by ranges of an integer column
// instead of pages: for queries, views, partitioned and distributed
// (Citus) tables, which have no pages of their own to split.
func PostgresSplitColumn(name string) PostgresOption {
	return func(o *postgres.Options) { o.SplitColumn = name }
}

// PostgresPagesPerTask sets the fewest 8 KiB pages one task reads when a
// table is split (default 1024): smaller tables make fewer tasks.
func PostgresPagesPerTask(n int64) PostgresOption {
	return func(o *postgres.Options) { o.PagesPerTask = n }
}

// PostgresSnapshotHold bounds how long a scan's exported snapshot waits
// for its tasks to start (default 10 minutes).
func PostgresSnapshotHold(d time.Duration) PostgresOption {
	return func(o *postgres.Options) { o.SnapshotHold = d }
}

// ReadPostgres reads a PostgreSQL table, view or query. tableOrQuery is a
// query when it starts with SELECT, WITH, VALUES or TABLE; otherwise a
// table name the server resolves as in SQL ("orders", "sales.orders",
// `"Mixed Case"`). The dsn is a libpq connection string or URL
// (postgres://user:pass@host:5432/db); errors name host:port, never the
// password.
//
// The columns are described now, to fix the schema; rows are read at
// Collect, in PostgreSQL's binary format. Selected columns, filters the
// server evaluates exactly as lakeframe does, and limits go into the SQL
// sent, which Explain shows; other filters run above the scan.
//
//	df := frame.ReadPostgres("postgres://app@db:5432/shop", "public.customers").
//		Where(expr.Col("country").Eq("NL")).
//		Select(expr.Col("id"), expr.Col("name"))
func ReadPostgres(dsn, tableOrQuery string, opts ...PostgresOption) *DataFrame {
	var o postgres.Options
	for _, opt := range opts {
		opt(&o)
	}
	src, err := postgres.NewSource(context.Background(), dsn, tableOrQuery, o)
	if err != nil {
		return failed(fmt.Errorf("read_postgres %s: %w", tableOrQuery, err))
	}
	return fromNode(plan.NewScan(src))
}
