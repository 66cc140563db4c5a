package queries

import (
	"lakeframe/expr"
	"lakeframe/frame"
)

// Q16 counts the suppliers, without customer complaints, that can supply
// parts of given sizes, per brand, type and size.
func Q16(dir string) *frame.DataFrame {
	parts := scan(dir, "part").
		Where(expr.Col("p_brand").Ne("Brand#45").
			And(expr.Col("p_type").Str().Like("MEDIUM POLISHED%").Not()).
			And(expr.Col("p_size").IsIn(49, 14, 23, 45, 19, 3, 36, 9)))
	complained := scan(dir, "supplier").Where(expr.Col("s_comment").Str().Like("%Customer%Complaints%"))
	return scan(dir, "partsupp").
		// NOT IN (suppliers with complaints); s_suppkey is never NULL, so
		// an anti join means the same.
		Join(complained, frame.Anti, frame.LeftOn("ps_suppkey"), frame.RightOn("s_suppkey")).
		Join(parts, frame.Inner, frame.LeftOn("ps_partkey"), frame.RightOn("p_partkey")).
		GroupBy("p_brand", "p_type", "p_size").
		Agg(expr.Col("ps_suppkey").CountDistinct().Alias("supplier_cnt")).
		Sort(expr.Col("supplier_cnt").Desc(), "p_brand", "p_type", "p_size")
}

const q16SQL = `SELECT
	p_brand, p_type, p_size,
	count(DISTINCT ps_suppkey) AS supplier_cnt
FROM partsupp, part
WHERE p_partkey = ps_partkey
	AND p_brand <> 'Brand#45'
	AND p_type NOT LIKE 'MEDIUM POLISHED%'
	AND p_size IN (49, 14, 23, 45, 19, 3, 36, 9)
	AND ps_suppkey NOT IN (
		SELECT s_suppkey FROM supplier
		WHERE s_comment LIKE '%Customer%Complaints%')
GROUP BY p_brand, p_type, p_size
ORDER BY supplier_cnt DESC, p_brand, p_type, p_size`
