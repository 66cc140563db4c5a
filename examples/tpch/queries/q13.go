package queries

import (
	"lakeframe/expr"
	"lakeframe/frame"
)

// Q13 counts customers by how many orders they placed, leaving out orders
// whose comment mentions special requests; customers without orders count
// with zero.
func Q13(dir string) *frame.DataFrame {
	// The SQL puts this condition in the outer join's ON clause, which
	// filters the orders before the join.
	orders := scan(dir, "orders").Where(expr.Col("o_comment").Str().Like("%special%requests%").Not())
	return scan(dir, "customer").
		Join(orders, frame.Left, frame.LeftOn("c_custkey"), frame.RightOn("o_custkey")).
		GroupBy("c_custkey").
		Agg(expr.Col("o_orderkey").Count().Alias("c_count")).
		GroupBy("c_count").
		Agg(expr.CountAll().Alias("custdist")).
		Sort(expr.Col("custdist").Desc(), expr.Col("c_count").Desc())
}

const q13SQL = `SELECT
	c_count, count(*) AS custdist
FROM (
	SELECT c_custkey, count(o_orderkey)
	FROM customer LEFT OUTER JOIN orders ON
		c_custkey = o_custkey AND o_comment NOT LIKE '%special%requests%'
	GROUP BY c_custkey
	) AS c_orders (c_custkey, c_count)
GROUP BY c_count
ORDER BY custdist DESC, c_count DESC`
