package rules_test

import (
	"testing"
	"time"

	"lakeframe/expr"
	"lakeframe/plan"
	"lakeframe/plan/plantest"
)

// tpchColumns are the TPC-H columns the join tests use. Like lakeframe's
// Parquet files, every column is required and prunes row groups by its
// statistics (inexact).
var tpchColumns = map[string][]string{
	"region":   {"r_regionkey:int64", "r_name:string"},
	"nation":   {"n_nationkey:int64", "n_name:string", "n_regionkey:int64"},
	"supplier": {"s_suppkey:int64", "s_name:string", "s_nationkey:int64"},
	"customer": {"c_custkey:int64", "c_name:string", "c_nationkey:int64", "c_mktsegment:string"},
	"part":     {"p_partkey:int64", "p_name:string", "p_type:string"},
	"partsupp": {"ps_partkey:int64", "ps_suppkey:int64", "ps_supplycost:float64"},
	"orders":   {"o_orderkey:int64", "o_custkey:int64", "o_orderdate:date32", "o_shippriority:int64", "o_comment:string"},
	"lineitem": {"l_orderkey:int64", "l_partkey:int64", "l_suppkey:int64", "l_quantity:float64",
		"l_extendedprice:float64", "l_discount:float64", "l_shipdate:date32"},
}

func tpch(t *testing.T, table string) *plantest.Builder {
	t.Helper()
	cols := make([]string, len(tpchColumns[table]))
	for i, c := range tpchColumns[table] {
		cols[i] = c + ":inexact:notnull"
	}
	return plantest.ScanOf(t, plantest.MustSource(t, table, cols...))
}

// tpchFrom is a FROM list: the cross join of the tables, in order.
func tpchFrom(t *testing.T, tables ...string) *plantest.Builder {
	t.Helper()
	b := tpch(t, tables[0])
	for _, name := range tables[1:] {
		b = b.Join(tpch(t, name), plan.CrossJoin)
	}
	return b
}

// where is the conjunction of a WHERE clause.
func where(conds ...expr.Expr) expr.Expr {
	out := conds[0]
	for _, c := range conds[1:] {
		out = out.And(c)
	}
	return out
}

func day(year int, month time.Month, d int) time.Time {
	return time.Date(year, month, d, 0, 0, 0, 0, time.UTC)
}

func revenue() expr.Expr {
	return expr.Col("l_extendedprice").Mul(expr.Lit(1.0).Sub(expr.Col("l_discount"))).Sum().Alias("revenue")
}
