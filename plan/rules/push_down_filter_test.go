package rules_test

import (
	"testing"

	"lakeframe/expr"
	"lakeframe/plan"
	"lakeframe/plan/rules"
)

func TestPushDownFilter(t *testing.T) {
	runRule(t, rules.PushDownFilter{}, []goldenCase{
		{"into_scan_exact", func(t *testing.T) plan.Node {
			return table(t).Filter(a.Gt(1)).Node()
		}},
		{"into_scan_inexact_stays_above", func(t *testing.T) plan.Node {
			return table(t).Filter(b.Lt(5)).Node()
		}},
		{"unsupported_stays", func(t *testing.T) plan.Node {
			return table(t).Filter(s.Eq("x")).Node()
		}},
		{"conjuncts_split", func(t *testing.T) plan.Node {
			return table(t).Filter(a.Gt(1).And(s.Eq("x")).And(b.Lt(5))).Node()
		}},
		{"two_columns_least_support", func(t *testing.T) plan.Node {
			// a is exact and b inexact: a > b is inexact.
			return table(t).Filter(a.Gt(b)).Node()
		}},
		{"inexact_already_in_scan", func(t *testing.T) plan.Node {
			return table(t).Pushdown(nil, []expr.Expr{b.Lt(5)}, -1).Filter(b.Lt(5)).Node()
		}},
		{"into_projected_scan", func(t *testing.T) plan.Node {
			return table(t).Pushdown([]string{"s", "a"}, []expr.Expr{d.Gt("2024-01-01")}, -1).Filter(a.Gt(1)).Node()
		}},
		{"scan_with_limit_stays", func(t *testing.T) plan.Node {
			return table(t).Pushdown(nil, nil, 10).Filter(a.Gt(1)).Node()
		}},
		{"through_project_renamed_column", func(t *testing.T) plan.Node {
			return table(t).Project(a.Alias("x"), s).Filter(expr.Col("x").Gt(1).And(s.Eq("y"))).Node()
		}},
		{"through_project_expression", func(t *testing.T) plan.Node {
			return table(t).Project(a.Add(b).Alias("total"), s).Filter(expr.Col("total").Gt(10)).Node()
		}},
		{"through_project_literal", func(t *testing.T) plan.Node {
			return table(t).Project(a, expr.Lit(1).Alias("one")).Filter(expr.Col("one").Eq(a)).Node()
		}},
		{"through_sort", func(t *testing.T) plan.Node {
			return table(t).Sort(a).Filter(s.Eq("x").And(a.Gt(1))).Node()
		}},
		{"through_distinct", func(t *testing.T) plan.Node {
			return table(t).Project(a, s).Distinct().Filter(a.Gt(1)).Node()
		}},
		{"through_aggregate_group_key", func(t *testing.T) plan.Node {
			return table(t).
				Aggregate([]expr.Expr{s, a}, b.Sum().Alias("total")).
				Filter(s.Eq("x").And(expr.Col("total").Gt(10)).And(a.Gt(s.Str().Length()))).Node()
		}},
		{"through_aggregate_aliased_key", func(t *testing.T) plan.Node {
			return table(t).Aggregate([]expr.Expr{a.Alias("k")}, expr.CountAll()).Filter(expr.Col("k").Lt(3)).Node()
		}},
		{"aggregate_output_stays", func(t *testing.T) plan.Node {
			return table(t).Aggregate([]expr.Expr{s}, b.Sum().Alias("total")).Filter(expr.Col("total").Gt(10)).Node()
		}},
		{"aggregate_computed_key_stays", func(t *testing.T) plan.Node {
			return table(t).Aggregate([]expr.Expr{a.Add(1).Alias("k")}, expr.CountAll()).Filter(expr.Col("k").Gt(3)).Node()
		}},
		{"global_aggregate_constant_stays", func(t *testing.T) plan.Node {
			// Below, FALSE would leave one row of empty aggregates.
			return table(t).Aggregate(nil, expr.CountAll()).Filter(expr.Lit(false)).Node()
		}},
		{"not_through_limit", func(t *testing.T) plan.Node {
			return table(t).Limit(0, 10).Filter(a.Gt(1)).Node()
		}},
		{"filters_merge", func(t *testing.T) plan.Node {
			return table(t).Filter(s.Ne("y")).Filter(s.Eq("x")).Node()
		}},
		{"deep_chain", func(t *testing.T) plan.Node {
			return table(t).
				Filter(s.Ne("y")).
				Project(a, b, s, a.Mul(2).Alias("a2")).
				Sort(b.Desc()).
				Filter(expr.Col("a2").Gt(10).And(b.Lt(5))).
				Project(expr.Col("a2"), s).
				Filter(s.Str().StartsWith("x")).Node()
		}},
		{"constant_conjunct_stays_above_scan", func(t *testing.T) plan.Node {
			return table(t).Project(a, expr.Lit(1).Alias("one")).Filter(expr.Col("one").Eq(2).And(a.Gt(1))).Node()
		}},
		{"filter_below_limit_still_pushed", func(t *testing.T) plan.Node {
			return table(t).Project(a, s).Filter(a.Gt(1)).Limit(0, 5).Filter(s.Eq("x")).Node()
		}},
	})
}
