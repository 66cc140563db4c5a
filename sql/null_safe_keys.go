//go:build cgo

package sql

import (
	"github.com/apache/arrow-go/v18/arrow"

	"lakeframe/expr"
)

// nullSafeKeys returns join keys on which l and r match when they are
// equal or both NULL (IS NOT DISTINCT FROM), as set operations and
// unnested subqueries need: join keys never match NULL, so each value is
// compared as (IS NULL, COALESCE(value, zero)). Types without a handy
// zero keep the plain key, and their NULLs match nothing.
func nullSafeKeys(l, r expr.Node, t arrow.DataType) (lk, rk []expr.Node) {
	zero := zeroOf(t)
	if zero == nil {
		return []expr.Node{l}, []expr.Node{r}
	}
	side := func(n expr.Node) []expr.Node {
		return []expr.Node{&expr.Unary{Op: expr.OpIsNull, In: n}, &expr.Call{Fn: expr.FnCoalesce, Args: []expr.Node{n, zero}}}
	}
	return side(l), side(r)
}

// zeroOf is a non-NULL value of a type, or nil when the type has none
// handy.
func zeroOf(t arrow.DataType) expr.Node {
	switch {
	case isIntegerType(t), t.ID() == arrow.FLOAT32, t.ID() == arrow.FLOAT64, t.ID() == arrow.DECIMAL128:
		return expr.Lit(0).Node()
	case t.ID() == arrow.STRING || t.ID() == arrow.LARGE_STRING:
		return expr.Lit("").Node()
	case t.ID() == arrow.BOOL:
		return expr.Lit(false).Node()
	}
	return nil
}
