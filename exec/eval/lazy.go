package eval

import (
	"context"
	"errors"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/bitutil"
	"github.com/apache/arrow-go/v18/arrow/compute"
	"github.com/apache/arrow-go/v18/arrow/memory"
	"github.com/apache/arrow-go/v18/arrow/scalar"

	"lakeframe/errs"
	"lakeframe/exec/kernel"
	"lakeframe/expr"
)

// SQL evaluates some operands lazily: the right side of AND and OR only on
// the rows the left side leaves undecided, a COALESCE argument only where
// the earlier ones are NULL, a CASE branch only on the rows that reach it.
// A row that does not need an operand must not fail because of it
// (CASE WHEN s <> 'x' THEN CAST(s AS INT) END). The evaluator computes
// whole columns, which is faster; when an operand fails with a data error,
// retryOn evaluates it again on just the rows that need it, and only an
// error there counts.

// rowSet is a bitmap over the batch's rows.
type rowSet []byte

func allRows(n int) rowSet {
	s := make(rowSet, bitutil.BytesForBits(int64(n)))
	bitutil.SetBitsTo(s, 0, int64(n), true)
	return s
}

// rowsWhere returns the rows where d is value (TRUE or FALSE), or where it
// is NULL when isNull is set.
func rowsWhere(d compute.Datum, n int, value, isNull bool) rowSet {
	s := make(rowSet, bitutil.BytesForBits(int64(n)))
	if isScalar(d) {
		sc := scalarOf(d)
		hit := !sc.IsValid()
		if !isNull {
			b, ok := sc.(*scalar.Boolean)
			hit = ok && sc.IsValid() && b.Value == value
		}
		bitutil.SetBitsTo(s, 0, int64(n), hit)
		return s
	}
	arr := d.(*compute.ArrayDatum).MakeArray()
	defer arr.Release()
	off := arr.Data().Offset()
	var valid []byte
	if arr.NullN() > 0 {
		valid = arr.NullBitmapBytes()
	}
	b, _ := arr.(*array.Boolean)
	for i := range n {
		ok := valid == nil || bitutil.BitIsSet(valid, off+i)
		if isNull {
			bitutil.SetBitTo(s, i, !ok)
		} else {
			bitutil.SetBitTo(s, i, ok && b != nil && b.Value(i) == value)
		}
	}
	return s
}

// and keeps the rows in both sets; minus drops the rows of o.
func (s rowSet) and(o rowSet) rowSet {
	out := make(rowSet, len(s))
	for i := range s {
		out[i] = s[i] & o[i]
	}
	return out
}

func (s rowSet) minus(o rowSet) rowSet {
	out := make(rowSet, len(s))
	for i := range s {
		out[i] = s[i] &^ o[i]
	}
	return out
}

// retryOn handles the failure err of evaluating n on every row: when it is
// a data error and need leaves rows out, n is evaluated on the needed rows
// alone and the result has NULL on the others. Otherwise err stands.
func (e *evaluator) retryOn(ctx context.Context, n expr.Node, need rowSet, err error) (compute.Datum, error) {
	if !errors.Is(err, errs.ErrExec) {
		return nil, err
	}
	rows := int(e.batch.NumRows())
	k := bitutil.CountSetBits(need, 0, rows)
	switch k {
	case rows:
		return nil, err
	case 0:
		t, terr := e.typeOf(n)
		if terr != nil {
			return nil, terr
		}
		return nullScalarOf(t), nil
	}
	mask := boolArray(e.mem, need, rows)
	defer mask.Release()
	sub, ferr := kernel.Filter(e.mem, e.batch, mask)
	if ferr != nil {
		return nil, wrapErr(n, ferr)
	}
	defer sub.Release()
	d, err := (&evaluator{mem: e.mem, batch: sub}).eval(ctx, n)
	if err != nil || isScalar(d) {
		return d, err
	}
	defer d.Release()
	// Row i takes the next row of d where it is needed, NULL elsewhere.
	idx := newBuffer(e.mem, 4*rows)
	pos := viewAs[int32](idx.Bytes())[:rows]
	next := int32(0)
	for i := range pos {
		pos[i] = next
		if bitutil.BitIsSet(need, i) {
			next++
		}
	}
	valid := newBitmap(e.mem, rows)
	copy(valid.Bytes(), need)
	indices := newArray(arrow.PrimitiveTypes.Int32, rows, valid, idx)
	defer indices.Release()
	vals := d.(*compute.ArrayDatum).MakeArray()
	defer vals.Release()
	out, err := compute.TakeArray(ctx, vals, indices)
	if err != nil {
		return nil, wrapErr(n, err)
	}
	return kernelOutput(n, out, false)
}

// boolArray makes a Boolean array without nulls from a row set.
func boolArray(mem memory.Allocator, s rowSet, n int) *array.Boolean {
	values := newBitmap(mem, n)
	copy(values.Bytes(), s)
	return newArray(arrow.FixedWidthTypes.Boolean, n, nil, values).(*array.Boolean)
}

// nullIfStaticallyNull handles the failure err of an operand of n: when n
// is NULL whatever that operand holds (an operator with a NULL constant
// operand), the failure does not matter and n is NULL, as DuckDB folds
// such expressions before running them.
func (e *evaluator) nullIfStaticallyNull(ctx context.Context, n expr.Node, err error) (compute.Datum, error) {
	if !errors.Is(err, errs.ErrExec) || !staticallyNull(ctx, n) {
		return nil, err
	}
	t, terr := e.typeOf(n)
	if terr != nil {
		return nil, terr
	}
	return nullScalarOf(t), nil
}

// staticallyNull reports whether n is NULL on every row: a constant
// expression that evaluates to NULL, or a function that is NULL when an
// argument is (arithmetic, negation, casts, scalar functions) with such an
// argument. DuckDB folds those before running them, but not comparisons,
// IN or NOT, whose other operands it still evaluates (and which fail here
// too).
func staticallyNull(ctx context.Context, n expr.Node) bool {
	if len(expr.Columns(n)) == 0 {
		v, err := EvalScalar(ctx, n)
		return err == nil && !v.IsValid()
	}
	switch x := n.(type) {
	case *expr.Binary:
		return x.Op.IsArithmetic() && (staticallyNull(ctx, x.Left) || staticallyNull(ctx, x.Right))
	case *expr.Unary:
		return x.Op == expr.OpNeg && staticallyNull(ctx, x.In)
	case *expr.Cast:
		return staticallyNull(ctx, x.In)
	case *expr.Alias:
		return staticallyNull(ctx, x.In)
	case *expr.Call:
		if x.Fn == expr.FnCoalesce {
			for _, a := range x.Args {
				if !staticallyNull(ctx, a) {
					return false
				}
			}
			return true
		}
		for _, a := range x.Args {
			if staticallyNull(ctx, a) {
				return true
			}
		}
	}
	return false
}
