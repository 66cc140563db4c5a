package rules_test

import (
	"testing"
	"time"

	"lakeframe/expr"
	"lakeframe/plan"
	"lakeframe/plan/plantest"
	"lakeframe/plan/rules"
)

func lineitem(t *testing.T) *plantest.Builder {
	t.Helper()
	src := plantest.MustSource(t, "lineitem",
		"l_orderkey:int64:exact", "l_quantity:decimal(15,2):inexact", "l_extendedprice:decimal(15,2)",
		"l_discount:decimal(15,2):inexact", "l_tax:decimal(15,2)", "l_returnflag:string:exact",
		"l_linestatus:string:exact", "l_shipdate:date32:inexact", "l_comment:string")
	return plantest.ScanOf(t, src)
}

func TestDefault(t *testing.T) {
	col := expr.Col
	runBatches(t, "default", rules.Default, []goldenCase{
		{"pricing_summary", func(t *testing.T) plan.Node {
			// TPC-H Q1 in shape: scan, filter, project, aggregate, sort, limit.
			return lineitem(t).
				Filter(col("l_shipdate").Le(time.Date(1998, 9, 2, 0, 0, 0, 0, time.UTC))).
				Project(col("l_returnflag"), col("l_linestatus"), col("l_quantity"),
					col("l_extendedprice").Mul(expr.Lit(1).Sub(col("l_discount"))).Alias("disc_price")).
				Aggregate([]expr.Expr{col("l_returnflag"), col("l_linestatus")},
					col("l_quantity").Sum().Alias("sum_qty"),
					col("disc_price").Sum().Alias("sum_disc_price"),
					expr.CountAll().Alias("count_order")).
				Sort(col("l_returnflag"), col("l_linestatus")).
				Limit(0, 100).Node()
		}},
		{"filters_on_keys_and_aggregates", func(t *testing.T) plan.Node {
			return lineitem(t).
				Aggregate([]expr.Expr{col("l_returnflag").Alias("flag")}, col("l_quantity").Sum().Alias("qty")).
				Filter(col("flag").Ne("R").And(col("qty").Gt(100))).
				Sort(col("qty").Desc()).
				Limit(0, 3).Node()
		}},
		{"constant_filter_through_project", func(t *testing.T) plan.Node {
			// one = 1 becomes 1 = 1 below the project, folds to TRUE and
			// goes away.
			return lineitem(t).
				Project(col("l_orderkey"), col("l_comment"), expr.Lit(1).Alias("one")).
				Filter(col("one").Eq(1).And(col("l_orderkey").Lt(1000))).
				Project(col("l_orderkey")).Node()
		}},
		{"contradiction_reads_nothing", func(t *testing.T) plan.Node {
			return lineitem(t).
				Project(col("l_orderkey"), expr.Lit(1).Alias("one")).
				Filter(col("one").Eq(2)).
				Project(col("l_orderkey")).Node()
		}},
		{"top_k", func(t *testing.T) plan.Node {
			return lineitem(t).
				Filter(col("l_comment").Str().Contains("special").And(col("l_shipdate").Ge("1995-01-01"))).
				Sort(col("l_extendedprice").Desc()).
				Project(col("l_orderkey"), col("l_extendedprice")).
				Limit(0, 10).Node()
		}},
		{"limit_without_filters", func(t *testing.T) plan.Node {
			return lineitem(t).Project(col("l_orderkey").Alias("k"), col("l_tax")).Limit(5, 20).Node()
		}},
		{"limit_over_exact_filter", func(t *testing.T) plan.Node {
			return lineitem(t).Filter(col("l_returnflag").Eq("A").Not()).Project(col("l_orderkey")).Limit(0, 20).Node()
		}},
		{"distinct", func(t *testing.T) plan.Node {
			return lineitem(t).Project(col("l_returnflag"), col("l_linestatus")).Distinct().
				Filter(col("l_linestatus").Eq("F")).Project(col("l_returnflag")).Node()
		}},
	})
}
