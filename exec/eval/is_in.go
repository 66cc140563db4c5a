package eval

import (
	"context"
	"fmt"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/compute"
	"github.com/apache/arrow-go/v18/arrow/scalar"

	"lakeframe/errs"
	"lakeframe/expr"
)

// isIn evaluates x IN (v1, ...) with SQL semantics: NULL when x is NULL,
// true when x equals a value, otherwise NULL if the list holds a NULL and
// false if not. arrow's "inconclusive" null matching is exactly that.
func (e *evaluator) isIn(ctx context.Context, x *expr.IsIn) (compute.Datum, error) {
	in, err := e.eval(ctx, x.In)
	if err != nil {
		return nil, err
	}
	defer in.Release()
	t := datumType(in)
	switch {
	case len(x.List) == 0:
		// Nothing equals a member of the empty set, not even NULL.
		return compute.NewDatum(scalar.NewBooleanScalar(false)), nil
	case t.ID() == arrow.NULL:
		return nullScalarOf(arrow.FixedWidthTypes.Boolean), nil
	case t.ID() == arrow.BOOL, t.ID() == arrow.FLOAT32, t.ID() == arrow.FLOAT64, t.ID() == arrow.FLOAT16:
		return e.isInByEquality(ctx, x, in)
	}
	set, err := e.valueSet(x, t)
	if err != nil {
		return nil, err
	}
	defer set.Release()
	out, err := compute.IsIn(ctx, compute.SetOptions{
		ValueSet:     compute.NewDatumWithoutOwning(set),
		NullBehavior: compute.NullMatchingInconclusive,
	}, in)
	if err != nil {
		return nil, wrapErr(x, err)
	}
	return out, nil
}

// valueSet builds an array of the IN list's constants, all of type t.
func (e *evaluator) valueSet(x *expr.IsIn, t arrow.DataType) (arrow.Array, error) {
	b := array.NewBuilder(e.mem, t)
	defer b.Release()
	b.Reserve(len(x.List))
	for _, item := range x.List {
		lit, ok := item.(*expr.Literal)
		if !ok {
			return nil, fmt.Errorf("evaluate %s: %w: IN list value %s is not a literal", x, errs.ErrInternal, item)
		}
		v := lit.Value
		if !v.IsValid() {
			b.AppendNull()
			continue
		}
		if !arrow.TypeEqual(v.DataType(), t) {
			return nil, fmt.Errorf("evaluate %s: %w: IN list value %s is %s, not %s", x, errs.ErrInternal, item, v.DataType(), t)
		}
		if err := scalar.Append(b, v); err != nil {
			return nil, wrapErr(x, err)
		}
	}
	return b.NewArray(), nil
}

// isInByEquality evaluates x IN (...) as x = v1 OR x = v2 ..., which has
// the same SQL semantics, for the types where arrow-go's is_in differs
// from "=": it gets NULLs wrong for Boolean input, and it matches floats
// by bit pattern (NaN in (NaN), but not 0 in (-0.0)).
func (e *evaluator) isInByEquality(ctx context.Context, x *expr.IsIn, in compute.Datum) (compute.Datum, error) {
	acc := compute.NewDatum(scalar.NewBooleanScalar(false))
	for _, item := range x.List {
		lit, ok := item.(*expr.Literal)
		if !ok {
			acc.Release()
			return nil, fmt.Errorf("evaluate %s: %w: IN list value %s is not a literal", x, errs.ErrInternal, item)
		}
		v := lit.Value
		if !v.IsValid() {
			v = scalar.MakeNullScalar(datumType(in))
		}
		eq, err := callFn(ctx, x, "equal", nil, in, compute.NewDatum(v))
		if err != nil {
			acc.Release()
			return nil, err
		}
		next, err := callFn(ctx, x, "or_kleene", nil, acc, eq)
		acc.Release()
		eq.Release()
		if err != nil {
			return nil, err
		}
		acc = next
	}
	return acc, nil
}
