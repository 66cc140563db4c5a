package queries

import (
	"lakeframe/expr"
	"lakeframe/frame"
)

// Q3 lists the ten unshipped orders of the building segment with the
// highest revenue as of 1995-03-15.
func Q3(dir string) *frame.DataFrame {
	cutoff := date(1995, 3, 15)
	customers := scan(dir, "customer").Where(expr.Col("c_mktsegment").Eq("BUILDING"))
	orders := scan(dir, "orders").Where(expr.Col("o_orderdate").Lt(cutoff))
	return scan(dir, "lineitem").
		Where(expr.Col("l_shipdate").Gt(cutoff)).
		Join(orders, frame.Inner, frame.LeftOn("l_orderkey"), frame.RightOn("o_orderkey")).
		Join(customers, frame.Semi, frame.LeftOn("o_custkey"), frame.RightOn("c_custkey")).
		GroupBy("l_orderkey", "o_orderdate", "o_shippriority").
		Agg(discounted().Sum().Alias("revenue")).
		Select("l_orderkey", "revenue", "o_orderdate", "o_shippriority").
		Sort(expr.Col("revenue").Desc(), "o_orderdate").
		Limit(10)
}

const q3SQL = `SELECT
	l_orderkey,
	sum(l_extendedprice * (1 - l_discount)) AS revenue,
	o_orderdate,
	o_shippriority
FROM customer, orders, lineitem
WHERE c_mktsegment = 'BUILDING'
	AND c_custkey = o_custkey
	AND l_orderkey = o_orderkey
	AND o_orderdate < DATE '1995-03-15'
	AND l_shipdate > DATE '1995-03-15'
GROUP BY l_orderkey, o_orderdate, o_shippriority
ORDER BY revenue DESC, o_orderdate
LIMIT 10`
