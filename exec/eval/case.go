package eval

import (
	"context"
	"fmt"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/compute"
	"github.com/apache/arrow-go/v18/arrow/scalar"

	"lakeframe/errs"
	"lakeframe/exec/kernel"
	"lakeframe/expr"
)

// caseWhen evaluates CASE WHEN c1 THEN v1 ... [ELSE e] END: per row the
// value of the first true condition (a NULL condition is not true), else
// the ELSE value or NULL. Every branch is evaluated on every row, so an
// error in a branch no row takes (say, an overflow) still fails.
func (e *evaluator) caseWhen(ctx context.Context, c *expr.Case) (compute.Datum, error) {
	if len(c.Whens) != len(c.Thens) || len(c.Whens) == 0 {
		return nil, fmt.Errorf("evaluate %s: %w: %d conditions for %d values", c, errs.ErrInternal, len(c.Whens), len(c.Thens))
	}
	nodes := append(append([]expr.Node(nil), c.Whens...), c.Thens...)
	if c.Else != nil {
		nodes = append(nodes, c.Else)
	}
	args, err := e.evalAll(ctx, nodes)
	if err != nil {
		return nil, err
	}
	defer releaseAll(args)
	k := len(c.Whens)
	conds, values := args[:k], args[k:]
	for i, d := range conds {
		if t := datumType(d); t.ID() != arrow.BOOL {
			if t.ID() != arrow.NULL {
				return nil, fmt.Errorf("evaluate %s: %w: condition %s is %s", c, errs.ErrInternal, c.Whens[i], t)
			}
			// A NULL condition is never true.
			conds[i] = compute.NewDatum(scalar.NewBooleanScalar(false))
			d.Release()
		}
	}
	constant := true
	for _, d := range args {
		constant = constant && isScalar(d)
	}
	return e.choose(c, values, constant, func(arrs []arrow.Array) (arrow.Array, error) {
		condArrs := make([]arrow.Array, 0, k)
		defer func() {
			for _, a := range condArrs {
				a.Release()
			}
		}()
		for _, d := range conds {
			a, err := e.kernelInput(c, d)
			if err != nil {
				return nil, err
			}
			condArrs = append(condArrs, a)
		}
		var elseArr arrow.Array
		if c.Else != nil {
			elseArr = arrs[k]
		}
		return kernel.CaseWhen(e.mem, condArrs, arrs[:k], elseArr)
	})
}
