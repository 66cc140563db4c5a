package queries

import (
	"lakeframe/expr"
	"lakeframe/frame"
)

// Q14 computes the percentage of September 1995's revenue that came from
// promotional parts.
func Q14(dir string) *frame.DataFrame {
	from := date(1995, 9, 1)
	return scan(dir, "lineitem").
		Where(expr.Col("l_shipdate").Ge(from).And(expr.Col("l_shipdate").Lt(from.AddDate(0, 1, 0)))).
		Join(scan(dir, "part"), frame.Inner, frame.LeftOn("l_partkey"), frame.RightOn("p_partkey")).
		Agg(
			expr.When(expr.Col("p_type").Str().StartsWith("PROMO"), discounted()).Otherwise(0.0).Sum().Alias("promo"),
			discounted().Sum().Alias("total"),
		).
		Select(expr.Lit(100.0).Mul(expr.Col("promo")).Div(expr.Col("total")).Alias("promo_revenue"))
}

const q14SQL = `SELECT
	100.00 * sum(CASE WHEN p_type LIKE 'PROMO%'
		THEN l_extendedprice * (1 - l_discount) ELSE 0 END)
		/ sum(l_extendedprice * (1 - l_discount)) AS promo_revenue
FROM lineitem, part
WHERE l_partkey = p_partkey
	AND l_shipdate >= DATE '1995-09-01'
	AND l_shipdate < DATE '1995-09-01' + INTERVAL 1 MONTH`
