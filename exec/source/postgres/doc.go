// Package postgres reads PostgreSQL tables and queries as a scan source.
//
// The schema comes from the server's description of the statement, so a
// table and a query are described the same way. Rows travel in the
// binary result format of the extended protocol and are decoded straight
// into Arrow builders; types without a binary decoder here travel as
// text and become strings.
//
// Filters that PostgreSQL evaluates exactly as lakeframe does become a
// WHERE clause with parameters; the others stay above the scan. A plain
// table is split into ranges of pages (ctid ranges, which PostgreSQL 14
// and later scan directly), each read by its own connection; the tasks
// of one scan share one exported snapshot, so together they read the
// table as of one moment.
package postgres
