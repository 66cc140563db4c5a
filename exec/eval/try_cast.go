package eval

import (
	"context"
	"errors"
	"fmt"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/compute"

	"lakeframe/errs"
	"lakeframe/expr"
)

// tryCastRows casts the rows of a batch whose cast failed one at a time,
// giving NULL for those that fail. Only batches holding a bad value pay for
// it (the input is evaluated again); the others are cast whole.
func (e *evaluator) tryCastRows(ctx context.Context, c *expr.Cast) (compute.Datum, error) {
	in, err := e.eval(ctx, c.In)
	if err != nil {
		return nil, err
	}
	defer in.Release()
	if isScalar(in) {
		return nullScalarOf(c.To), nil
	}
	arr, err := e.kernelInput(c, in)
	if err != nil {
		return nil, err
	}
	defer arr.Release()
	parts := make([]arrow.Array, 0, arr.Len())
	defer func() {
		for _, p := range parts {
			p.Release()
		}
	}()
	for i := range arr.Len() {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		row := array.NewSlice(arr, int64(i), int64(i+1))
		one := &evaluator{mem: e.mem, batch: e.batch.NewSlice(int64(i), int64(i+1))}
		d, err := one.castValue(ctx, c, compute.NewDatum(row))
		row.Release()
		if err != nil {
			one.batch.Release()
			if !errors.Is(err, errs.ErrExec) {
				return nil, err
			}
			parts = append(parts, array.MakeArrayOfNull(e.mem, c.To, 1))
			continue
		}
		out, err := one.toArray(c, d)
		d.Release()
		one.batch.Release()
		if err != nil {
			return nil, err
		}
		parts = append(parts, out)
	}
	var out arrow.Array
	if len(parts) == 0 {
		out = array.MakeArrayOfNull(e.mem, c.To, 0)
	} else if out, err = array.Concatenate(parts, e.mem); err != nil {
		return nil, fmt.Errorf("evaluate %s: %w: %w", c, errs.ErrInternal, err)
	}
	defer out.Release()
	return compute.NewDatum(out), nil
}
