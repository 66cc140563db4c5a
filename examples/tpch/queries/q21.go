package queries

import (
	"lakeframe/expr"
	"lakeframe/frame"
)

// Q21 lists the 100 Saudi suppliers that most often were the only one to
// ship late in a multi-supplier order that is now complete.
func Q21(dir string) *frame.DataFrame {
	late := func() *frame.DataFrame {
		return scan(dir, "lineitem").
			Where(expr.Col("l_receiptdate").Gt(expr.Col("l_commitdate"))).
			Select("l_orderkey", "l_suppkey")
	}
	// In the joins below both sides have l_suppkey; the right one is named
	// l_suppkey_right in the join condition.
	otherSupplier := expr.Col("l_suppkey_right").Ne(expr.Col("l_suppkey"))
	suppliers := scan(dir, "supplier").
		Join(scan(dir, "nation").Where(expr.Col("n_name").Eq("SAUDI ARABIA")),
			frame.Semi, frame.LeftOn("s_nationkey"), frame.RightOn("n_nationkey"))
	// The Saudi suppliers' late line items of complete orders first: they
	// are few, so the EXISTS and NOT EXISTS joins below have little to
	// probe.
	return late().
		Join(suppliers, frame.Inner, frame.LeftOn("l_suppkey"), frame.RightOn("s_suppkey")).
		Join(scan(dir, "orders").Where(expr.Col("o_orderstatus").Eq("F")),
			frame.Semi, frame.LeftOn("l_orderkey"), frame.RightOn("o_orderkey")).
		// EXISTS: another supplier had a line item in the order.
		Join(scan(dir, "lineitem").Select("l_orderkey", "l_suppkey"),
			frame.Semi, frame.On("l_orderkey"), frame.JoinWhere(otherSupplier)).
		// NOT EXISTS: no other supplier was late in the order.
		Join(late(), frame.Anti, frame.On("l_orderkey"), frame.JoinWhere(otherSupplier)).
		GroupBy("s_name").
		Agg(expr.CountAll().Alias("numwait")).
		Sort(expr.Col("numwait").Desc(), "s_name").
		Limit(100)
}

const q21SQL = `SELECT
	s_name, count(*) AS numwait
FROM supplier, lineitem l1, orders, nation
WHERE s_suppkey = l1.l_suppkey
	AND o_orderkey = l1.l_orderkey
	AND o_orderstatus = 'F'
	AND l1.l_receiptdate > l1.l_commitdate
	AND EXISTS (
		SELECT * FROM lineitem l2
		WHERE l2.l_orderkey = l1.l_orderkey
			AND l2.l_suppkey <> l1.l_suppkey)
	AND NOT EXISTS (
		SELECT * FROM lineitem l3
		WHERE l3.l_orderkey = l1.l_orderkey
			AND l3.l_suppkey <> l1.l_suppkey
			AND l3.l_receiptdate > l3.l_commitdate)
	AND s_nationkey = n_nationkey
	AND n_name = 'SAUDI ARABIA'
GROUP BY s_name
ORDER BY numwait DESC, s_name
LIMIT 100`
