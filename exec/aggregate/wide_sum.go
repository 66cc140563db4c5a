package aggregate

import (
	"fmt"
	"math"
	"math/bits"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/decimal128"
	"github.com/apache/arrow-go/v18/arrow/memory"

	"lakeframe/errs"
)

// wideSum adds in 128 bits: Sum of Decimal128, and Mean of integers and of
// Decimal128, whose partial sums must not lose digits before the division.
type wideSum struct {
	mem    memory.Allocator
	in     arrow.DataType
	scale  int32 // of the input decimals; 0 for integers
	mean   bool
	sums   []decimal128.Num
	counts []int64
}

func (a *wideSum) kind() Kind {
	if a.mean {
		return Mean
	}
	return Sum
}

func (a *wideSum) stateType() arrow.DataType {
	return &arrow.Decimal128Type{Precision: sumDecimalPrecision, Scale: a.scale}
}

func (a *wideSum) grow(n int) {
	a.sums = grow(a.sums, n)
	a.counts = grow(a.counts, n)
}

func (a *wideSum) overflow() error {
	return fmt.Errorf("%s of %s values overflowed decimal(%d, %d): %w", a.kind(), a.in, sumDecimalPrecision, a.scale, errs.ErrExec)
}

func (a *wideSum) Update(ids []uint32, numGroups int, in arrow.Array) error {
	if err := checkInput(a.in, ids, in); err != nil {
		return err
	}
	a.grow(numGroups)
	if in == nil {
		return nil
	}
	var err error
	ok := true
	switch a.in.ID() {
	case arrow.INT8:
		err = addSigned128[int8](a.sums, a.counts, ids, in)
	case arrow.INT16:
		err = addSigned128[int16](a.sums, a.counts, ids, in)
	case arrow.INT32:
		err = addSigned128[int32](a.sums, a.counts, ids, in)
	case arrow.INT64:
		err = addSigned128[int64](a.sums, a.counts, ids, in)
	case arrow.UINT8:
		err = addUnsigned128[uint8](a.sums, a.counts, ids, in)
	case arrow.UINT16:
		err = addUnsigned128[uint16](a.sums, a.counts, ids, in)
	case arrow.UINT32:
		err = addUnsigned128[uint32](a.sums, a.counts, ids, in)
	case arrow.UINT64:
		err = addUnsigned128[uint64](a.sums, a.counts, ids, in)
	case arrow.DECIMAL128:
		ok, err = addDecimal128(a.sums, a.counts, ids, in)
	default:
		return fmt.Errorf("%s of %s: %w", a.kind(), a.in, errs.ErrInternal)
	}
	if err != nil {
		return err
	}
	if !ok {
		return a.overflow()
	}
	return nil
}

func (a *wideSum) Merge(ids []uint32, numGroups int, states []arrow.Array) error {
	if err := checkStates(a.kind(), a.in, ids, states); err != nil {
		return err
	}
	a.grow(numGroups)
	counts := a.counts
	if a.mean {
		counts = nil // the counts come from their own column
	}
	ok, err := addDecimal128(a.sums, counts, ids, states[0])
	if err != nil {
		return err
	}
	if !ok {
		return a.overflow()
	}
	if a.mean {
		return addCounts(a.counts, ids, states[1])
	}
	return nil
}

func (a *wideSum) States() ([]arrow.Array, error) {
	if !a.mean {
		out, err := a.Finish()
		if err != nil {
			return nil, err
		}
		return []arrow.Array{out}, nil
	}
	return []arrow.Array{
		fixedArray(a.mem, a.stateType(), a.sums, nil),
		fixedArray(a.mem, arrow.PrimitiveTypes.Int64, a.counts, nil),
	}, nil
}

func (a *wideSum) Finish() (arrow.Array, error) {
	valid := nonZero(a.counts)
	if !a.mean {
		for g, s := range a.sums {
			if valid[g] && !s.FitsInPrecision(sumDecimalPrecision) {
				return nil, a.overflow()
			}
		}
		return fixedArray(a.mem, a.stateType(), a.sums, valid), nil
	}
	div := math.Pow10(int(a.scale))
	means := make([]float64, len(a.sums))
	for g, s := range a.sums {
		if c := a.counts[g]; c > 0 {
			means[g] = s.ToFloat64(0) / div / float64(c)
		}
	}
	return fixedArray(a.mem, arrow.PrimitiveTypes.Float64, means, valid), nil
}

func (a *wideSum) Release() { a.sums, a.counts = nil, nil }

// add128 returns s + (hi, lo) and whether it overflowed 128 bits.
func add128(s decimal128.Num, hi int64, lo uint64) (decimal128.Num, int64) {
	rlo, carry := bits.Add64(s.LowBits(), lo, 0)
	rhi := s.HighBits() + hi + int64(carry)
	return decimal128.New(rhi, rlo), (s.HighBits() ^ rhi) & (hi ^ rhi)
}

// addSigned128 adds the non-null values of in to sums[ids[i]] and counts
// them. Integer values cannot overflow 128 bits in fewer than 2^64 rows.
func addSigned128[T int8 | int16 | int32 | int64](sums []decimal128.Num, counts []int64, ids []uint32, in arrow.Array) error {
	vals, err := fixedValues[T](in)
	if err != nil {
		return err
	}
	vals = vals[:len(ids)]
	bits, off := validBits(in), in.Data().Offset()
	for i, g := range ids {
		if isValid(bits, off, i) {
			v := int64(vals[i])
			sums[g], _ = add128(sums[g], v>>63, uint64(v))
			counts[g]++
		}
	}
	return nil
}

// addUnsigned128 is addSigned128 for unsigned values.
func addUnsigned128[T uint8 | uint16 | uint32 | uint64](sums []decimal128.Num, counts []int64, ids []uint32, in arrow.Array) error {
	vals, err := fixedValues[T](in)
	if err != nil {
		return err
	}
	vals = vals[:len(ids)]
	bits, off := validBits(in), in.Data().Offset()
	for i, g := range ids {
		if isValid(bits, off, i) {
			sums[g], _ = add128(sums[g], 0, uint64(vals[i]))
			counts[g]++
		}
	}
	return nil
}

// addDecimal128 adds the non-null values of in to sums[ids[i]] and counts
// them unless counts is nil. It reports false on a 128-bit overflow.
func addDecimal128(sums []decimal128.Num, counts []int64, ids []uint32, in arrow.Array) (bool, error) {
	vals, err := fixedValues[decimal128.Num](in)
	if err != nil {
		return false, err
	}
	vals = vals[:len(ids)]
	bits, off := validBits(in), in.Data().Offset()
	var ovf int64
	for i, g := range ids {
		if !isValid(bits, off, i) {
			continue
		}
		v := vals[i]
		var o int64
		sums[g], o = add128(sums[g], v.HighBits(), v.LowBits())
		ovf |= o
		if counts != nil {
			counts[g]++
		}
	}
	return ovf >= 0, nil
}
