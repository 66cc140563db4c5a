package rules_test

import (
	"testing"

	"lakeframe/expr"
	"lakeframe/plan"
	"lakeframe/plan/plantest"
	"lakeframe/plan/rules"
)

func TestUnionRules(t *testing.T) {
	other := func(t *testing.T) *plantest.Builder { return table(t).Project(a, b, s) }
	t.Run("filter", func(t *testing.T) {
		runRule(t, rules.PushDownFilter{}, []goldenCase{
			{"into_union_inputs", func(t *testing.T) plan.Node {
				return other(t).Union(other(t).Filter(b.Gt(0))).Filter(a.Gt(1).And(s.Eq("x"))).Node()
			}},
		})
	})
	t.Run("projection", func(t *testing.T) {
		runRule(t, rules.PushDownProjection{}, []goldenCase{
			{"into_union_inputs", func(t *testing.T) plan.Node {
				return other(t).Union(other(t)).Project(s).Node()
			}},
			{"union_counted", func(t *testing.T) plan.Node {
				return other(t).Union(other(t)).Aggregate(nil, expr.CountAll()).Node()
			}},
		})
	})
	t.Run("limit", func(t *testing.T) {
		runRule(t, rules.PushDownLimit{}, []goldenCase{
			{"into_union_inputs", func(t *testing.T) plan.Node {
				return other(t).Union(table(t).Project(a, b, s).Limit(0, 2)).Limit(3, 4).Node()
			}},
		})
	})
}
