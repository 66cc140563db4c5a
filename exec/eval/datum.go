package eval

import (
	"context"
	"errors"
	"fmt"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/compute"
	"github.com/apache/arrow-go/v18/arrow/scalar"

	"lakeframe/errs"
	"lakeframe/expr"
)

func releaseAll(ds []compute.Datum) {
	for _, d := range ds {
		if d != nil {
			d.Release()
		}
	}
}

func datumType(d compute.Datum) arrow.DataType {
	return d.(compute.ArrayLikeDatum).Type()
}

func isScalar(d compute.Datum) bool { return d.Kind() == compute.KindScalar }

// isNullType reports whether d is of the Null type: an untyped NULL that
// met no other operand during resolution.
func isNullType(d compute.Datum) bool { return datumType(d).ID() == arrow.NULL }

// nullScalarOf is a NULL constant of type t.
func nullScalarOf(t arrow.DataType) compute.Datum {
	return compute.NewDatum(scalar.MakeNullScalar(t))
}

// scalarOf returns the scalar of a scalar datum.
func scalarOf(d compute.Datum) scalar.Scalar { return d.(*compute.ScalarDatum).Value }

// isNullScalar reports whether d is a NULL constant.
func isNullScalar(d compute.Datum) bool { return isScalar(d) && !scalarOf(d).IsValid() }

// toArray turns a node's result into an array of the batch's length: a
// scalar is broadcast, an array is checked and returned with its own
// reference.
func (e *evaluator) toArray(n expr.Node, d compute.Datum) (arrow.Array, error) {
	rows := int(e.batch.NumRows())
	switch v := d.(type) {
	case *compute.ArrayDatum:
		if int(v.Len()) != rows {
			return nil, fmt.Errorf("evaluate %s: %w: result has %d rows, batch has %d", n, errs.ErrInternal, v.Len(), rows)
		}
		return v.MakeArray(), nil
	case *compute.ScalarDatum:
		if v.Value.DataType().ID() == arrow.NULL {
			return array.NewNull(rows), nil
		}
		arr, err := scalar.MakeArrayFromScalar(v.Value, rows, e.mem)
		if err != nil {
			return nil, wrapErr(n, err)
		}
		return arr, nil
	}
	return nil, fmt.Errorf("evaluate %s: %w: unexpected result kind %s", n, errs.ErrInternal, d.Kind())
}

// kernelInput returns d as an array for a kernel that takes arrays: the
// column itself, or a scalar as an array of one row (kernels read a
// one-row argument as a constant).
func (e *evaluator) kernelInput(n expr.Node, d compute.Datum) (arrow.Array, error) {
	switch v := d.(type) {
	case *compute.ArrayDatum:
		return v.MakeArray(), nil
	case *compute.ScalarDatum:
		if v.Value.DataType().ID() == arrow.NULL {
			return array.NewNull(1), nil
		}
		arr, err := scalar.MakeArrayFromScalar(v.Value, 1, e.mem)
		if err != nil {
			return nil, wrapErr(n, err)
		}
		return arr, nil
	}
	return nil, fmt.Errorf("evaluate %s: %w: unexpected operand kind %s", n, errs.ErrInternal, d.Kind())
}

// kernelOutput takes ownership of a kernel's result: when every input was a
// constant, the one-row result becomes a scalar again.
func kernelOutput(n expr.Node, arr arrow.Array, constant bool) (compute.Datum, error) {
	defer arr.Release()
	if !constant {
		return compute.NewDatum(arr), nil
	}
	if arr.Len() != 1 {
		return nil, fmt.Errorf("evaluate %s: %w: constant result has %d rows", n, errs.ErrInternal, arr.Len())
	}
	s, err := scalar.GetScalar(arr, 0)
	if err != nil {
		return nil, fmt.Errorf("evaluate %s: %w: %w", n, errs.ErrInternal, err)
	}
	return compute.NewDatum(s), nil
}

// wrapErr names the failing expression and gives err a lakeframe kind:
// bad data for arrow's invalid-value errors, and the kernel's own kind when
// it has one.
func wrapErr(n expr.Node, err error) error {
	for _, kind := range []error{errs.ErrExec, errs.ErrInternal, errs.ErrNotImplemented, errs.ErrResourcesExhausted, errs.ErrPlan} {
		if errors.Is(err, kind) {
			return fmt.Errorf("evaluate %s: %w", n, err)
		}
	}
	kind := errs.ErrExec
	switch {
	case errors.Is(err, arrow.ErrNotImplemented):
		kind = errs.ErrNotImplemented
	case errors.Is(err, arrow.ErrType), errors.Is(err, arrow.ErrIndex):
		kind = errs.ErrInternal
	}
	return fmt.Errorf("evaluate %s: %w: %w", n, kind, err)
}

// callFn runs an arrow compute function and names n in its error.
func callFn(ctx context.Context, n expr.Node, fn string, opts compute.FunctionOptions, args ...compute.Datum) (compute.Datum, error) {
	out, err := compute.CallFunction(ctx, fn, opts, args...)
	if err != nil {
		return nil, wrapErr(n, err)
	}
	return out, nil
}
