package kernel

import (
	"fmt"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/bitutil"
	"github.com/apache/arrow-go/v18/arrow/memory"

	"lakeframe/errs"
)

// Not negates a Boolean array; null stays null. arrow-go v18.8.0's "not"
// gets the validity wrong on a sliced array with nulls.
func Not(mem memory.Allocator, in arrow.Array) (arrow.Array, error) {
	if in.DataType().ID() != arrow.BOOL {
		return nil, fmt.Errorf("not: input of type %s: %w", in.DataType(), errs.ErrPlan)
	}
	n := in.Len()
	out := allocBitmap(mem, n)
	if vb := in.Data().Buffers()[1]; vb != nil && n > 0 {
		bitutil.CopyBitmap(vb.Bytes(), in.Data().Offset(), n, out.Bytes(), 0)
	}
	invertBits(out.Bytes(), n)
	validity, nulls := validityOf(mem, in)
	if validity != nil {
		clearNullBits(out.Bytes(), validity.Bytes(), n)
	}
	return makeArray(arrow.FixedWidthTypes.Boolean, n, []*memory.Buffer{validity, out}, nulls), nil
}

// IsNull reports which rows are null; the result has no nulls.
func IsNull(mem memory.Allocator, in arrow.Array) (arrow.Array, error) {
	out := validBits(mem, in)
	invertBits(out.Bytes(), in.Len())
	return makeArray(arrow.FixedWidthTypes.Boolean, in.Len(), []*memory.Buffer{nil, out}, 0), nil
}

// IsNotNull reports which rows are not null; the result has no nulls.
// arrow-go v18.8.0's "is_not_null" ignores the offset of a sliced array.
func IsNotNull(mem memory.Allocator, in arrow.Array) (arrow.Array, error) {
	out := validBits(mem, in)
	return makeArray(arrow.FixedWidthTypes.Boolean, in.Len(), []*memory.Buffer{nil, out}, 0), nil
}

// validBits returns a bitmap with bit i set when row i is valid.
func validBits(mem memory.Allocator, in arrow.Array) *memory.Buffer {
	n := in.Len()
	out := allocBitmap(mem, n)
	switch {
	case in.DataType().ID() == arrow.NULL || in.NullN() == n:
	case in.NullN() == 0:
		invertBits(out.Bytes(), n)
	default:
		bitutil.CopyBitmap(in.NullBitmapBytes(), in.Data().Offset(), n, out.Bytes(), 0)
	}
	return out
}

// invertBits flips the first n bits of b and keeps the bits past n zero.
func invertBits(b []byte, n int) {
	for i := range b {
		b[i] = ^b[i]
	}
	if r := n % 8; r != 0 && len(b) > 0 {
		b[len(b)-1] &= byte(1)<<r - 1
	}
}
