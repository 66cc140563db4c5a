package queries

import (
	"lakeframe/expr"
	"lakeframe/frame"
)

// Q4 counts the orders of 1993's third quarter that had a line item
// received after its commit date, per order priority.
func Q4(dir string) *frame.DataFrame {
	from := date(1993, 7, 1)
	late := scan(dir, "lineitem").Where(expr.Col("l_commitdate").Lt(expr.Col("l_receiptdate")))
	return scan(dir, "orders").
		Where(expr.Col("o_orderdate").Ge(from).And(expr.Col("o_orderdate").Lt(from.AddDate(0, 3, 0)))).
		// EXISTS (a late line item of the order)
		Join(late, frame.Semi, frame.LeftOn("o_orderkey"), frame.RightOn("l_orderkey")).
		GroupBy("o_orderpriority").
		Agg(expr.CountAll().Alias("order_count")).
		Sort("o_orderpriority")
}

const q4SQL = `SELECT
	o_orderpriority,
	count(*) AS order_count
FROM orders
WHERE o_orderdate >= DATE '1993-07-01'
	AND o_orderdate < DATE '1993-07-01' + INTERVAL 3 MONTH
	AND EXISTS (
		SELECT * FROM lineitem
		WHERE l_orderkey = o_orderkey AND l_commitdate < l_receiptdate)
GROUP BY o_orderpriority
ORDER BY o_orderpriority`
