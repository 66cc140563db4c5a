package remote

import (
	"context"
	"fmt"

	"github.com/apache/arrow-go/v18/arrow"

	"lakeframe/errs"
	"lakeframe/expr"
	"lakeframe/plan"
)

// runnerSource is what the sources the runner plants in a plan (fragment
// results, reduce task results) share: the runner has already planned
// their tasks and they take no pushdowns.
type runnerSource struct {
	kind   string
	schema *arrow.Schema
	desc   string
}

func (s *runnerSource) Kind() string          { return s.kind }
func (s *runnerSource) Schema() *arrow.Schema { return s.schema }
func (s *runnerSource) String() string        { return s.desc }
func (s *runnerSource) SupportsFilter(expr.Node) plan.FilterSupport {
	return plan.FilterUnsupported
}
func (s *runnerSource) Plan(context.Context, plan.Pushdown) (*plan.ScanPlan, error) {
	return nil, fmt.Errorf("%w: %s tasks are planned by the runner", errs.ErrInternal, s.kind)
}
