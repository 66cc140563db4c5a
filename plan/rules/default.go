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
		// whether they are exact.
		plan.FixedPoint("simplify_and_push_down", 8,
			SimplifyExpressions{}, PushDownFilter{}, PushDownLimit{}),
		// Last: which columns each node needs depends on where the filters
		// ended up, so columns are pruned once everything else has moved.
		plan.Once("prune_columns", PushDownProjection{}),
	}
}
