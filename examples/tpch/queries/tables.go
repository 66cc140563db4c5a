package queries

import (
	"time"

	"lakeframe/expr"
	"lakeframe/frame"
	"lakeframe/internal/tpchgen"
)

// Tables lists the TPC-H tables the queries read, for engines that need
// a view over each.
func Tables() []string { return tpchgen.Tables() }

// scan reads one table's Parquet files under dir.
func scan(dir, table string) *frame.DataFrame {
	return frame.ReadParquet(tpchgen.Glob(dir, table))
}

// date is a calendar date among the query parameters. Intervals of the SQL
// text (DATE '1994-01-01' + INTERVAL 1 YEAR) are added in Go, so that the
// frame compares columns with constants the optimizer can push into the
// Parquet reader.
func date(year int, month time.Month, day int) time.Time {
	return time.Date(year, month, day, 0, 0, 0, 0, time.UTC)
}

// discounted is l_extendedprice * (1 - l_discount), the revenue of a line
// item in most queries.
func discounted() expr.Expr {
	return expr.Col("l_extendedprice").Mul(expr.Lit(1.0).Sub(expr.Col("l_discount")))
}
