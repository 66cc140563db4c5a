package queries

import (
	"lakeframe/expr"
	"lakeframe/frame"
)

// Q12 counts 1994's late mail and ship line items of high and of low
// priority orders, per ship mode.
func Q12(dir string) *frame.DataFrame {
	from := date(1994, 1, 1)
	urgent := expr.Col("o_orderpriority").Eq("1-URGENT").Or(expr.Col("o_orderpriority").Eq("2-HIGH"))
	lines := scan(dir, "lineitem").
		Where(expr.Col("l_shipmode").IsIn("MAIL", "SHIP").
			And(expr.Col("l_commitdate").Lt(expr.Col("l_receiptdate"))).
			And(expr.Col("l_shipdate").Lt(expr.Col("l_commitdate"))).
			And(expr.Col("l_receiptdate").Ge(from)).
			And(expr.Col("l_receiptdate").Lt(from.AddDate(1, 0, 0))))
	return lines.
		Join(scan(dir, "orders"), frame.Inner, frame.LeftOn("l_orderkey"), frame.RightOn("o_orderkey")).
		GroupBy("l_shipmode").
		Agg(
			expr.When(urgent, 1).Otherwise(0).Sum().Alias("high_line_count"),
			expr.When(urgent.Not(), 1).Otherwise(0).Sum().Alias("low_line_count"),
		).
		Sort("l_shipmode")
}

const q12SQL = `SELECT
	l_shipmode,
	sum(CASE WHEN o_orderpriority = '1-URGENT' OR o_orderpriority = '2-HIGH'
		THEN 1 ELSE 0 END) AS high_line_count,
	sum(CASE WHEN o_orderpriority <> '1-URGENT' AND o_orderpriority <> '2-HIGH'
		THEN 1 ELSE 0 END) AS low_line_count
FROM orders, lineitem
WHERE o_orderkey = l_orderkey
	AND l_shipmode IN ('MAIL', 'SHIP')
	AND l_commitdate < l_receiptdate
	AND l_shipdate < l_commitdate
	AND l_receiptdate >= DATE '1994-01-01'
	AND l_receiptdate < DATE '1994-01-01' + INTERVAL 1 YEAR
GROUP BY l_shipmode
ORDER BY l_shipmode`
