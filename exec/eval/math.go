package eval

import (
	"context"
	"fmt"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/compute"
	"github.com/apache/arrow-go/v18/arrow/memory"

	"lakeframe/errs"
	"lakeframe/exec/kernel"
	"lakeframe/expr"
)

// mathKernels are the one-argument math functions; Resolve has given
// them the input types their kernels take.
var mathKernels = map[expr.ScalarFunc]func(memory.Allocator, arrow.Array) (arrow.Array, error){
	expr.FnAbs: kernel.Abs, expr.FnSign: kernel.Sign, expr.FnFloor: kernel.Floor, expr.FnCeil: kernel.Ceil,
	expr.FnSqrt: kernel.Sqrt, expr.FnExp: kernel.Exp, expr.FnLn: kernel.Ln, expr.FnLog10: kernel.Log10,
	expr.FnIsNaN: kernel.IsNaN, expr.FnIsFinite: kernel.IsFinite,
}

// binaryKernel applies fn to the two arguments of c, either of which may
// be a constant; the result is a constant when both are.
func (e *evaluator) binaryKernel(ctx context.Context, c *expr.Call, fn func(memory.Allocator, arrow.Array, arrow.Array) (arrow.Array, error)) (compute.Datum, error) {
	if len(c.Args) != 2 {
		return nil, fmt.Errorf("evaluate %s: %w: %s takes 2 arguments, got %d", c, errs.ErrInternal, c.Fn, len(c.Args))
	}
	return e.naryKernel(ctx, c, func(mem memory.Allocator, arrs []arrow.Array) (arrow.Array, error) {
		return fn(mem, arrs[0], arrs[1])
	})
}

// naryKernel applies fn to all arguments of c, any of which may be a
// constant (an array of length 1); the result is a constant when all are.
func (e *evaluator) naryKernel(ctx context.Context, c *expr.Call, fn func(memory.Allocator, []arrow.Array) (arrow.Array, error)) (compute.Datum, error) {
	var ins []compute.Datum
	defer func() { releaseAll(ins) }()
	var arrs []arrow.Array
	defer func() {
		for _, a := range arrs {
			a.Release()
		}
	}()
	constant := true
	for _, a := range c.Args {
		d, err := e.eval(ctx, a)
		if err != nil {
			return nil, err
		}
		ins = append(ins, d)
		constant = constant && isScalar(d)
		arr, err := e.kernelInput(c, d)
		if err != nil {
			return nil, err
		}
		arrs = append(arrs, arr)
	}
	out, err := fn(e.mem, arrs)
	if err != nil {
		return nil, wrapErr(c, err)
	}
	return kernelOutput(c, out, constant)
}
