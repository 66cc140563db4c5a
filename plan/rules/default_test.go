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
		{"tpch_q3_as_written", func(t *testing.T) plan.Node {
			// As examples/tpch writes it: filtered scans, explicit keys.
			cutoff := day(1995, 3, 15)
			customers := tpch(t, "customer").Filter(col("c_mktsegment").Eq("BUILDING"))
			orders := tpch(t, "orders").Filter(col("o_orderdate").Lt(cutoff))
			return tpch(t, "lineitem").Filter(col("l_shipdate").Gt(cutoff)).
				Join(orders, plan.InnerJoin, plantest.On(col("l_orderkey"), col("o_orderkey"))).
				Join(customers, plan.SemiJoin, plantest.On(col("o_custkey"), col("c_custkey"))).
				Aggregate([]expr.Expr{col("l_orderkey"), col("o_orderdate"), col("o_shippriority")}, revenue()).
				Project(col("l_orderkey"), col("revenue"), col("o_orderdate"), col("o_shippriority")).
				Sort(col("revenue").Desc(), col("o_orderdate")).
				Limit(0, 10).Node()
		}},
		{"tpch_q3_as_sql", func(t *testing.T) plan.Node {
			// As the SQL text: FROM customer, orders, lineitem WHERE ...
			cutoff := day(1995, 3, 15)
			return tpchFrom(t, "customer", "orders", "lineitem").
				Filter(where(col("c_mktsegment").Eq("BUILDING"), col("c_custkey").Eq(col("o_custkey")),
					col("l_orderkey").Eq(col("o_orderkey")), col("o_orderdate").Lt(cutoff), col("l_shipdate").Gt(cutoff))).
				Aggregate([]expr.Expr{col("l_orderkey"), col("o_orderdate"), col("o_shippriority")}, revenue()).
				Project(col("l_orderkey"), col("revenue"), col("o_orderdate"), col("o_shippriority")).
				Sort(col("revenue").Desc(), col("o_orderdate")).
				Limit(0, 10).Node()
		}},
		{"tpch_q5_as_written", func(t *testing.T) plan.Node {
			from := day(1994, 1, 1)
			asia := tpch(t, "nation").Join(tpch(t, "region").Filter(col("r_name").Eq("ASIA")),
				plan.InnerJoin, plantest.On(col("n_regionkey"), col("r_regionkey")))
			customers := tpch(t, "customer").Join(asia, plan.InnerJoin, plantest.On(col("c_nationkey"), col("n_nationkey")))
			orders := tpch(t, "orders").Filter(col("o_orderdate").Ge(from).And(col("o_orderdate").Lt(from.AddDate(1, 0, 0)))).
				Join(customers, plan.InnerJoin, plantest.On(col("o_custkey"), col("c_custkey")))
			return tpch(t, "lineitem").
				Join(orders, plan.InnerJoin, plantest.On(col("l_orderkey"), col("o_orderkey"))).
				Join(tpch(t, "supplier"), plan.InnerJoin,
					plantest.On(col("l_suppkey"), col("s_suppkey")), plantest.On(col("c_nationkey"), col("s_nationkey"))).
				Aggregate([]expr.Expr{col("n_name")}, revenue()).
				Sort(col("revenue").Desc()).Node()
		}},
		{"tpch_q5_as_sql", func(t *testing.T) plan.Node {
			from := day(1994, 1, 1)
			return tpchFrom(t, "customer", "orders", "lineitem", "supplier", "nation", "region").
				Filter(where(col("c_custkey").Eq(col("o_custkey")), col("l_orderkey").Eq(col("o_orderkey")),
					col("l_suppkey").Eq(col("s_suppkey")), col("c_nationkey").Eq(col("s_nationkey")),
					col("s_nationkey").Eq(col("n_nationkey")), col("n_regionkey").Eq(col("r_regionkey")),
					col("r_name").Eq("ASIA"), col("o_orderdate").Ge(from), col("o_orderdate").Lt(from.AddDate(1, 0, 0)))).
				Aggregate([]expr.Expr{col("n_name")}, revenue()).
				Sort(col("revenue").Desc()).Node()
		}},
		{"tpch_q9_as_sql", func(t *testing.T) plan.Node {
			// part and supplier come first and share no column.
			amount := col("l_extendedprice").Mul(expr.Lit(1.0).Sub(col("l_discount"))).Sub(col("ps_supplycost").Mul(col("l_quantity")))
			return tpchFrom(t, "part", "supplier", "lineitem", "partsupp", "orders", "nation").
				Filter(where(col("s_suppkey").Eq(col("l_suppkey")), col("ps_suppkey").Eq(col("l_suppkey")),
					col("ps_partkey").Eq(col("l_partkey")), col("p_partkey").Eq(col("l_partkey")),
					col("o_orderkey").Eq(col("l_orderkey")), col("s_nationkey").Eq(col("n_nationkey")),
					col("p_name").Str().Contains("green"))).
				Project(col("n_name").Alias("nation"), col("o_orderdate").Dt().Year().Alias("o_year"), amount.Alias("amount")).
				Aggregate([]expr.Expr{col("nation"), col("o_year")}, col("amount").Sum().Alias("sum_profit")).
				Sort(col("nation"), col("o_year").Desc()).Node()
		}},
		{"tpch_q13_left_join", func(t *testing.T) plan.Node {
			// The condition on orders stays in the left join; the count of
			// orders per customer must see customers without any.
			return tpch(t, "customer").
				Join(tpch(t, "orders"), plan.LeftJoin, plantest.On(col("c_custkey"), col("o_custkey")),
					plantest.Where(col("o_comment").Str().Like("%special%requests%").Not())).
				Aggregate([]expr.Expr{col("c_custkey")}, col("o_orderkey").Count().Alias("c_count")).
				Aggregate([]expr.Expr{col("c_count")}, expr.CountAll().Alias("custdist")).Node()
		}},
		{"outer_join_made_inner_then_pruned", func(t *testing.T) plan.Node {
			return tpch(t, "orders").
				Join(tpch(t, "customer"), plan.LeftJoin, plantest.On(col("o_custkey"), col("c_custkey"))).
				Filter(col("c_mktsegment").Eq("BUILDING")).
				Project(col("o_orderkey"), col("c_name")).Node()
		}},
		{"distinct", func(t *testing.T) plan.Node {
			return lineitem(t).Project(col("l_returnflag"), col("l_linestatus")).Distinct().
				Filter(col("l_linestatus").Eq("F")).Project(col("l_returnflag")).Node()
		}},
	})
}
