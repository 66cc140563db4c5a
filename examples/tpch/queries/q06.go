package queries

import (
	"lakeframe/expr"
	"lakeframe/frame"
)

// Q6 sums the revenue that 1994's small-quantity line items with a
// discount of 5% to 7% would have brought without it.
func Q6(dir string) *frame.DataFrame { return Q6Of(scan(dir, "lineitem")) }

// Q6Of is Q6 over any source of the lineitem table.
func Q6Of(lineitem *frame.DataFrame) *frame.DataFrame {
	from := date(1994, 1, 1)
	return lineitem.
		Where(expr.Col("l_shipdate").Ge(from).
			And(expr.Col("l_shipdate").Lt(from.AddDate(1, 0, 0))).
			And(expr.Col("l_discount").Between(0.06-0.01, 0.06+0.01)).
			And(expr.Col("l_quantity").Lt(24))).
		Agg(expr.Col("l_extendedprice").Mul(expr.Col("l_discount")).Sum().Alias("revenue"))
}

const q6SQL = `SELECT
	sum(l_extendedprice * l_discount) AS revenue
FROM lineitem
WHERE l_shipdate >= DATE '1994-01-01'
	AND l_shipdate < DATE '1994-01-01' + INTERVAL 1 YEAR
	AND l_discount BETWEEN 0.06 - 0.01 AND 0.06 + 0.01
	AND l_quantity < 24`
