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
// the ELSE value or NULL. Branches are evaluated on whole columns; one that
// fails is evaluated again on only the rows that reach it (see retryOn).
func (e *evaluator) caseWhen(ctx context.Context, c *expr.Case) (compute.Datum, error) {
	if len(c.Whens) != len(c.Thens) || len(c.Whens) == 0 {
		return nil, fmt.Errorf("evaluate %s: %w: %d conditions for %d values", c, errs.ErrInternal, len(c.Whens), len(c.Thens))
	}
	k := len(c.Whens)
	conds := make([]compute.Datum, 0, k)
	values := make([]compute.Datum, 0, k+1)
	defer func() {
		releaseAll(conds)
		releaseAll(values)
	}()
	rows := int(e.batch.NumRows())
	// remaining(j) is the set of rows none of the first j conditions is
	// true on: only they need condition j, or the ELSE value.
	remaining := func(j int) rowSet {
		s := allRows(rows)
		for _, d := range conds[:j] {
			s = s.minus(rowsWhere(d, rows, true, false))
		}
		return s
	}
	for i := range k {
		cond, err := e.eval(ctx, c.Whens[i])
		if err != nil {
			if cond, err = e.retryOn(ctx, c.Whens[i], remaining(i), err); err != nil {
				return nil, err
			}
		}
		conds = append(conds, cond)
		value, err := e.eval(ctx, c.Thens[i])
		if err != nil {
			taken := remaining(i).and(rowsWhere(cond, rows, true, false))
			if value, err = e.retryOn(ctx, c.Thens[i], taken, err); err != nil {
				return nil, err
			}
		}
		values = append(values, value)
	}
	if c.Else != nil {
		value, err := e.eval(ctx, c.Else)
		if err != nil {
			if value, err = e.retryOn(ctx, c.Else, remaining(k), err); err != nil {
				return nil, err
			}
		}
		values = append(values, value)
	}
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
	for _, d := range append(append([]compute.Datum(nil), conds...), values...) {
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
