package queries

import (
	"lakeframe/expr"
	"lakeframe/frame"
)

// Q11 lists German stock whose value is more than 0.01% of all German
// stock's value (the fraction is 0.0001 divided by the scale factor; these
// parameters are those of scale factor 1).
func Q11(dir string) *frame.DataFrame {
	german := scan(dir, "partsupp").
		Join(scan(dir, "supplier"), frame.Inner, frame.LeftOn("ps_suppkey"), frame.RightOn("s_suppkey")).
		Join(scan(dir, "nation").Where(expr.Col("n_name").Eq("GERMANY")),
			frame.Semi, frame.LeftOn("s_nationkey"), frame.RightOn("n_nationkey"))
	value := expr.Col("ps_supplycost").Mul(expr.Col("ps_availqty"))
	// The uncorrelated scalar subquery: one row, joined to every group.
	threshold := german.
		Agg(value.Sum().Alias("total")).
		Select(expr.Col("total").Mul(0.0001).Alias("threshold"))
	return german.
		GroupBy("ps_partkey").
		Agg(value.Sum().Alias("value")).
		Join(threshold, frame.Cross).
		Where(expr.Col("value").Gt(expr.Col("threshold"))).
		Select("ps_partkey", "value").
		Sort(expr.Col("value").Desc())
}

const q11SQL = `SELECT
	ps_partkey,
	sum(ps_supplycost * ps_availqty) AS value
FROM partsupp, supplier, nation
WHERE ps_suppkey = s_suppkey
	AND s_nationkey = n_nationkey
	AND n_name = 'GERMANY'
GROUP BY ps_partkey
HAVING sum(ps_supplycost * ps_availqty) > (
	SELECT sum(ps_supplycost * ps_availqty) * 0.0001
	FROM partsupp, supplier, nation
	WHERE ps_suppkey = s_suppkey
		AND s_nationkey = n_nationkey
		AND n_name = 'GERMANY')
ORDER BY value DESC`
