package aggregate

import (
	"fmt"
	"math/bits"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"

	"lakeframe/errs"
)

// widen takes back a batch whose int64 sums overflowed (the additions
// wrapped, so subtracting restores them exactly), switches the sums to 128
// bits and adds the batch again.
func (a *intSum) widen(ids []uint32, in arrow.Array) error {
	if err := eachInt(ids, in, func(g uint32, lo uint64, _ int64) {
		a.sums[g] -= int64(lo)
		a.counts[g]--
	}); err != nil {
		return err
	}
	a.carries = make([]int64, len(a.sums))
	for g, s := range a.sums {
		a.carries[g] = s >> 63 // sign-extend the int64 sums
	}
	return a.addWide(ids, in)
}

// addWide adds the non-null values of in to the 128-bit sums.
func (a *intSum) addWide(ids []uint32, in arrow.Array) error {
	return eachInt(ids, in, func(g uint32, lo uint64, hi int64) {
		sum, carry := bits.Add64(uint64(a.sums[g]), lo, 0)
		a.sums[g] = int64(sum)
		a.carries[g] += hi + int64(carry)
		a.counts[g]++
	})
}

// eachInt calls fn with the group and the 128-bit value (low bits and
// sign extension) of each non-null row of an integer array. It serves the
// rare sums that leave int64, so a call per row is fine.
func eachInt(ids []uint32, in arrow.Array, fn func(g uint32, lo uint64, hi int64)) error {
	signed := func(v int64) (uint64, int64) { return uint64(v), v >> 63 }
	for i, g := range ids {
		if in.IsNull(i) {
			continue
		}
		var lo uint64
		var hi int64
		switch x := in.(type) {
		case *array.Int8:
			lo, hi = signed(int64(x.Value(i)))
		case *array.Int16:
			lo, hi = signed(int64(x.Value(i)))
		case *array.Int32:
			lo, hi = signed(int64(x.Value(i)))
		case *array.Int64:
			lo, hi = signed(x.Value(i))
		case *array.Uint8:
			lo = uint64(x.Value(i))
		case *array.Uint16:
			lo = uint64(x.Value(i))
		case *array.Uint32:
			lo = uint64(x.Value(i))
		case *array.Uint64:
			lo = x.Value(i)
		default:
			return fmt.Errorf("sum of %s: %w", in.DataType(), errs.ErrInternal)
		}
		fn(g, lo, hi)
	}
	return nil
}
