package queries

import (
	"lakeframe/expr"
	"lakeframe/frame"
)

// Q18 lists the 100 orders of more than 300 units with the highest total
// price, with their customers.
func Q18(dir string) *frame.DataFrame {
	// The IN subquery; its sum is also the quantity the query reports.
	large := scan(dir, "lineitem").
		GroupBy("l_orderkey").
		Agg(expr.Col("l_quantity").Sum().Alias("sum_quantity")).
		Where(expr.Col("sum_quantity").Gt(300))
	return scan(dir, "orders").
		Join(large, frame.Inner, frame.LeftOn("o_orderkey"), frame.RightOn("l_orderkey")).
		Join(scan(dir, "customer"), frame.Inner, frame.LeftOn("o_custkey"), frame.RightOn("c_custkey")).
		Select("c_name", "c_custkey", "o_orderkey", "o_orderdate", "o_totalprice", "sum_quantity").
		Sort(expr.Col("o_totalprice").Desc(), "o_orderdate").
		Limit(100)
}

const q18SQL = `SELECT
	c_name, c_custkey, o_orderkey, o_orderdate, o_totalprice,
	sum(l_quantity) AS sum_quantity
FROM customer, orders, lineitem
WHERE o_orderkey IN (
		SELECT l_orderkey FROM lineitem
		GROUP BY l_orderkey HAVING sum(l_quantity) > 300)
	AND c_custkey = o_custkey
	AND o_orderkey = l_orderkey
GROUP BY c_name, c_custkey, o_orderkey, o_orderdate, o_totalprice
ORDER BY o_totalprice DESC, o_orderdate
LIMIT 100`
