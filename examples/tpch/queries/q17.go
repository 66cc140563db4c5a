package queries

import (
	"lakeframe/expr"
	"lakeframe/frame"
)

// Q17 computes the average yearly revenue lost if orders of less than 20%
// of a part's average quantity were no longer taken, for one brand and
// container.
func Q17(dir string) *frame.DataFrame {
	parts := scan(dir, "part").
		Where(expr.Col("p_brand").Eq("Brand#23").And(expr.Col("p_container").Eq("MED BOX")))
	lines := scan(dir, "lineitem").
		Join(parts, frame.Semi, frame.LeftOn("l_partkey"), frame.RightOn("p_partkey"))
	// The correlated subquery: each part's average quantity.
	average := lines.GroupBy("l_partkey").Agg(expr.Col("l_quantity").Mean().Alias("avg_quantity"))
	return lines.
		Join(average, frame.Inner, frame.On("l_partkey")).
		Where(expr.Col("l_quantity").Lt(expr.Lit(0.2).Mul(expr.Col("avg_quantity")))).
		Agg(expr.Col("l_extendedprice").Sum().Alias("total")).
		Select(expr.Col("total").Div(7.0).Alias("avg_yearly"))
}

const q17SQL = `SELECT
	sum(l_extendedprice) / 7.0 AS avg_yearly
FROM lineitem, part
WHERE p_partkey = l_partkey
	AND p_brand = 'Brand#23'
	AND p_container = 'MED BOX'
	AND l_quantity < (
		SELECT 0.2 * avg(l_quantity)
		FROM lineitem
		WHERE l_partkey = p_partkey)`
