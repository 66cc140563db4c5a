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

func (e *evaluator) binary(ctx context.Context, b *expr.Binary) (compute.Datum, error) {
	l, err := e.eval(ctx, b.Left)
	if err != nil {
		return e.nullIfStaticallyNull(ctx, b, err)
	}
	defer l.Release()
	// FALSE AND x and TRUE OR x do not depend on x: skip evaluating it.
	if b.Op.IsLogical() && isScalar(l) && scalarOf(l).IsValid() {
		if v, ok := scalarOf(l).(*scalar.Boolean); ok && v.Value == (b.Op == expr.OpOr) {
			return compute.NewDatum(scalar.NewBooleanScalar(v.Value)), nil
		}
	}
	r, err := e.eval(ctx, b.Right)
	if err != nil && b.Op.IsLogical() {
		// Only rows the left side leaves undecided need the right side.
		rows := int(e.batch.NumRows())
		r, err = e.retryOn(ctx, b.Right, allRows(rows).minus(rowsWhere(l, rows, b.Op == expr.OpOr, false)), err)
	}
	if err != nil {
		return e.nullIfStaticallyNull(ctx, b, err)
	}
	defer r.Release()
	switch {
	case b.Op.IsLogical():
		fn := "and_kleene"
		if b.Op == expr.OpOr {
			fn = "or_kleene"
		}
		return callFn(ctx, b, fn, nil, l, r)
	case b.Op.IsComparison():
		return e.compare(ctx, b, l, r)
	}
	return e.arithmetic(ctx, b, l, r)
}

var comparisonFns = [...]string{
	expr.OpEq: "equal",
	expr.OpNe: "not_equal",
	expr.OpLt: "less",
	expr.OpLe: "less_equal",
	expr.OpGt: "greater",
	expr.OpGe: "greater_equal",
}

// compare evaluates a comparison of two operands of one type.
func (e *evaluator) compare(ctx context.Context, b *expr.Binary, l, r compute.Datum) (compute.Datum, error) {
	lt, rt := datumType(l), datumType(r)
	if lt.ID() == arrow.NULL || rt.ID() == arrow.NULL {
		return nullScalarOf(arrow.FixedWidthTypes.Boolean), nil
	}
	if !arrow.TypeEqual(lt, rt) {
		return nil, fmt.Errorf("evaluate %s: %w: operands have types %s and %s; the tree is not resolved", b, errs.ErrInternal, lt, rt)
	}
	if lt.ID() == arrow.BOOL && b.Op != expr.OpEq && b.Op != expr.OpNe {
		return e.compareBool(ctx, b, l, r)
	}
	return callFn(ctx, b, comparisonFns[b.Op], nil, l, r)
}

// compareBool orders booleans (false < true), which arrow's comparison
// kernels do not: a < b is b AND NOT a. The non-Kleene and_not gives NULL
// for any NULL operand, as a comparison must.
func (e *evaluator) compareBool(ctx context.Context, b *expr.Binary, l, r compute.Datum) (compute.Datum, error) {
	var x, y compute.Datum // and_not(x, y) is x AND NOT y
	negate := false
	switch b.Op {
	case expr.OpLt: // l < r
		x, y = r, l
	case expr.OpGt: // l > r
		x, y = l, r
	case expr.OpLe: // NOT (l > r)
		x, y, negate = l, r, true
	case expr.OpGe: // NOT (l < r)
		x, y, negate = r, l, true
	}
	d, err := callFn(ctx, b, "and_not", nil, x, y)
	if err != nil || !negate {
		return d, err
	}
	defer d.Release()
	return e.not(b, d)
}
