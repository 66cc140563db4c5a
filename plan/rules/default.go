package rules

import "lakeframe/plan"

// Default returns the optimizer's standard batches, in the order they run.
// Each call returns a new slice that the caller may change.
func Default() []plan.Batch {
	return []plan.Batch{
		// First, and to a fixed point: fold constants, push filters toward
		// the data, order joins and push limits. Filter pushdown
		// substitutes projected expressions into predicates, which can
		// leave new constants to fold; folding can turn a filter into a
		// Limit 0 that limit pushdown then carries to the scan. Filter
		// pushdown also settles joins: it turns outer joins inner under
		// filters that reject their NULLs, gathers the conditions of cross
		// joins written as a WHERE clause into keys, and adds IS NOT NULL
		// on keys for sources to prune. Join ordering comes after it, as it
		// needs those conditions in the joins to see which tables connect;
		// the Project it puts above a reordered chain is then open to the
		// other rules (a limit passes it). Limits go last so that a scan's
		// filters are settled when limit pushdown asks whether they are
		// exact. Build sides are the physical planner's choice, from scan
		// statistics.
		plan.FixedPoint("simplify_and_push_down", 8,
			SimplifyExpressions{}, PushDownFilter{}, ReorderJoins{}, PushDownLimit{}),
		// Last: which columns each node needs depends on where the filters
		// ended up and how the joins were ordered, so columns are pruned
		// once everything else has moved.
		plan.Once("prune_columns", PushDownProjection{}),
	}
}
