package queries

import (
	"lakeframe/expr"
	"lakeframe/frame"
)

// Q8 computes Brazil's share of the American market for economy anodized
// steel in 1995 and 1996.
func Q8(dir string) *frame.DataFrame {
	america := scan(dir, "nation").
		Join(scan(dir, "region").Where(expr.Col("r_name").Eq("AMERICA")),
			frame.Semi, frame.LeftOn("n_regionkey"), frame.RightOn("r_regionkey"))
	customers := scan(dir, "customer").
		Join(america, frame.Semi, frame.LeftOn("c_nationkey"), frame.RightOn("n_nationkey"))
	orders := scan(dir, "orders").
		Where(expr.Col("o_orderdate").Between(date(1995, 1, 1), date(1996, 12, 31))).
		Join(customers, frame.Semi, frame.LeftOn("o_custkey"), frame.RightOn("c_custkey"))
	suppliers := scan(dir, "supplier").
		Join(scan(dir, "nation").Select("n_nationkey", expr.Col("n_name").Alias("nation")),
			frame.Inner, frame.LeftOn("s_nationkey"), frame.RightOn("n_nationkey"))
	parts := scan(dir, "part").Where(expr.Col("p_type").Eq("ECONOMY ANODIZED STEEL"))
	volume := discounted()
	return scan(dir, "lineitem").
		Join(parts, frame.Semi, frame.LeftOn("l_partkey"), frame.RightOn("p_partkey")).
		Join(orders, frame.Inner, frame.LeftOn("l_orderkey"), frame.RightOn("o_orderkey")).
		Join(suppliers, frame.Inner, frame.LeftOn("l_suppkey"), frame.RightOn("s_suppkey")).
		GroupBy(expr.Col("o_orderdate").Dt().Year().Alias("o_year")).
		Agg(
			expr.When(expr.Col("nation").Eq("BRAZIL"), volume).Otherwise(0.0).Sum().Alias("brazil"),
			volume.Sum().Alias("total"),
		).
		Select("o_year", expr.Col("brazil").Div(expr.Col("total")).Alias("mkt_share")).
		Sort("o_year")
}

const q8SQL = `SELECT
	o_year,
	sum(CASE WHEN nation = 'BRAZIL' THEN volume ELSE 0 END) / sum(volume) AS mkt_share
FROM (
	SELECT
		extract(year FROM o_orderdate) AS o_year,
		l_extendedprice * (1 - l_discount) AS volume,
		n2.n_name AS nation
	FROM part, supplier, lineitem, orders, customer, nation n1, nation n2, region
	WHERE p_partkey = l_partkey
		AND s_suppkey = l_suppkey
		AND l_orderkey = o_orderkey
		AND o_custkey = c_custkey
		AND c_nationkey = n1.n_nationkey
		AND n1.n_regionkey = r_regionkey
		AND r_name = 'AMERICA'
		AND s_nationkey = n2.n_nationkey
		AND o_orderdate BETWEEN DATE '1995-01-01' AND DATE '1996-12-31'
		AND p_type = 'ECONOMY ANODIZED STEEL'
	) AS all_nations
GROUP BY o_year
ORDER BY o_year`
