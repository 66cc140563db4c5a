// Package eval evaluates resolved expression trees (see expr.Resolve)
// against Arrow record batches, a whole column at a time.
//
// Evaluation follows SQL (DuckDB) semantics: AND, OR and NOT use
// three-valued logic; comparisons and arithmetic with a NULL operand give
// NULL; IS NULL and IS NOT NULL are never NULL; x IN (...) is NULL when x is
// NULL, or when x is not found and the list holds a NULL. Integer modulo by
// zero gives NULL, while float division and modulo follow IEEE 754 (x / 0.0
// is ±Inf, x % 0.0 is NaN). Integer overflow in +, -, *, negation and
// modulo is an error, as is a cast of a value that does not convert.
//
// As in SQL, the right side of AND and OR, later COALESCE arguments and
// CASE branches only matter on some rows: when one fails on the whole
// column (an overflow, a cast of a bad string), it is evaluated again on
// just the rows that need it, and only a failure there is an error (see
// lazy.go). An arithmetic expression with a NULL constant operand is NULL
// whatever its other operand does, as DuckDB folds it.
//
// Constants stay scalars for as long as the kernels accept them, so
// `price * (1 - discount)` never materializes a column of ones; a result
// that is constant is broadcast to the batch's length only at the end.
// Trees of Float64 arithmetic run as one fused loop over cache-sized
// chunks (see fused_float.go). Where arrow-go v18.8.0 is wrong or leaks
// (casts to string, NOT and IS NOT NULL on sliced input, Boolean IN,
// checked integer arithmetic), this package has its own loops; each file
// says why.
//
// Every error wraps one of lakeframe/errs' kinds and names the expression
// that failed: errs.ErrExec for bad data (overflow, a string that does not
// parse), errs.ErrInternal for a tree that Resolve would not produce.
package eval
