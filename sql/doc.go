//go:build cgo

// Package sql is lakeframe's PostgreSQL-dialect SQL front end. Statements
// are parsed by PostgreSQL's own parser (pg_query_go) and bound to the same
// logical plans the DataFrame API builds, so SQL and frames compose: a
// frame registered in a Session is a table to SQL, and a query's result is
// a *frame.DataFrame that can be refined with frame methods.
//
// A Session also holds in-memory tables: CREATE TABLE, INSERT (VALUES or
// SELECT) and DROP TABLE work in process, on Arrow record batches; CREATE
// INDEX is accepted and ignored. An attached Iceberg catalog makes its
// tables readable as namespace.table.
//
// SELECT supports FROM lists, [LEFT|RIGHT|FULL] JOIN with ON, USING or
// NATURAL, WHERE, GROUP BY (expressions, ordinals, output names), HAVING,
// count/sum/avg/min/max (with DISTINCT), ORDER BY (expressions, output
// names, ordinals, ASC/DESC, NULLS FIRST/LAST), LIMIT/OFFSET, DISTINCT,
// UNION [ALL], INTERSECT, EXCEPT, WITH, VALUES, CASE, CAST and ::, IN,
// BETWEEN, LIKE, IS [NOT] NULL, IS [NOT] DISTINCT FROM, COALESCE, NULLIF,
// abs, lower, upper, length, and subqueries.
//
// Semantics follow PostgreSQL where lakeframe's expressions differ:
// integer / integer truncates toward zero, decimal constants are not
// integers, ORDER BY puts NULLs last ascending and first descending, and
// x IN (subquery) and NOT IN are three-valued. Uncorrelated subqueries
// (scalar, IN, EXISTS) run once while the query is bound, as PostgreSQL
// runs them once as init plans. Correlated EXISTS, NOT EXISTS and IN that
// are WHERE conjuncts become semi and anti joins; other correlated
// subqueries are unnested into joins with the distinct set of outer values
// they use, aggregated per value (count(*) of no rows is 0).
//
// Not supported yet, each a 0A000 error: window functions, ||, ILIKE,
// SIMILAR TO, arrays and rows, LATERAL, WITH RECURSIVE, DISTINCT ON,
// INTERSECT/EXCEPT ALL, grouping sets, correlated scalar subqueries that
// do not aggregate, subqueries that read columns two or more levels out,
// UPDATE and DELETE. An integer division by zero is NULL, where PostgreSQL
// raises an error.
//
// Errors are *Error values with a PostgreSQL SQLSTATE and, where known, the
// character position in the query text; they also match the errs kinds
// (errs.ErrPlan for mistakes in the query, errs.ErrNotImplemented for SQL
// lakeframe does not support yet) through errors.Is.
package sql
