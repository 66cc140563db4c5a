package rules_test

import (
	"testing"

	"lakeframe/expr"
	"lakeframe/plan"
	"lakeframe/plan/plantest"
	"lakeframe/plan/rules"
)

func TestReorderJoins(t *testing.T) {
	col := expr.Col
	cross := func(t *testing.T, names ...string) *plantest.Builder {
		b := kt(t, names[0])
		for _, n := range names[1:] {
			b = b.Join(kt(t, n), plan.CrossJoin)
		}
		return b
	}
	runRule(t, rules.ReorderJoins{}, []goldenCase{
		{"cross_product_avoided", func(t *testing.T) plan.Node {
			// p and q share nothing; s connects to both.
			return kt(t, "p").Join(kt(t, "q"), plan.CrossJoin).
				Join(kt(t, "s"), plan.InnerJoin, plantest.On(col("p_k"), col("s_k")), plantest.On(col("q_v"), col("s_v"))).Node()
		}},
		{"filter_above_chain", func(t *testing.T) plan.Node {
			// As written: (((p × q) × s) × u), every condition in one filter.
			return cross(t, "p", "q", "s", "u").
				Filter(col("p_k").Eq(col("s_k")).And(col("u_k").Eq(col("q_k"))).And(col("s_v").Eq(col("u_v"))).And(col("p_v").Lt(col("q_v")))).Node()
		}},
		{"connected_order_stays", func(t *testing.T) plan.Node {
			return kt(t, "p").Join(kt(t, "q"), plan.InnerJoin, plantest.On(col("p_k"), col("q_k"))).
				Join(kt(t, "s"), plan.InnerJoin, plantest.On(col("q_v"), col("s_v"))).Node()
		}},
		{"unavoidable_cross_product_stays", func(t *testing.T) plan.Node {
			return kt(t, "p").Join(kt(t, "q"), plan.InnerJoin, plantest.On(col("p_k"), col("q_k"))).
				Join(kt(t, "s"), plan.CrossJoin).Node()
		}},
		{"two_tables_stay", func(t *testing.T) plan.Node {
			return kt(t, "p").Join(kt(t, "q"), plan.CrossJoin).Node()
		}},
		{"float_equality_does_not_connect", func(t *testing.T) plan.Node {
			src := func(name string) *plantest.Builder {
				return plantest.ScanOf(t, plantest.MustSource(t, name, name+"_k:int64", name+"_f:float64"))
			}
			return src("p").Join(src("q"), plan.CrossJoin).
				Join(src("s"), plan.InnerJoin, plantest.On(col("q_k"), col("s_k")), plantest.Where(col("p_f").Eq(col("s_f")))).Node()
		}},
		{"bushy_cross_product_avoided", func(t *testing.T) plan.Node {
			// p ⋈ (q × s) with p-q and p-s keys.
			qs := kt(t, "q").Join(kt(t, "s"), plan.CrossJoin)
			return kt(t, "p").Join(qs, plan.InnerJoin, plantest.On(col("p_k"), col("q_k")), plantest.On(col("p_v"), col("s_v"))).Node()
		}},
		{"outer_join_is_a_leaf", func(t *testing.T) plan.Node {
			pq := kt(t, "p").Join(kt(t, "q"), plan.LeftJoin, plantest.On(col("p_k"), col("q_k")))
			return pq.Join(kt(t, "s"), plan.CrossJoin).Join(kt(t, "u"), plan.InnerJoin,
				plantest.On(col("p_v"), col("u_v")), plantest.On(col("s_k"), col("u_k"))).Node()
		}},
		{"chain_below_aggregate", func(t *testing.T) plan.Node {
			return cross(t, "p", "q", "s").
				Filter(col("p_k").Eq(col("s_k")).And(col("s_v").Eq(col("q_v")))).
				Aggregate([]expr.Expr{col("q_v")}, expr.CountAll()).Node()
		}},
		{"renamed_columns_left_alone", func(t *testing.T) plan.Node {
			return lt(t).Join(rt(t), plan.CrossJoin).
				Join(kt(t, "p"), plan.InnerJoin, plantest.On(col("a"), col("p_k")), plantest.On(col("y"), col("p_k"))).Node()
		}},
	})
}
