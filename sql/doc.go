// Package sql is lakeframe's PostgreSQL-dialect SQL front end. Statements
// are parsed by PostgreSQL's own parser (pg_query_go) and bound to the same
// logical plans the DataFrame API builds, so SQL and frames compose: a
// frame registered in a Session is a table to SQL, and a query's result is
// a *frame.DataFrame that can be refined with frame methods.
//
// A Session also holds in-memory tables: CREATE TABLE, INSERT (VALUES or
// SELECT) and DROP TABLE work in process, on Arrow record batches.
//
// Semantics follow PostgreSQL where lakeframe's expressions differ:
// integer / integer truncates toward zero, ORDER BY puts NULLs last when
// ascending and first when descending, count(*) of no rows is 0 in
// correlated subqueries too, and NOT IN with a NULL in its list is NULL.
// Uncorrelated subqueries (scalar, IN, EXISTS) run once while the query is
// bound, as PostgreSQL runs them once as init plans; correlated ones are
// unnested into joins with the distinct set of outer values they use.
//
// Errors are *Error values with a PostgreSQL SQLSTATE and, where known, the
// character position in the query text; they also match the errs kinds
// (errs.ErrPlan for mistakes in the query, errs.ErrNotImplemented for SQL
// lakeframe does not support yet) through errors.Is.
package sql
