package queries

import (
	"lakeframe/expr"
	"lakeframe/frame"
)

// Q22 counts the customers of seven country codes with an above-average
// positive balance who have never ordered, and sums their balances.
func Q22(dir string) *frame.DataFrame {
	candidates := scan(dir, "customer").
		WithColumn("cntrycode", expr.Col("c_phone").Str().Substr(1, 2)).
		Where(expr.Col("cntrycode").IsIn("13", "31", "23", "29", "30", "18", "17"))
	// The uncorrelated scalar subquery: one row, joined to every customer.
	average := candidates.
		Where(expr.Col("c_acctbal").Gt(0.0)).
		Agg(expr.Col("c_acctbal").Mean().Alias("avg_acctbal"))
	return candidates.
		Join(average, frame.Cross).
		Where(expr.Col("c_acctbal").Gt(expr.Col("avg_acctbal"))).
		// NOT EXISTS (an order of the customer)
		Join(scan(dir, "orders"), frame.Anti, frame.LeftOn("c_custkey"), frame.RightOn("o_custkey")).
		GroupBy("cntrycode").
		Agg(
			expr.CountAll().Alias("numcust"),
			expr.Col("c_acctbal").Sum().Alias("totacctbal"),
		).
		Sort("cntrycode")
}

const q22SQL = `SELECT
	cntrycode, count(*) AS numcust, sum(c_acctbal) AS totacctbal
FROM (
	SELECT substring(c_phone FROM 1 FOR 2) AS cntrycode, c_acctbal
	FROM customer
	WHERE substring(c_phone FROM 1 FOR 2) IN ('13', '31', '23', '29', '30', '18', '17')
		AND c_acctbal > (
			SELECT avg(c_acctbal) FROM customer
			WHERE c_acctbal > 0.00
				AND substring(c_phone FROM 1 FOR 2) IN ('13', '31', '23', '29', '30', '18', '17'))
		AND NOT EXISTS (
			SELECT * FROM orders WHERE o_custkey = c_custkey)
	) AS custsale
GROUP BY cntrycode
ORDER BY cntrycode`
