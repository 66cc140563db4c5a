package queries

import (
	"lakeframe/expr"
	"lakeframe/frame"
)

// Q5 sums 1994's revenue of Asian nations from sales where customer and
// supplier are of the same nation.
func Q5(dir string) *frame.DataFrame {
	from := date(1994, 1, 1)
	asia := scan(dir, "nation").
		Join(scan(dir, "region").Where(expr.Col("r_name").Eq("ASIA")),
			frame.Inner, frame.LeftOn("n_regionkey"), frame.RightOn("r_regionkey"))
	customers := scan(dir, "customer").
		Join(asia, frame.Inner, frame.LeftOn("c_nationkey"), frame.RightOn("n_nationkey"))
	orders := scan(dir, "orders").
		Where(expr.Col("o_orderdate").Ge(from).And(expr.Col("o_orderdate").Lt(from.AddDate(1, 0, 0)))).
		Join(customers, frame.Inner, frame.LeftOn("o_custkey"), frame.RightOn("c_custkey"))
	return scan(dir, "lineitem").
		Join(orders, frame.Inner, frame.LeftOn("l_orderkey"), frame.RightOn("o_orderkey")).
		Join(scan(dir, "supplier"), frame.Inner,
			frame.LeftOn("l_suppkey", "c_nationkey"), frame.RightOn("s_suppkey", "s_nationkey")).
		GroupBy("n_name").
		Agg(discounted().Sum().Alias("revenue")).
		Sort(expr.Col("revenue").Desc())
}

const q5SQL = `SELECT
	n_name,
	sum(l_extendedprice * (1 - l_discount)) AS revenue
FROM customer, orders, lineitem, supplier, nation, region
WHERE c_custkey = o_custkey
	AND l_orderkey = o_orderkey
	AND l_suppkey = s_suppkey
	AND c_nationkey = s_nationkey
	AND s_nationkey = n_nationkey
	AND n_regionkey = r_regionkey
	AND r_name = 'ASIA'
	AND o_orderdate >= DATE '1994-01-01'
	AND o_orderdate < DATE '1994-01-01' + INTERVAL 1 YEAR
GROUP BY n_name
ORDER BY revenue DESC`
