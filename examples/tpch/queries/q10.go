package queries

import (
	"lakeframe/expr"
	"lakeframe/frame"
)

// Q10 lists the 20 customers who lost the most revenue to returns of items
// ordered in 1993's fourth quarter.
func Q10(dir string) *frame.DataFrame {
	from := date(1993, 10, 1)
	orders := scan(dir, "orders").
		Where(expr.Col("o_orderdate").Ge(from).And(expr.Col("o_orderdate").Lt(from.AddDate(0, 3, 0))))
	customers := scan(dir, "customer").
		Join(scan(dir, "nation"), frame.Inner, frame.LeftOn("c_nationkey"), frame.RightOn("n_nationkey"))
	return scan(dir, "lineitem").
		Where(expr.Col("l_returnflag").Eq("R")).
		Join(orders, frame.Inner, frame.LeftOn("l_orderkey"), frame.RightOn("o_orderkey")).
		Join(customers, frame.Inner, frame.LeftOn("o_custkey"), frame.RightOn("c_custkey")).
		GroupBy("c_custkey", "c_name", "c_acctbal", "c_phone", "n_name", "c_address", "c_comment").
		Agg(discounted().Sum().Alias("revenue")).
		Select("c_custkey", "c_name", "revenue", "c_acctbal", "n_name", "c_address", "c_phone", "c_comment").
		Sort(expr.Col("revenue").Desc()).
		Limit(20)
}

const q10SQL = `SELECT
	c_custkey, c_name,
	sum(l_extendedprice * (1 - l_discount)) AS revenue,
	c_acctbal, n_name, c_address, c_phone, c_comment
FROM customer, orders, lineitem, nation
WHERE c_custkey = o_custkey
	AND l_orderkey = o_orderkey
	AND o_orderdate >= DATE '1993-10-01'
	AND o_orderdate < DATE '1993-10-01' + INTERVAL 3 MONTH
	AND l_returnflag = 'R'
	AND c_nationkey = n_nationkey
GROUP BY c_custkey, c_name, c_acctbal, c_phone, n_name, c_address, c_comment
ORDER BY revenue DESC
LIMIT 20`
