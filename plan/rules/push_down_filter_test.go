package rules_test

import (
	"testing"

	"lakeframe/expr"
	"lakeframe/plan"
	"lakeframe/plan/plantest"
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

func TestPushDownFilterJoins(t *testing.T) {
	runRule(t, rules.PushDownFilter{}, []goldenCase{
		{"join_inner_to_both_sides", func(t *testing.T) plan.Node {
			return innerLR(t, plan.InnerJoin).Filter(a.Gt(1).And(x.Eq("q")).And(a.Add(y).Gt(3))).Node()
		}},
		{"join_inner_equality_becomes_key", func(t *testing.T) plan.Node {
			return innerLR(t, plan.InnerJoin).Filter(a.Eq(y)).Node()
		}},
		{"join_inner_float_equality_stays_condition", func(t *testing.T) plan.Node {
			return innerLR(t, plan.InnerJoin).Filter(f.Eq(g)).Node()
		}},
		{"join_cross_becomes_inner", func(t *testing.T) plan.Node {
			return lt(t).Join(rt(t), plan.CrossJoin).Filter(id.Eq(idRight).And(a.Gt(1)).And(name.Ne(nameRight))).Node()
		}},
		{"join_cross_without_equality_keeps_filter", func(t *testing.T) plan.Node {
			return lt(t).Join(rt(t), plan.CrossJoin).Filter(a.Lt(y).And(x.Eq("q"))).Node()
		}},
		{"join_suffixed_right_column", func(t *testing.T) plan.Node {
			return innerLR(t, plan.InnerJoin).Filter(nameRight.Eq("n").And(idRight.Gt(2))).Node()
		}},
		{"join_coalesced_key_goes_left", func(t *testing.T) plan.Node {
			return lt(t).Join(rt(t), plan.InnerJoin, plantest.Using("id")).Filter(id.Gt(5)).Node()
		}},
		{"join_left_keeps_left_rows", func(t *testing.T) plan.Node {
			return innerLR(t, plan.LeftJoin).Filter(a.Gt(1)).Node()
		}},
		{"join_left_is_null_stays", func(t *testing.T) plan.Node {
			// Keeps exactly the left rows without a match: must stay above.
			return innerLR(t, plan.LeftJoin).Filter(x.IsNull().Or(expr.Coalesce(y, 0).Eq(0))).Node()
		}},
		{"join_left_becomes_inner", func(t *testing.T) plan.Node {
			return innerLR(t, plan.LeftJoin).Filter(x.Str().Like("a%").And(a.Gt(1))).Node()
		}},
		{"join_left_mixed_null_rejecting", func(t *testing.T) plan.Node {
			// a + y > 3 is NULL wherever y is: the join becomes inner and the
			// conjunct its condition.
			return innerLR(t, plan.LeftJoin).Filter(a.Add(y).Gt(3)).Node()
		}},
		{"join_left_or_not_null_rejecting", func(t *testing.T) plan.Node {
			return innerLR(t, plan.LeftJoin).Filter(x.Eq("q").Or(a.Gt(1))).Node()
		}},
		{"join_right_becomes_inner", func(t *testing.T) plan.Node {
			return innerLR(t, plan.RightJoin).Filter(a.IsIn(1, 2).And(x.Eq("q"))).Node()
		}},
		{"join_right_keeps_right_rows", func(t *testing.T) plan.Node {
			return innerLR(t, plan.RightJoin).Filter(x.Eq("q").And(a.IsNull())).Node()
		}},
		{"join_full_becomes_left", func(t *testing.T) plan.Node {
			return innerLR(t, plan.FullJoin).Filter(a.Gt(1)).Node()
		}},
		{"join_full_becomes_right", func(t *testing.T) plan.Node {
			return innerLR(t, plan.FullJoin).Filter(y.Ne(0)).Node()
		}},
		{"join_full_becomes_inner", func(t *testing.T) plan.Node {
			return innerLR(t, plan.FullJoin).Filter(a.Lt(y)).Node()
		}},
		{"join_full_stays", func(t *testing.T) plan.Node {
			return innerLR(t, plan.FullJoin).Filter(a.IsNull().Or(y.IsNull())).Node()
		}},
		{"join_semi_to_left", func(t *testing.T) plan.Node {
			return innerLR(t, plan.SemiJoin).Filter(a.Gt(1).And(name.Eq("n"))).Node()
		}},
		{"join_anti_to_left", func(t *testing.T) plan.Node {
			return innerLR(t, plan.AntiJoin).Filter(a.Gt(1)).Node()
		}},
		{"join_condition_inner_split", func(t *testing.T) plan.Node {
			return lt(t).Join(rt(t), plan.InnerJoin, plantest.On(id, id),
				plantest.Where(a.Gt(1).And(x.Eq("q")).And(name.Lt(nameRight)).And(a.Eq(y)))).Node()
		}},
		{"join_condition_inner_only_one_side_becomes_cross", func(t *testing.T) plan.Node {
			return lt(t).Join(rt(t), plan.InnerJoin, plantest.Where(a.Gt(1).And(x.Eq("q")))).Node()
		}},
		{"join_condition_left_right_side_pushed", func(t *testing.T) plan.Node {
			return lt(t).Join(rt(t), plan.LeftJoin, plantest.On(id, id), plantest.Where(a.Gt(1).And(x.Eq("q")))).Node()
		}},
		{"join_condition_right_left_side_pushed", func(t *testing.T) plan.Node {
			return lt(t).Join(rt(t), plan.RightJoin, plantest.On(id, id), plantest.Where(a.Gt(1).And(x.Eq("q")))).Node()
		}},
		{"join_condition_full_stays", func(t *testing.T) plan.Node {
			return lt(t).Join(rt(t), plan.FullJoin, plantest.On(id, id), plantest.Where(a.Gt(1).And(x.Eq("q")))).Node()
		}},
		{"join_condition_semi_both_pushed", func(t *testing.T) plan.Node {
			return lt(t).Join(rt(t), plan.SemiJoin, plantest.On(id, id), plantest.Where(a.Gt(1).And(x.Eq("q")))).Node()
		}},
		{"join_condition_anti_right_pushed", func(t *testing.T) plan.Node {
			return lt(t).Join(rt(t), plan.AntiJoin, plantest.On(id, id), plantest.Where(a.Gt(1).And(x.Eq("q")))).Node()
		}},
		{"join_condition_equality_becomes_key", func(t *testing.T) plan.Node {
			return lt(t).Join(rt(t), plan.LeftJoin, plantest.Where(id.Eq(idRight).And(name.Ne(nameRight)))).Node()
		}},
		{"join_condition_keyless_left_kept", func(t *testing.T) plan.Node {
			return lt(t).Join(rt(t), plan.LeftJoin, plantest.Where(x.Eq("q"))).Node()
		}},
		{"join_condition_coalesced_pair_stays", func(t *testing.T) plan.Node {
			// As a key, name = name would drop name_right from the output.
			return lt(t).Join(rt(t), plan.InnerJoin, plantest.Using("id"), plantest.Where(name.Eq(nameRight))).Node()
		}},
		{"join_through_project", func(t *testing.T) plan.Node {
			return innerLR(t, plan.InnerJoin).Project(a.Mul(2).Alias("a2"), x).Filter(expr.Col("a2").Gt(4).And(x.Ne("q"))).Node()
		}},
		{"join_chain_cross_to_inner", func(t *testing.T) plan.Node {
			return kt(t, "p").Join(kt(t, "q"), plan.CrossJoin).Join(kt(t, "s"), plan.CrossJoin).
				Filter(expr.Col("p_k").Eq(expr.Col("q_k")).And(expr.Col("q_v").Eq(expr.Col("s_v"))).And(expr.Col("s_v").Eq("z"))).Node()
		}},
		{"join_not_null_keys_inferred", func(t *testing.T) plan.Node {
			return kt(t, "p").Join(kt(t, "q"), plan.InnerJoin, plantest.On(expr.Col("p_k"), expr.Col("q_k"))).Node()
		}},
		{"join_not_null_keys_inner_side_of_left_join", func(t *testing.T) plan.Node {
			return kt(t, "p").Join(kt(t, "q"), plan.LeftJoin, plantest.On(expr.Col("p_k"), expr.Col("q_k"))).Node()
		}},
		{"join_not_null_keys_anti_right_only", func(t *testing.T) plan.Node {
			return kt(t, "p").Join(kt(t, "q"), plan.AntiJoin, plantest.On(expr.Col("p_k"), expr.Col("q_k"))).Node()
		}},
		{"join_not_null_keys_full_none", func(t *testing.T) plan.Node {
			return kt(t, "p").Join(kt(t, "q"), plan.FullJoin, plantest.On(expr.Col("p_k"), expr.Col("q_k"))).Node()
		}},
		{"join_not_null_keys_already_filtered", func(t *testing.T) plan.Node {
			return kt(t, "p").Filter(expr.Col("p_k").Gt(3)).
				Join(kt(t, "q").Filter(expr.Col("q_k").IsIn(1, 2)), plan.InnerJoin, plantest.On(expr.Col("p_k"), expr.Col("q_k"))).Node()
		}},
		{"join_not_null_keys_unsupported_source", func(t *testing.T) plan.Node {
			return innerLR(t, plan.InnerJoin).Node()
		}},
		{"join_not_null_keys_expression_key", func(t *testing.T) plan.Node {
			return kt(t, "p").Join(kt(t, "q"), plan.InnerJoin, plantest.On(expr.Col("p_k").Add(1), expr.Col("q_k"))).Node()
		}},
		{"join_not_null_key_makes_lower_left_join_inner", func(t *testing.T) plan.Node {
			lower := kt(t, "p").Join(kt(t, "q"), plan.LeftJoin, plantest.On(expr.Col("p_v"), expr.Col("q_v")))
			return lower.Join(kt(t, "s"), plan.InnerJoin, plantest.On(expr.Col("q_k"), expr.Col("s_k"))).Node()
		}},
	})
}

func TestPushDownFilterTransferOnKeys(t *testing.T) {
	// l.a and r.y are int64 keys: a is pushed exactly, y inexactly.
	onAY := func(t *testing.T, typ plan.JoinType, opts ...plantest.JoinOption) *plantest.Builder {
		t.Helper()
		return lt(t).Join(rt(t), typ, append([]plantest.JoinOption{plantest.On(a, y)}, opts...)...)
	}
	pk, qk, sk := expr.Col("p_k"), expr.Col("q_k"), expr.Col("s_k")
	runRule(t, rules.PushDownFilter{}, []goldenCase{
		{"transfer_key_tests_both_ways", func(t *testing.T) plan.Node {
			// a < 10 and a IN (...) go right as y's; the BETWEEN on y
			// goes left as a's. a > id reads two columns and name is no
			// key: neither is copied.
			return onAY(t, plan.InnerJoin).
				Filter(a.Lt(10).And(a.IsIn(1, 2, 3)).And(y.Between(1, 100)).And(a.Gt(id)).And(name.Eq("n"))).Node()
		}},
		{"transfer_no_duplicate", func(t *testing.T) plan.Node {
			return onAY(t, plan.InnerJoin).Filter(a.Eq(5).And(y.Eq(5))).Node()
		}},
		{"transfer_from_join_condition", func(t *testing.T) plan.Node {
			return onAY(t, plan.InnerJoin, plantest.Where(y.Lt(7))).Node()
		}},
		{"transfer_semi_left_to_right_only", func(t *testing.T) plan.Node {
			// a > 1 is copied to r; y < 7, on the right, stays there.
			return onAY(t, plan.SemiJoin, plantest.Where(y.Lt(7))).Filter(a.Gt(1)).Node()
		}},
		{"transfer_chain", func(t *testing.T) plan.Node {
			// s_k = 3 reaches q_k, and through the lower join p_k.
			lower := kt(t, "p").Join(kt(t, "q"), plan.InnerJoin, plantest.On(pk, qk))
			return lower.Join(kt(t, "s"), plan.InnerJoin, plantest.On(qk, sk)).Filter(sk.Eq(3)).Node()
		}},
		{"transfer_not_across_left_join", func(t *testing.T) plan.Node {
			return onAY(t, plan.LeftJoin).Filter(a.Gt(1)).Node()
		}},
		{"transfer_not_across_anti_join", func(t *testing.T) plan.Node {
			return onAY(t, plan.AntiJoin).Filter(a.Gt(1)).Node()
		}},
		{"transfer_not_through_expression_key", func(t *testing.T) plan.Node {
			return lt(t).Join(rt(t), plan.InnerJoin, plantest.On(a.Add(1), y)).Filter(a.Lt(5).And(y.Lt(5))).Node()
		}},
	})
}
