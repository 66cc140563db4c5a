package physical_test

import (
	"context"
	"testing"

	"lakeframe/expr"
	"lakeframe/plan"
	"lakeframe/plan/physical"
	"lakeframe/plan/plantest"
)

// sizedSource is a plantest source whose scans report a size.
type sizedSource struct {
	*plantest.Source
	bytes int64
}

func (s sizedSource) Plan(ctx context.Context, p plan.Pushdown) (*plan.ScanPlan, error) {
	sp, err := s.Source.Plan(ctx, p)
	if err != nil {
		return nil, err
	}
	sp.Stats.BytesToRead = s.bytes
	return sp, nil
}

// TestLowerJoinBuildSide checks that a join builds on the side estimated
// smaller, semi and anti joins included, and on the right when the sizes
// are unknown or equal.
func TestLowerJoinBuildSide(t *testing.T) {
	cases := []struct {
		typ         plan.JoinType
		left, right int64 // 0: no estimate
		buildLeft   bool
	}{
		{plan.SemiJoin, 100, 1000, true},
		{plan.SemiJoin, 1000, 100, false},
		{plan.AntiJoin, 100, 1000, true},
		{plan.AntiJoin, 1000, 100, false},
		{plan.AntiJoin, 0, 1000, false},
		{plan.SemiJoin, 500, 500, false},
		{plan.InnerJoin, 100, 1000, true},
		{plan.LeftJoin, 1000, 100, false},
	}
	for _, c := range cases {
		t.Run(c.typ.String(), func(t *testing.T) {
			l := sizedSource{plantest.MustSource(t, "l", "a:int64", "x:int64"), c.left}
			r := sizedSource{plantest.MustSource(t, "r", "c:int64", "y:int64"), c.right}
			j := plantest.ScanOf(t, l).Join(plantest.ScanOf(t, r), c.typ, plantest.On(expr.Col("a"), expr.Col("c"))).Node()
			n, err := physical.Lower(context.Background(), j, &physical.Config{Parallelism: 2})
			if err != nil {
				t.Fatal(err)
			}
			hj, ok := n.(*physical.HashJoin)
			if !ok {
				t.Fatalf("lowered to %T, want a hash join", n)
			}
			if hj.BuildIsLeft != c.buildLeft {
				t.Errorf("left %d bytes, right %d: build on the left %v, want %v", c.left, c.right, hj.BuildIsLeft, c.buildLeft)
			}
		})
	}
}
