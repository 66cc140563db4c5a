package queries

import (
	"lakeframe/expr"
	"lakeframe/frame"
)

// Q9 sums the profit on green parts per supplier nation and year.
func Q9(dir string) *frame.DataFrame {
	parts := scan(dir, "part").Where(expr.Col("p_name").Str().Like("%green%"))
	suppliers := scan(dir, "supplier").
		Join(scan(dir, "nation"), frame.Inner, frame.LeftOn("s_nationkey"), frame.RightOn("n_nationkey"))
	amount := discounted().Sub(expr.Col("ps_supplycost").Mul(expr.Col("l_quantity")))
	return scan(dir, "lineitem").
		Join(parts, frame.Semi, frame.LeftOn("l_partkey"), frame.RightOn("p_partkey")).
		Join(scan(dir, "partsupp"), frame.Inner,
			frame.LeftOn("l_partkey", "l_suppkey"), frame.RightOn("ps_partkey", "ps_suppkey")).
		Join(suppliers, frame.Inner, frame.LeftOn("l_suppkey"), frame.RightOn("s_suppkey")).
		Join(scan(dir, "orders"), frame.Inner, frame.LeftOn("l_orderkey"), frame.RightOn("o_orderkey")).
		GroupBy(expr.Col("n_name").Alias("nation"), expr.Col("o_orderdate").Dt().Year().Alias("o_year")).
		Agg(amount.Sum().Alias("sum_profit")).
		Sort("nation", expr.Col("o_year").Desc())
}

const q9SQL = `SELECT
	nation, o_year, sum(amount) AS sum_profit
FROM (
	SELECT
		n_name AS nation,
		extract(year FROM o_orderdate) AS o_year,
		l_extendedprice * (1 - l_discount) - ps_supplycost * l_quantity AS amount
	FROM part, supplier, lineitem, partsupp, orders, nation
	WHERE s_suppkey = l_suppkey
		AND ps_suppkey = l_suppkey
		AND ps_partkey = l_partkey
		AND p_partkey = l_partkey
		AND o_orderkey = l_orderkey
		AND s_nationkey = n_nationkey
		AND p_name LIKE '%green%'
	) AS profit
GROUP BY nation, o_year
ORDER BY nation, o_year DESC`
