// Package queries holds the 22 TPC-H queries written with lakeframe's
// DataFrame API, each next to the specification's SQL text.
//
// Every query is a function of the data directory (the layout of
// lakeframe/internal/tpchgen: <dir>/<table>/*.parquet) that returns a lazy
// frame; nothing is read until the frame is collected:
//
//	tbl, err := queries.Q3(dir).Collect(ctx)
//
// The queries use the validation parameters of the TPC-H specification, the
// constants of its standard query text. SQL correlated and IN subqueries
// become what a DataFrame user writes instead: EXISTS and IN as semi joins,
// NOT EXISTS and NOT IN as anti joins (with an extra join condition where
// the subquery compares more than keys), correlated scalar subqueries as a
// grouped aggregate joined back on the correlation keys, and uncorrelated
// scalar subqueries as a one-row aggregate cross-joined in.
//
// SQL(n) gives the same query as SQL over views named like the tables, for
// engines such as DuckDB that check the answers.
package queries
