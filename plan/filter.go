package plan

import (
	"fmt"

	"github.com/apache/arrow-go/v18/arrow"

	"lakeframe/errs"
	"lakeframe/expr"
)

// Filter keeps the rows for which Pred is true (not false, not NULL).
type Filter struct {
	Input Node
	Pred  expr.Node
}

var _ Node = (*Filter)(nil)

// NewFilter resolves pred against the input and checks that it is boolean.
func NewFilter(in Node, pred expr.Node) (*Filter, error) {
	resolved, err := expr.Resolve(pred, in.Schema())
	if err != nil {
		return nil, err
	}
	if expr.HasAgg(resolved) {
		return nil, fmt.Errorf("%w: filter %s: aggregates are not allowed in a filter", errs.ErrPlan, pred)
	}
	t, err := expr.TypeOf(resolved, in.Schema())
	if err != nil {
		return nil, err
	}
	if t.ID() != arrow.BOOL && t.ID() != arrow.NULL {
		return nil, fmt.Errorf("%w: filter %s: predicate is %s, not boolean", errs.ErrPlan, pred, t)
	}
	return &Filter{Input: in, Pred: resolved}, nil
}

func (f *Filter) Schema() *arrow.Schema { return f.Input.Schema() }
func (f *Filter) Children() []Node      { return []Node{f.Input} }
func (f *Filter) WithChildren(children ...Node) (Node, error) {
	if len(children) != 1 {
		return nil, fmt.Errorf("%w: filter takes one input, got %d", errs.ErrInternal, len(children))
	}
	return NewFilter(children[0], f.Pred)
}
func (f *Filter) String() string { return "Filter " + f.Pred.String() }
