package eval

import (
	"context"
	"fmt"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/compute"
	"github.com/apache/arrow-go/v18/arrow/scalar"

	"lakeframe/errs"
	"lakeframe/expr"
)

func (e *evaluator) unary(ctx context.Context, u *expr.Unary) (compute.Datum, error) {
	in, err := e.eval(ctx, u.In)
	if err != nil {
		return nil, err
	}
	defer in.Release()
	switch u.Op {
	case expr.OpNot:
		if isNullType(in) {
			return nullScalarOf(arrow.FixedWidthTypes.Boolean), nil
		}
		return e.not(u, in)
	case expr.OpIsNull, expr.OpIsNotNull:
		if isNullType(in) {
			// arrow's is_null reports false for the Null type.
			return compute.NewDatum(scalar.NewBooleanScalar(u.Op == expr.OpIsNull)), nil
		}
		return e.isNull(u, in, u.Op == expr.OpIsNull)
	case expr.OpNeg:
		return e.negate(ctx, u, in)
	}
	return nil, fmt.Errorf("evaluate %s: %w: unknown unary operator %d", u, errs.ErrInternal, u.Op)
}

// negate is -x; the most negative integer has no negation and is an
// overflow error, as in DuckDB.
func (e *evaluator) negate(ctx context.Context, u *expr.Unary, in compute.Datum) (compute.Datum, error) {
	t := datumType(in)
	switch {
	case isFloat(t):
		return callFn(ctx, u, "negate_unchecked", nil, in)
	case isSignedInt(t):
		return e.negateSigned(u, in)
	case isUnsigned(t):
		// arrow has no negate for unsigned types; 0 - x is checked and
		// fails for every x but 0, which is what -x means in that type.
		zero, err := scalar.NewInt64Scalar(0).CastTo(t)
		if err != nil {
			return nil, wrapErr(u, err)
		}
		return callFn(ctx, u, "subtract", nil, compute.NewDatum(zero), in)
	}
	return callFn(ctx, u, "negate", nil, in)
}
