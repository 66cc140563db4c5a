package queries

import (
	"lakeframe/expr"
	"lakeframe/frame"
)

// Q19 sums the discounted revenue of air shipments, delivered in person,
// of three brand, container, quantity and size combinations.
func Q19(dir string) *frame.DataFrame {
	kind := func(brand string, containers []any, minQty, maxSize int) expr.Expr {
		return expr.Col("p_brand").Eq(brand).
			And(expr.Col("p_container").IsIn(containers...)).
			And(expr.Col("l_quantity").Between(minQty, minQty+10)).
			And(expr.Col("p_size").Between(1, maxSize))
	}
	return scan(dir, "lineitem").
		// The conditions on line items that all three branches share.
		Where(expr.Col("l_shipmode").IsIn("AIR", "AIR REG").
			And(expr.Col("l_shipinstruct").Eq("DELIVER IN PERSON"))).
		Join(scan(dir, "part"), frame.Inner, frame.LeftOn("l_partkey"), frame.RightOn("p_partkey")).
		Where(kind("Brand#12", []any{"SM CASE", "SM BOX", "SM PACK", "SM PKG"}, 1, 5).
			Or(kind("Brand#23", []any{"MED BAG", "MED BOX", "MED PKG", "MED PACK"}, 10, 10)).
			Or(kind("Brand#34", []any{"LG CASE", "LG BOX", "LG PACK", "LG PKG"}, 20, 15))).
		Agg(discounted().Sum().Alias("revenue"))
}

const q19SQL = `SELECT
	sum(l_extendedprice * (1 - l_discount)) AS revenue
FROM lineitem, part
WHERE (
		p_partkey = l_partkey
		AND p_brand = 'Brand#12'
		AND p_container IN ('SM CASE', 'SM BOX', 'SM PACK', 'SM PKG')
		AND l_quantity >= 1 AND l_quantity <= 1 + 10
		AND p_size BETWEEN 1 AND 5
		AND l_shipmode IN ('AIR', 'AIR REG')
		AND l_shipinstruct = 'DELIVER IN PERSON'
	) OR (
		p_partkey = l_partkey
		AND p_brand = 'Brand#23'
		AND p_container IN ('MED BAG', 'MED BOX', 'MED PKG', 'MED PACK')
		AND l_quantity >= 10 AND l_quantity <= 10 + 10
		AND p_size BETWEEN 1 AND 10
		AND l_shipmode IN ('AIR', 'AIR REG')
		AND l_shipinstruct = 'DELIVER IN PERSON'
	) OR (
		p_partkey = l_partkey
		AND p_brand = 'Brand#34'
		AND p_container IN ('LG CASE', 'LG BOX', 'LG PACK', 'LG PKG')
		AND l_quantity >= 20 AND l_quantity <= 20 + 10
		AND p_size BETWEEN 1 AND 15
		AND l_shipmode IN ('AIR', 'AIR REG')
		AND l_shipinstruct = 'DELIVER IN PERSON'
	)`
