package queries

import (
	"lakeframe/expr"
	"lakeframe/frame"
)

// Q7 sums, per year of 1995 and 1996, the value of goods shipped between
// France and Germany in each direction.
func Q7(dir string) *frame.DataFrame {
	nations := scan(dir, "nation").Where(expr.Col("n_name").IsIn("FRANCE", "GERMANY"))
	suppliers := scan(dir, "supplier").
		Join(nations.Select("n_nationkey", expr.Col("n_name").Alias("supp_nation")),
			frame.Inner, frame.LeftOn("s_nationkey"), frame.RightOn("n_nationkey"))
	customers := scan(dir, "customer").
		Join(nations.Select("n_nationkey", expr.Col("n_name").Alias("cust_nation")),
			frame.Inner, frame.LeftOn("c_nationkey"), frame.RightOn("n_nationkey"))
	return scan(dir, "lineitem").
		Where(expr.Col("l_shipdate").Between(date(1995, 1, 1), date(1996, 12, 31))).
		Join(suppliers, frame.Inner, frame.LeftOn("l_suppkey"), frame.RightOn("s_suppkey")).
		Join(scan(dir, "orders"), frame.Inner, frame.LeftOn("l_orderkey"), frame.RightOn("o_orderkey")).
		Join(customers, frame.Inner, frame.LeftOn("o_custkey"), frame.RightOn("c_custkey")).
		Where(expr.Col("supp_nation").Eq("FRANCE").And(expr.Col("cust_nation").Eq("GERMANY")).
			Or(expr.Col("supp_nation").Eq("GERMANY").And(expr.Col("cust_nation").Eq("FRANCE")))).
		GroupBy("supp_nation", "cust_nation", expr.Col("l_shipdate").Dt().Year().Alias("l_year")).
		Agg(discounted().Sum().Alias("revenue")).
		Sort("supp_nation", "cust_nation", "l_year")
}

const q7SQL = `SELECT
	supp_nation, cust_nation, l_year, sum(volume) AS revenue
FROM (
	SELECT
		n1.n_name AS supp_nation,
		n2.n_name AS cust_nation,
		extract(year FROM l_shipdate) AS l_year,
		l_extendedprice * (1 - l_discount) AS volume
	FROM supplier, lineitem, orders, customer, nation n1, nation n2
	WHERE s_suppkey = l_suppkey
		AND o_orderkey = l_orderkey
		AND c_custkey = o_custkey
		AND s_nationkey = n1.n_nationkey
		AND c_nationkey = n2.n_nationkey
		AND ((n1.n_name = 'FRANCE' AND n2.n_name = 'GERMANY')
			OR (n1.n_name = 'GERMANY' AND n2.n_name = 'FRANCE'))
		AND l_shipdate BETWEEN DATE '1995-01-01' AND DATE '1996-12-31'
	) AS shipping
GROUP BY supp_nation, cust_nation, l_year
ORDER BY supp_nation, cust_nation, l_year`
