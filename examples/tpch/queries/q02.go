package queries

import (
	"lakeframe/expr"
	"lakeframe/frame"
)

// Q2 finds, for each brass part of size 15, the European suppliers that
// offer it at the lowest cost among European suppliers.
func Q2(dir string) *frame.DataFrame {
	europe := scan(dir, "nation").
		Join(scan(dir, "region").Where(expr.Col("r_name").Eq("EUROPE")),
			frame.Inner, frame.LeftOn("n_regionkey"), frame.RightOn("r_regionkey"))
	suppliers := scan(dir, "supplier").
		Join(europe, frame.Inner, frame.LeftOn("s_nationkey"), frame.RightOn("n_nationkey"))
	offers := scan(dir, "part").
		Where(expr.Col("p_size").Eq(15).And(expr.Col("p_type").Str().Like("%BRASS"))).
		Join(scan(dir, "partsupp"), frame.Inner, frame.LeftOn("p_partkey"), frame.RightOn("ps_partkey")).
		Join(suppliers, frame.Inner, frame.LeftOn("ps_suppkey"), frame.RightOn("s_suppkey"))
	// The correlated subquery: the lowest European cost of each part. Only
	// the parts that passed the outer filters matter.
	lowest := offers.GroupBy("p_partkey").Agg(expr.Col("ps_supplycost").Min().Alias("min_cost"))
	return offers.
		Join(lowest, frame.Inner, frame.On("p_partkey")).
		Where(expr.Col("ps_supplycost").Eq(expr.Col("min_cost"))).
		Select("s_acctbal", "s_name", "n_name", "p_partkey", "p_mfgr", "s_address", "s_phone", "s_comment").
		Sort(expr.Col("s_acctbal").Desc(), "n_name", "s_name", "p_partkey").
		Limit(100)
}

const q2SQL = `SELECT
	s_acctbal, s_name, n_name, p_partkey, p_mfgr, s_address, s_phone, s_comment
FROM part, supplier, partsupp, nation, region
WHERE p_partkey = ps_partkey
	AND s_suppkey = ps_suppkey
	AND p_size = 15
	AND p_type LIKE '%BRASS'
	AND s_nationkey = n_nationkey
	AND n_regionkey = r_regionkey
	AND r_name = 'EUROPE'
	AND ps_supplycost = (
		SELECT min(ps_supplycost)
		FROM partsupp, supplier, nation, region
		WHERE p_partkey = ps_partkey
			AND s_suppkey = ps_suppkey
			AND s_nationkey = n_nationkey
			AND n_regionkey = r_regionkey
			AND r_name = 'EUROPE')
ORDER BY s_acctbal DESC, n_name, s_name, p_partkey
LIMIT 100`
