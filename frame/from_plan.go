package frame

import (
	"fmt"

	"lakeframe/errs"
	"lakeframe/plan"
)

// FromPlan makes a frame of a logical plan built elsewhere (the SQL front
// end binds queries to plan nodes), so that it runs, explains and composes
// like any other frame.
func FromPlan(n plan.Node) *DataFrame {
	if n == nil {
		return failed(fmt.Errorf("from_plan: %w: the plan is nil", errs.ErrPlan))
	}
	return fromNode(n)
}
