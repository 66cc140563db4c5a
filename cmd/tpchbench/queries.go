package main

import (
	"time"

	"lakeframe/expr"
	"lakeframe/frame"
	"lakeframe/internal/tpchgen"
)

// benchQuery is one TPC-H query written twice: with the DataFrame API and
// as the specification's SQL, for DuckDB.
type benchQuery struct {
	name string
	df   func(dir string) *frame.DataFrame
	sql  string
}

func date(s string) time.Time {
	t, err := time.Parse("2006-01-02", s)
	if err != nil {
		panic(err) // constant dates of the query texts
	}
	return t
}

var queries = []benchQuery{
	{
		name: "q1",
		df: func(dir string) *frame.DataFrame {
			l := frame.ReadParquet(tpchgen.Glob(dir, "lineitem"))
			discPrice := expr.Col("l_extendedprice").Mul(expr.Lit(1.0).Sub(expr.Col("l_discount")))
			return l.
				Where(expr.Col("l_shipdate").Le(date("1998-12-01").AddDate(0, 0, -90))).
				GroupBy("l_returnflag", "l_linestatus").
				Agg(
					expr.Col("l_quantity").Sum().Alias("sum_qty"),
					expr.Col("l_extendedprice").Sum().Alias("sum_base_price"),
					discPrice.Sum().Alias("sum_disc_price"),
					discPrice.Mul(expr.Lit(1.0).Add(expr.Col("l_tax"))).Sum().Alias("sum_charge"),
					expr.Col("l_quantity").Mean().Alias("avg_qty"),
					expr.Col("l_extendedprice").Mean().Alias("avg_price"),
					expr.Col("l_discount").Mean().Alias("avg_disc"),
					expr.CountAll().Alias("count_order"),
				).
				Sort("l_returnflag", "l_linestatus")
		},
		sql: `SELECT l_returnflag, l_linestatus,
	sum(l_quantity) AS sum_qty,
	sum(l_extendedprice) AS sum_base_price,
	sum(l_extendedprice * (1 - l_discount)) AS sum_disc_price,
	sum(l_extendedprice * (1 - l_discount) * (1 + l_tax)) AS sum_charge,
	avg(l_quantity) AS avg_qty,
	avg(l_extendedprice) AS avg_price,
	avg(l_discount) AS avg_disc,
	count(*) AS count_order
FROM lineitem
WHERE l_shipdate <= DATE '1998-12-01' - INTERVAL 90 DAY
GROUP BY l_returnflag, l_linestatus
ORDER BY l_returnflag, l_linestatus`,
	},
	{
		name: "q6",
		df: func(dir string) *frame.DataFrame {
			l := frame.ReadParquet(tpchgen.Glob(dir, "lineitem"))
			return l.
				Where(expr.Col("l_shipdate").Ge(date("1994-01-01")).
					And(expr.Col("l_shipdate").Lt(date("1995-01-01"))).
					And(expr.Col("l_discount").Between(0.06-0.01, 0.06+0.01)).
					And(expr.Col("l_quantity").Lt(24))).
				Agg(expr.Col("l_extendedprice").Mul(expr.Col("l_discount")).Sum().Alias("revenue"))
		},
		sql: `SELECT sum(l_extendedprice * l_discount) AS revenue
FROM lineitem
WHERE l_shipdate >= DATE '1994-01-01'
	AND l_shipdate < DATE '1994-01-01' + INTERVAL 1 YEAR
	AND l_discount BETWEEN 0.06 - 0.01 AND 0.06 + 0.01
	AND l_quantity < 24`,
	},
}
