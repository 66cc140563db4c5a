package plan

import (
	"fmt"

	"github.com/apache/arrow-go/v18/arrow"

	"lakeframe/errs"
	"lakeframe/expr"
)

// Sort orders rows by its keys, each an expr.SortKey.
type Sort struct {
	Input Node
	Keys  []*expr.SortKey
}

var _ Node = (*Sort)(nil)

// NewSort resolves the keys; a plain expression sorts ascending.
func NewSort(in Node, keys []expr.Node) (*Sort, error) {
	if len(keys) == 0 {
		return nil, fmt.Errorf("%w: sort needs at least one key", errs.ErrPlan)
	}
	out := make([]*expr.SortKey, len(keys))
	for i, k := range keys {
		sk, ok := k.(*expr.SortKey)
		if !ok {
			sk = &expr.SortKey{In: k}
		}
		r, err := expr.Resolve(sk, in.Schema())
		if err != nil {
			return nil, err
		}
		if expr.HasAgg(r) {
			return nil, fmt.Errorf("%w: sort %s: aggregates are not allowed in a sort key", errs.ErrPlan, k)
		}
		out[i] = r.(*expr.SortKey)
	}
	return &Sort{Input: in, Keys: out}, nil
}

func (s *Sort) Schema() *arrow.Schema { return s.Input.Schema() }
func (s *Sort) Children() []Node      { return []Node{s.Input} }
func (s *Sort) WithChildren(children ...Node) (Node, error) {
	if len(children) != 1 {
		return nil, fmt.Errorf("%w: sort takes one input, got %d", errs.ErrInternal, len(children))
	}
	keys := make([]expr.Node, len(s.Keys))
	for i, k := range s.Keys {
		keys[i] = k
	}
	return NewSort(children[0], keys)
}

func (s *Sort) String() string {
	keys := make([]expr.Node, len(s.Keys))
	for i, k := range s.Keys {
		keys[i] = k
	}
	return "Sort " + formatExprs(keys)
}
