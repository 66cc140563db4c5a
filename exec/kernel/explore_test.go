package kernel

import (
	"context"
	"fmt"
	"testing"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/compute"
	"github.com/apache/arrow-go/v18/arrow/memory"
	"github.com/apache/arrow-go/v18/arrow/scalar"
)

func show(name string, d compute.Datum, err error) {
	if err != nil {
		fmt.Printf("%s: ERR %v\n", name, err)
		return
	}
	switch v := d.(type) {
	case *compute.ArrayDatum:
		a := v.MakeArray()
		fmt.Printf("%s: %s %v nulls=%d\n", name, a.DataType(), a, a.NullN())
		a.Release()
	default:
		fmt.Printf("%s: %v\n", name, d)
	}
}

func TestExplore(t *testing.T) {
	mem := memory.NewGoAllocator()
	ctx := context.Background()
	ib := array.NewInt64Builder(mem)
	ib.AppendValues([]int64{1, 0, 5, 7}, []bool{true, true, false, true})
	a := ib.NewArray()
	ib.AppendValues([]int64{2, 0, 3, 0}, []bool{true, true, true, true})
	b := ib.NewArray()
	for _, fn := range []string{"divide", "divide_checked", "add", "add_checked", "multiply_checked"} {
		d, err := compute.CallFunction(ctx, fn, nil, compute.NewDatum(a), compute.NewDatum(b))
		show(fn, d, err)
	}
	d, err := compute.Divide(ctx, compute.ArithmeticOptions{NoCheckOverflow: true}, compute.NewDatum(a), compute.NewDatum(b))
	show("Divide nocheck", d, err)
	d, err = compute.Divide(ctx, compute.ArithmeticOptions{}, compute.NewDatum(a), compute.NewDatum(b))
	show("Divide check", d, err)
	// bool filter
	bb := array.NewBooleanBuilder(mem)
	bb.AppendValues([]bool{true, false, true, false, true, false}, []bool{true, true, false, false, true, true})
	vals := bb.NewArray()
	bb.AppendValues([]bool{true, true, true, true, false, true}, nil)
	mask := bb.NewArray()
	out, err := compute.FilterArray(ctx, vals, mask, compute.FilterOptions{})
	fmt.Println("bool filter", out, err, out.NullN())
	sl := array.NewSlice(vals, 1, 6)
	msl := array.NewSlice(mask, 0, 5)
	out, err = compute.FilterArray(ctx, sl, msl, compute.FilterOptions{})
	fmt.Println("bool filter sliced", sl, out, err)
	// cast
	sb := array.NewStringBuilder(mem)
	sb.AppendValues([]string{"12", "x", " 3", "1.5", "2024-02-30", "2024-02-29"}, nil)
	s := sb.NewArray()
	for _, dt := range []arrow.DataType{arrow.PrimitiveTypes.Int64, arrow.PrimitiveTypes.Float64, arrow.FixedWidthTypes.Date32} {
		o, err := compute.CastArray(ctx, s, compute.SafeCastOptions(dt))
		fmt.Println("cast", dt, o, err)
	}
	o, err := compute.CastArray(ctx, a, compute.SafeCastOptions(arrow.BinaryTypes.String))
	fmt.Println("cast int->str", o, err)
	fb := array.NewFloat64Builder(mem)
	fb.AppendValues([]float64{1.5, -2.5, 1e20, 0.1}, nil)
	f := fb.NewArray()
	o, err = compute.CastArray(ctx, f, compute.SafeCastOptions(arrow.BinaryTypes.String))
	fmt.Println("cast f->str", o, err)
	o, err = compute.CastArray(ctx, f, compute.SafeCastOptions(arrow.PrimitiveTypes.Int64))
	fmt.Println("cast f->int safe", o, err)
	o, err = compute.CastArray(ctx, f, compute.UnsafeCastOptions(arrow.PrimitiveTypes.Int64))
	fmt.Println("cast f->int unsafe", o, err)
	_ = scalar.NewInt64Scalar
}
