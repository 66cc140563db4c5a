package eval

import (
	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/bitutil"
	"github.com/apache/arrow-go/v18/arrow/compute"
	"github.com/apache/arrow-go/v18/arrow/scalar"

	"lakeframe/expr"
)

// arrow-go v18.8.0's "not" and "is_not_null" kernels, and casts from
// Boolean, ignore the offset of a sliced input (they reuse or read its
// bitmaps as if it started at bit 0), so these are done here.

// not is three-valued NOT: NULL stays NULL.
func (e *evaluator) not(n expr.Node, in compute.Datum) (compute.Datum, error) {
	if isScalar(in) {
		s := scalarOf(in)
		if !s.IsValid() {
			return nullScalarOf(arrow.FixedWidthTypes.Boolean), nil
		}
		return compute.NewDatum(scalar.NewBooleanScalar(!s.(*scalar.Boolean).Value)), nil
	}
	arr := in.(*compute.ArrayDatum).MakeArray()
	defer arr.Release()
	rows := arr.Len()
	values := newBitmap(e.mem, rows)
	bitutil.InvertBitmap(arr.Data().Buffers()[1].Bytes(), arr.Data().Offset(), rows, values.Bytes(), 0)
	return kernelOutput(n, newArray(arrow.FixedWidthTypes.Boolean, rows, validityOf(e.mem, arr), values), false)
}

// isNull is IS NULL (wantNull) or IS NOT NULL, never NULL itself.
func (e *evaluator) isNull(n expr.Node, in compute.Datum, wantNull bool) (compute.Datum, error) {
	if isScalar(in) {
		return compute.NewDatum(scalar.NewBooleanScalar(scalarOf(in).IsValid() != wantNull)), nil
	}
	arr := in.(*compute.ArrayDatum).MakeArray()
	defer arr.Release()
	if arr.NullN() == 0 {
		// No row is NULL: the answer is the same for every row.
		return compute.NewDatum(scalar.NewBooleanScalar(!wantNull)), nil
	}
	rows := arr.Len()
	values := newBitmap(e.mem, rows)
	if wantNull {
		bitutil.InvertBitmap(arr.NullBitmapBytes(), arr.Data().Offset(), rows, values.Bytes(), 0)
	} else {
		bitutil.CopyBitmap(arr.NullBitmapBytes(), arr.Data().Offset(), rows, values.Bytes(), 0)
	}
	return kernelOutput(n, newArray(arrow.FixedWidthTypes.Boolean, rows, nil, values), false)
}

// unsliceBool returns a Boolean array datum copied to offset 0 when it is
// sliced, for arrow kernels that ignore the offset; d itself otherwise.
// The caller releases the result either way.
func (e *evaluator) unsliceBool(d compute.Datum) compute.Datum {
	ad, ok := d.(*compute.ArrayDatum)
	if !ok || ad.Value.Offset() == 0 || ad.Type().ID() != arrow.BOOL {
		return retained(d)
	}
	arr := ad.MakeArray()
	defer arr.Release()
	rows := arr.Len()
	values := newBitmap(e.mem, rows)
	bitutil.CopyBitmap(arr.Data().Buffers()[1].Bytes(), arr.Data().Offset(), rows, values.Bytes(), 0)
	out := newArray(arrow.FixedWidthTypes.Boolean, rows, validityOf(e.mem, arr), values)
	defer out.Release()
	return compute.NewDatum(out)
}

// retained returns a new reference to d's value.
func retained(d compute.Datum) compute.Datum {
	if ad, ok := d.(*compute.ArrayDatum); ok {
		ad.Value.Retain()
		return &compute.ArrayDatum{Value: ad.Value}
	}
	return compute.NewDatum(scalarOf(d))
}
