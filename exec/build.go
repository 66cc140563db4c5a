package exec

import (
	"fmt"

	"lakeframe/errs"
	"lakeframe/plan/physical"
)

// Build turns a physical plan into operators.
func Build(n physical.Node) (Operator, error) {
	return (&builder{shared: map[*physical.Shared]*sharedOp{}}).build(n)
}

// builder remembers the operator of each Shared node, which appears once
// per use in the plan but must run once.
type builder struct {
	shared map[*physical.Shared]*sharedOp
}

func (b *builder) build(n physical.Node) (Operator, error) {
	if s, ok := n.(*physical.Shared); ok {
		if op, ok := b.shared[s]; ok {
			return op, nil
		}
	}
	children := n.Children()
	inputs := make([]Operator, len(children))
	for i, c := range children {
		op, err := b.build(c)
		if err != nil {
			return nil, err
		}
		inputs[i] = op
	}
	switch x := n.(type) {
	case *physical.Scan:
		sc, ok := x.Source.(Scanner)
		if !ok {
			return nil, fmt.Errorf("%w: source %s cannot be read locally", errs.ErrNotImplemented, x.Source)
		}
		return &scanOp{node: x, scanner: sc}, nil
	case *physical.Filter:
		return &filterOp{input: inputs[0], pred: x.Pred}, nil
	case *physical.Project:
		return &projectOp{input: inputs[0], node: x}, nil
	case *physical.HashAggregate:
		return newAggregateOp(inputs[0], x)
	case *physical.Coalesce:
		return &coalesceOp{input: inputs[0]}, nil
	case *physical.Sort:
		return newSortOp(inputs[0], x.Keys, -1)
	case *physical.TopK:
		return newSortOp(inputs[0], x.Keys, x.K)
	case *physical.Limit:
		return &limitOp{input: inputs[0], offset: x.Offset, n: x.N}, nil
	case *physical.Shared:
		op := newSharedOp(inputs[0], x.Consumers)
		b.shared[x] = op
		return op, nil
	case *physical.Values:
		return &valuesOp{node: x}, nil
	case *physical.HashJoin:
		return newHashJoinOp(inputs[0], inputs[1], x)
	case *physical.Union:
		return &unionOp{node: x, inputs: inputs}, nil
	}
	return nil, fmt.Errorf("%w: no operator for %T", errs.ErrNotImplemented, n)
}
