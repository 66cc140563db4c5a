package queries

import (
	"lakeframe/expr"
	"lakeframe/frame"
)

// Q15 finds the suppliers with the highest revenue in 1996's first
// quarter.
func Q15(dir string) *frame.DataFrame {
	from := date(1996, 1, 1)
	// The specification's view revenue0, computed once for both its uses
	// (which also makes the maximum exactly equal to the row it came from).
	revenue := scan(dir, "lineitem").
		Where(expr.Col("l_shipdate").Ge(from).And(expr.Col("l_shipdate").Lt(from.AddDate(0, 3, 0)))).
		GroupBy(expr.Col("l_suppkey").Alias("supplier_no")).
		Agg(discounted().Sum().Alias("total_revenue")).
		Cache()
	top := revenue.Agg(expr.Col("total_revenue").Max().Alias("max_revenue"))
	return scan(dir, "supplier").
		Join(revenue, frame.Inner, frame.LeftOn("s_suppkey"), frame.RightOn("supplier_no")).
		Join(top, frame.Inner, frame.LeftOn("total_revenue"), frame.RightOn("max_revenue")).
		Select("s_suppkey", "s_name", "s_address", "s_phone", "total_revenue").
		Sort("s_suppkey")
}

const q15SQL = `WITH revenue0 AS (
	SELECT
		l_suppkey AS supplier_no,
		sum(l_extendedprice * (1 - l_discount)) AS total_revenue
	FROM lineitem
	WHERE l_shipdate >= DATE '1996-01-01'
		AND l_shipdate < DATE '1996-01-01' + INTERVAL 3 MONTH
	GROUP BY l_suppkey)
SELECT s_suppkey, s_name, s_address, s_phone, total_revenue
FROM supplier, revenue0
WHERE s_suppkey = supplier_no
	AND total_revenue = (SELECT max(total_revenue) FROM revenue0)
ORDER BY s_suppkey`
