package queries

import (
	"lakeframe/expr"
	"lakeframe/frame"
)

// Q20 lists the Canadian suppliers with an excess of a forest part: more
// stock than half of what they shipped of it in 1994.
func Q20(dir string) *frame.DataFrame {
	from := date(1994, 1, 1)
	forest := scan(dir, "part").Where(expr.Col("p_name").Str().StartsWith("forest"))
	// The correlated subquery: what each supplier shipped of each forest
	// part (the outer IN keeps only forest parts, so only they are summed).
	shipped := scan(dir, "lineitem").
		Where(expr.Col("l_shipdate").Ge(from).And(expr.Col("l_shipdate").Lt(from.AddDate(1, 0, 0)))).
		Join(forest, frame.Semi, frame.LeftOn("l_partkey"), frame.RightOn("p_partkey")).
		GroupBy("l_partkey", "l_suppkey").
		Agg(expr.Col("l_quantity").Sum().Alias("sum_quantity"))
	// The inner join keeps forest parts only, and drops the pairs that
	// shipped nothing, for which the subquery is NULL and the comparison
	// not true.
	excess := scan(dir, "partsupp").
		Join(shipped, frame.Inner, frame.LeftOn("ps_partkey", "ps_suppkey"), frame.RightOn("l_partkey", "l_suppkey")).
		Where(expr.Col("ps_availqty").Gt(expr.Lit(0.5).Mul(expr.Col("sum_quantity"))))
	return scan(dir, "supplier").
		Join(scan(dir, "nation").Where(expr.Col("n_name").Eq("CANADA")),
			frame.Semi, frame.LeftOn("s_nationkey"), frame.RightOn("n_nationkey")).
		Join(excess, frame.Semi, frame.LeftOn("s_suppkey"), frame.RightOn("ps_suppkey")).
		Select("s_name", "s_address").
		Sort("s_name")
}

const q20SQL = `SELECT
	s_name, s_address
FROM supplier, nation
WHERE s_suppkey IN (
		SELECT ps_suppkey FROM partsupp
		WHERE ps_partkey IN (
				SELECT p_partkey FROM part WHERE p_name LIKE 'forest%')
			AND ps_availqty > (
				SELECT 0.5 * sum(l_quantity)
				FROM lineitem
				WHERE l_partkey = ps_partkey
					AND l_suppkey = ps_suppkey
					AND l_shipdate >= DATE '1994-01-01'
					AND l_shipdate < DATE '1994-01-01' + INTERVAL 1 YEAR))
	AND s_nationkey = n_nationkey
	AND n_name = 'CANADA'
ORDER BY s_name`
