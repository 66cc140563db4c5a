package rules

import "lakeframe/plan"

// Default returns the optimizer's standard batches, in the order they run.
// Each call returns a new slice that the caller may change.
func Default() []plan.Batch {
	return []plan.Batch{
		// First, and to a fixed point: fold constants and push filters and
		// limits toward the data. Filter pushdown substitutes projected
		// expressions into predicates, which can leave new constants to
		// fold; folding can turn a filter into a Limit 0 that limit
		// pushdown then carries to the scan. Filters go before limits so
		// that a scan's filters are settled when limit pushdown asks
		// whether they are exact. Filter pushdown also settles joins: it
		// turns outer joins inner under filters that reject their NULLs,
		// moves the conditions of cross joins written as a WHERE clause
		// into keys, and adds IS NOT NULL on keys for sources to prune.
		plan.FixedPoint("simplify_and_push_down", 8,
			SimplifyExpressions{}, PushDownFilter{}, PushDownLimit{}),
		// Then the join order, which needs every join condition gathered
		// into the joins: a chain of inner and cross joins is reordered
		// when that avoids cross products. Conditions keep the place the
		// fixed point gave them relative to the leaves, so nothing above
		// needs to run again. Build sides are the physical planner's
		// choice, from scan statistics.
		plan.Once("join_order", ReorderJoins{}),
		// Last: which columns each node needs depends on where the filters
		// ended up and how the joins were ordered, so columns are pruned
		// once everything else has moved.
		plan.Once("prune_columns", PushDownProjection{}),
	}
}
