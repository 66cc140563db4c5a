package queries

import (
	"lakeframe/expr"
	"lakeframe/frame"
)

// Q1 sums quantities, prices and charges of the line items shipped up to
// 90 days before 1998-12-01, per return flag and line status.
func Q1(dir string) *frame.DataFrame { return Q1Of(scan(dir, "lineitem")) }

// Q1Of is Q1 over any source of the lineitem table, such as an Iceberg
// table.
func Q1Of(lineitem *frame.DataFrame) *frame.DataFrame {
	charge := discounted().Mul(expr.Lit(1.0).Add(expr.Col("l_tax")))
	return lineitem.
		Where(expr.Col("l_shipdate").Le(date(1998, 12, 1).AddDate(0, 0, -90))).
		GroupBy("l_returnflag", "l_linestatus").
		Agg(
			expr.Col("l_quantity").Sum().Alias("sum_qty"),
			expr.Col("l_extendedprice").Sum().Alias("sum_base_price"),
			discounted().Sum().Alias("sum_disc_price"),
			charge.Sum().Alias("sum_charge"),
			expr.Col("l_quantity").Mean().Alias("avg_qty"),
			expr.Col("l_extendedprice").Mean().Alias("avg_price"),
			expr.Col("l_discount").Mean().Alias("avg_disc"),
			expr.CountAll().Alias("count_order"),
		).
		Sort("l_returnflag", "l_linestatus")
}

const q1SQL = `SELECT
	l_returnflag,
	l_linestatus,
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
ORDER BY l_returnflag, l_linestatus`
