package plan

import (
	"fmt"

	"github.com/apache/arrow-go/v18/arrow"

	"lakeframe/errs"
	"lakeframe/expr"
)

// Aggregate groups rows by Keys and computes Aggs per group. With no keys
// it produces exactly one row. Output columns are the keys, then the
// aggregates.
type Aggregate struct {
	Input  Node
	Keys   []expr.Node
	Aggs   []expr.Node // each an expr.Agg, possibly under an Alias
	schema *arrow.Schema
}

var _ Node = (*Aggregate)(nil)

// NewAggregate resolves keys and aggregates against the input.
func NewAggregate(in Node, keys, aggs []expr.Node) (*Aggregate, error) {
	var fields []arrow.Field
	seen := map[string]bool{}
	add := func(step string, e expr.Node) (expr.Node, error) {
		r, err := expr.Resolve(e, in.Schema())
		if err != nil {
			return nil, err
		}
		f, err := expr.Field(r, in.Schema())
		if err != nil {
			return nil, err
		}
		if seen[f.Name] {
			return nil, fmt.Errorf("%w: %s: duplicate output column %q (use Alias)", errs.ErrPlan, step, f.Name)
		}
		seen[f.Name] = true
		fields = append(fields, f)
		return r, nil
	}
	rk := make([]expr.Node, len(keys))
	for i, k := range keys {
		if expr.HasAgg(k) {
			return nil, fmt.Errorf("%w: group by %s: a group key cannot be an aggregate", errs.ErrPlan, k)
		}
		var err error
		if rk[i], err = add("group by", k); err != nil {
			return nil, err
		}
	}
	ra := make([]expr.Node, len(aggs))
	for i, a := range aggs {
		if _, ok := expr.Unalias(a).(*expr.Agg); !ok {
			return nil, fmt.Errorf("%w: agg %s: expected an aggregate such as Sum or Count (compute on its result with a later Select)", errs.ErrPlan, a)
		}
		var err error
		if ra[i], err = add("agg", a); err != nil {
			return nil, err
		}
	}
	return &Aggregate{Input: in, Keys: rk, Aggs: ra, schema: arrow.NewSchema(fields, nil)}, nil
}

func (a *Aggregate) Schema() *arrow.Schema { return a.schema }
func (a *Aggregate) Children() []Node      { return []Node{a.Input} }
func (a *Aggregate) WithChildren(children ...Node) (Node, error) {
	if len(children) != 1 {
		return nil, fmt.Errorf("%w: aggregate takes one input, got %d", errs.ErrInternal, len(children))
	}
	return NewAggregate(children[0], a.Keys, a.Aggs)
}

func (a *Aggregate) String() string {
	return "Aggregate keys=[" + formatExprs(a.Keys) + "] aggs=[" + formatExprs(a.Aggs) + "]"
}
