package eval

import (
	"context"
	"fmt"
	"runtime/debug"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/compute"
	"github.com/apache/arrow-go/v18/arrow/memory"
	"github.com/apache/arrow-go/v18/arrow/scalar"

	"lakeframe/errs"
	"lakeframe/expr"
)

// Eval evaluates the resolved expression n against batch and returns an
// array of batch.NumRows() rows, which the caller releases. Intermediate
// arrays are allocated from mem and released before Eval returns.
func Eval(ctx context.Context, mem memory.Allocator, n expr.Node, batch arrow.RecordBatch) (out arrow.Array, err error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	// arrow's kernels are not ours: a panic in one must not take the
	// process down.
	defer func() {
		if r := recover(); r != nil {
			out, err = nil, fmt.Errorf("evaluate %s: %w: panic: %v\n%s", n, errs.ErrInternal, r, debug.Stack())
		}
	}()
	e := &evaluator{mem: mem, batch: batch}
	d, err := e.eval(compute.WithAllocator(ctx, mem), n)
	if err != nil {
		return nil, err
	}
	defer d.Release()
	return e.toArray(n, d)
}

// EvalPredicate evaluates a boolean expression, as Eval does. A NULL
// predicate row is a null in the result.
func EvalPredicate(ctx context.Context, mem memory.Allocator, pred expr.Node, batch arrow.RecordBatch) (*array.Boolean, error) {
	arr, err := Eval(ctx, mem, pred, batch)
	if err != nil {
		return nil, err
	}
	switch a := arr.(type) {
	case *array.Boolean:
		return a, nil
	case *array.Null:
		// A bare NULL literal: every row is unknown.
		n := a.Len()
		a.Release()
		return array.MakeArrayOfNull(mem, arrow.FixedWidthTypes.Boolean, n).(*array.Boolean), nil
	}
	t := arr.DataType()
	arr.Release()
	return nil, fmt.Errorf("evaluate %s: %w: predicate is %s, not boolean", pred, errs.ErrInternal, t)
}

// EvalScalar evaluates an expression without column references (constant
// folding) and returns its value.
func EvalScalar(ctx context.Context, n expr.Node) (scalar.Scalar, error) {
	batch := array.NewRecordBatch(arrow.NewSchema(nil, nil), nil, 1)
	defer batch.Release()
	arr, err := Eval(ctx, memory.DefaultAllocator, n, batch)
	if err != nil {
		return nil, err
	}
	defer arr.Release()
	s, err := scalar.GetScalar(arr, 0)
	if err != nil {
		return nil, fmt.Errorf("evaluate %s: %w: %w", n, errs.ErrInternal, err)
	}
	return s, nil
}

// evaluator evaluates the nodes of one tree against one batch. Each node
// gives a compute.Datum that the caller releases: an array of the batch's
// length, or a scalar standing for the same value in every row.
type evaluator struct {
	mem   memory.Allocator
	batch arrow.RecordBatch
}

func (e *evaluator) eval(ctx context.Context, n expr.Node) (compute.Datum, error) {
	switch x := n.(type) {
	case *expr.Column:
		return e.column(x)
	case *expr.Literal:
		return compute.NewDatum(x.Value), nil
	case *expr.Binary:
		if e.isFusedFloat(x) {
			return e.fusedFloat(ctx, x)
		}
		return e.binary(ctx, x)
	case *expr.Unary:
		if e.isFusedFloat(x) {
			return e.fusedFloat(ctx, x)
		}
		return e.unary(ctx, x)
	case *expr.IsIn:
		return e.isIn(ctx, x)
	case *expr.Cast:
		return e.cast(ctx, x)
	case *expr.Alias:
		return e.eval(ctx, x.In)
	case *expr.SortKey:
		return e.eval(ctx, x.In)
	case *expr.Case:
		return e.caseWhen(ctx, x)
	case *expr.Call:
		return e.call(ctx, x)
	case *expr.Agg:
		return nil, fmt.Errorf("evaluate %s: %w: aggregates are computed by the aggregate operator", n, errs.ErrInternal)
	}
	return nil, fmt.Errorf("evaluate %s: %w: unknown expression node %T", n, errs.ErrInternal, n)
}

func (e *evaluator) column(c *expr.Column) (compute.Datum, error) {
	idx := e.batch.Schema().FieldIndices(c.Name)
	if len(idx) != 1 {
		return nil, fmt.Errorf("evaluate %s: %w: batch has %d columns called %q (schema: %s)",
			c, errs.ErrInternal, len(idx), c.Name, e.batch.Schema())
	}
	return compute.NewDatum(e.batch.Column(idx[0])), nil
}
