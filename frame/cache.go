package frame

import "lakeframe/plan"

// Cache marks the frame's rows to be computed once per query, however many
// times the query uses the frame: a frame joined with an aggregate of
// itself reads its input once.
//
//	revenue := lineitem.GroupBy("l_suppkey").Agg(...).Cache()
//	top := revenue.Join(revenue.Agg(expr.Col("total").Max().Alias("total")), frame.Semi, frame.On("total"))
func (df *DataFrame) Cache() *DataFrame {
	return df.then("cache", func(in plan.Node) (plan.Node, error) {
		return plan.NewCache(in), nil
	})
}
