// Package postgres reads PostgreSQL tables and queries as a scan source.
//
// The schema comes from the server's description of the statement, so a
// table and a query are described the same way. Rows travel in the
// binary result format of the extended protocol and are decoded straight
// into Arrow builders. Types map as follows:
//
//	smallint, integer, bigint     int16, int32, int64
//	real, double precision        float32, float64 (NaN, ±Inf and -0 kept)
//	numeric(p,s), p <= 38         decimal128(p,s); numeric(p,-s) decimal128(p+s,0)
//	numeric                       decimal128(38,10): a value with more digits
//	                              fails the read, naming the column, as do NaN
//	                              and infinities; nothing is rounded
//	numeric(p,s), p > 38          refused when the frame is built (cast it)
//	text, varchar, name           string
//	char(n)                       string, padded to n as the server sends it
//	bool                          bool
//	date                          date32
//	timestamp                     timestamp[us]
//	timestamptz                   timestamp[us, UTC]
//	bytea                         binary
//	uuid                          string, in the canonical lower-case form
//	json, jsonb                   string (jsonb as the server prints it)
//	one-dimensional arrays        lists of the element type (lower bounds
//	                              dropped); more dimensions fail the read
//	anything else                 string: the server's text output
//
// Dates and timestamps at ±infinity, or beyond Arrow's range, fail the
// read naming the column.
//
// Filters that PostgreSQL evaluates exactly as lakeframe does become a
// WHERE clause with parameters (see filterSQL); the others stay above the
// scan. A plain table is split into ranges of pages (ctid ranges, which
// PostgreSQL 14 and later scan directly), or any table or query into
// ranges of an integer column, each read by its own connection; the
// tasks of one scan share one exported snapshot, so together they read
// the table as of one moment.
package postgres
