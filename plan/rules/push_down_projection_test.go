package rules_test

import (
	"testing"

	"lakeframe/expr"
	"lakeframe/plan"
	"lakeframe/plan/plantest"
	"lakeframe/plan/rules"
)

func TestPushDownProjection(t *testing.T) {
	runRule(t, rules.PushDownProjection{}, []goldenCase{
		{"scan_columns_from_project", func(t *testing.T) plan.Node {
			return table(t).Project(s, a).Node()
		}},
		{"filter_columns_kept", func(t *testing.T) plan.Node {
			return table(t).Filter(ok).Project(a).Node()
		}},
		{"scan_filters_need_no_columns", func(t *testing.T) plan.Node {
			return table(t).Pushdown(nil, []expr.Expr{d.Gt("2024-01-01")}, -1).Project(a).Node()
		}},
		{"unused_project_exprs", func(t *testing.T) plan.Node {
			return table(t).Project(a.Alias("x"), b.Add(1).Alias("y"), s).Project(expr.Col("x")).Node()
		}},
		{"unused_aggregates", func(t *testing.T) plan.Node {
			return table(t).Aggregate([]expr.Expr{s}, a.Sum().Alias("sa"), b.Max().Alias("mb")).Project(s, expr.Col("mb")).Node()
		}},
		{"keys_kept_without_aggregates", func(t *testing.T) plan.Node {
			return table(t).Aggregate([]expr.Expr{s, ok}, a.Sum().Alias("sa")).Project(s).Node()
		}},
		{"global_aggregate_keeps_one", func(t *testing.T) plan.Node {
			return table(t).Aggregate(nil, a.Sum().Alias("x"), b.Sum().Alias("y")).Project(expr.Lit(1).Alias("one")).Node()
		}},
		{"count_star_reads_one_column", func(t *testing.T) plan.Node {
			return plantest.Scan(t, "s:string", "f:float64", "a:int64").Aggregate(nil, expr.CountAll()).Node()
		}},
		{"literal_project_reads_one_column", func(t *testing.T) plan.Node {
			return table(t).Project(expr.Lit(1).Alias("one")).Node()
		}},
		{"sort_gets_narrow_input", func(t *testing.T) plan.Node {
			return table(t).Filter(s.Eq("x")).Sort(b).Project(a).Node()
		}},
		{"sort_over_scan_needs_no_project", func(t *testing.T) plan.Node {
			return table(t).Sort(b).Project(a).Node()
		}},
		{"distinct_needs_all_columns", func(t *testing.T) plan.Node {
			return table(t).Project(a, b).Distinct().Project(a).Node()
		}},
		{"limit_passes_need_through", func(t *testing.T) plan.Node {
			return table(t).Limit(0, 5).Project(s).Node()
		}},
		{"root_schema_kept", func(t *testing.T) plan.Node {
			return table(t).Filter(a.Gt(1)).Sort(s).Node()
		}},
		{"identity_project_removed", func(t *testing.T) plan.Node {
			return table(t).Project(a, b, s).Project(a, b).Node()
		}},
		{"renaming_project_kept", func(t *testing.T) plan.Node {
			return table(t).Pushdown([]string{"a"}, nil, -1).Project(a.Alias("x")).Node()
		}},
		{"repeated_source_names_left_alone", func(t *testing.T) plan.Node {
			return plantest.Scan(t, "a:int64", "a:string", "b:int64").Aggregate(nil, expr.CountAll()).Node()
		}},
		{"already_pruned", func(t *testing.T) plan.Node {
			return table(t).Pushdown([]string{"a", "s"}, nil, -1).Filter(s.Eq("x")).Project(a).Node()
		}},
	})
}

func TestPushDownProjectionJoins(t *testing.T) {
	runRule(t, rules.PushDownProjection{}, []goldenCase{
		{"join_inputs_pruned", func(t *testing.T) plan.Node {
			return innerLR(t, plan.InnerJoin).Project(a, x).Node()
		}},
		{"join_condition_columns_kept", func(t *testing.T) plan.Node {
			return lt(t).Join(rt(t), plan.LeftJoin, plantest.On(id, id), plantest.Where(a.Lt(y))).Project(x).Node()
		}},
		{"join_suffixing_column_kept", func(t *testing.T) plan.Node {
			// Without l.name, name_right would be called name.
			return innerLR(t, plan.InnerJoin).Project(nameRight, a).Node()
		}},
		{"join_double_suffix_kept", func(t *testing.T) plan.Node {
			left := plantest.ScanOf(t, plantest.MustSource(t, "l2", "u:int64", "v:int64", "v_r:int64", "w:int64"))
			right := plantest.ScanOf(t, plantest.MustSource(t, "r2", "v:int64", "z:int64", "zz:int64"))
			return left.Join(right, plan.InnerJoin, plantest.On(expr.Col("w"), expr.Col("z")), plantest.Suffix("_r")).
				Project(expr.Col("v_r_r")).Node()
		}},
		{"join_semi_reads_right_keys_only", func(t *testing.T) plan.Node {
			return lt(t).Join(rt(t), plan.SemiJoin, plantest.On(id, id), plantest.Where(x.Ne(name))).Project(a).Node()
		}},
		{"join_coalesced_key", func(t *testing.T) plan.Node {
			return lt(t).Join(rt(t), plan.InnerJoin, plantest.Using("id")).Project(id, g).Node()
		}},
		{"join_count_over_cross", func(t *testing.T) plan.Node {
			return lt(t).Join(rt(t), plan.CrossJoin).Aggregate(nil, expr.CountAll()).Node()
		}},
		{"column_picking_project_read_through", func(t *testing.T) plan.Node {
			return table(t).Project(b, a.Alias("k"), s).Project(expr.Col("k").Add(b).Alias("sum"), expr.Col("k")).Node()
		}},
		{"join_root_keeps_every_column", func(t *testing.T) plan.Node {
			return innerLR(t, plan.FullJoin).Node()
		}},
		{"join_chain", func(t *testing.T) plan.Node {
			return innerLR(t, plan.InnerJoin).
				Join(kt(t, "p"), plan.InnerJoin, plantest.On(y, expr.Col("p_k"))).
				Aggregate([]expr.Expr{expr.Col("p_v")}, a.Sum().Alias("total")).Node()
		}},
	})
}
