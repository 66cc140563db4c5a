package rules_test

import (
	"testing"

	"lakeframe/expr"
	"lakeframe/plan"
	"lakeframe/plan/rules"
)

func TestPushDownLimit(t *testing.T) {
	runRule(t, rules.PushDownLimit{}, []goldenCase{
		{"into_scan", func(t *testing.T) plan.Node {
			return table(t).Limit(0, 10).Node()
		}},
		{"offset_counts_toward_scan_limit", func(t *testing.T) plan.Node {
			return table(t).Limit(3, 5).Node()
		}},
		{"through_projects", func(t *testing.T) plan.Node {
			return table(t).Project(a, s).Project(a.Add(1).Alias("x")).Limit(0, 10).Node()
		}},
		{"limits_merge", func(t *testing.T) plan.Node {
			// Rows 2..11, then rows 3..7 of those: rows 4..8.
			return table(t).Limit(1, 10).Limit(2, 5).Node()
		}},
		{"limits_merge_smaller_inner", func(t *testing.T) plan.Node {
			return table(t).Limit(0, 3).Limit(0, 10).Node()
		}},
		{"limits_merge_past_the_end", func(t *testing.T) plan.Node {
			return table(t).Limit(0, 10).Limit(20, 5).Node()
		}},
		{"exact_scan_filters", func(t *testing.T) plan.Node {
			return table(t).Pushdown(nil, []expr.Expr{a.Gt(1)}, -1).Limit(0, 10).Node()
		}},
		{"inexact_scan_filter_stays", func(t *testing.T) plan.Node {
			return table(t).Pushdown(nil, []expr.Expr{a.Gt(1), b.Lt(5)}, -1).Limit(0, 10).Node()
		}},
		{"filter_between_stays", func(t *testing.T) plan.Node {
			return table(t).Filter(s.Eq("x")).Limit(0, 10).Node()
		}},
		{"stops_at_sort", func(t *testing.T) plan.Node {
			return table(t).Sort(a.Desc()).Project(s, a).Limit(0, 10).Node()
		}},
		{"sort_limit_stays", func(t *testing.T) plan.Node {
			return table(t).Sort(a.Desc()).Limit(5, 10).Node()
		}},
		{"aggregate_stays", func(t *testing.T) plan.Node {
			return table(t).Aggregate([]expr.Expr{s}, expr.CountAll()).Limit(0, 10).Node()
		}},
		{"distinct_stays", func(t *testing.T) plan.Node {
			return table(t).Distinct().Limit(0, 10).Node()
		}},
		{"smaller_scan_limit_kept", func(t *testing.T) plan.Node {
			return table(t).Pushdown(nil, nil, 5).Limit(0, 10).Node()
		}},
		{"limit_zero", func(t *testing.T) plan.Node {
			return table(t).Project(a).Limit(0, 0).Node()
		}},
	})
}
