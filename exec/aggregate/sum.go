package aggregate

import (
	"fmt"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/memory"

	"lakeframe/errs"
)

// intSum implements Sum of integers into int64. It adds in int64 while no
// running sum overflows; the first batch that overflows is taken back and
// the sums continue in 128 bits (wide.go), so that only a final sum that
// does not fit int64 is an error, whatever the order of the rows. An
// overflow is an error, never a wrapped value.
type intSum struct {
	mem    memory.Allocator
	in     arrow.DataType
	sums   []int64 // the low 64 bits once carries is set
	counts []int64 // non-null values per group; 0 makes the sum NULL
	// carries are the high 64 bits of the sums, nil while every sum fits
	// int64.
	carries []int64
}

func (a *intSum) Update(ids []uint32, numGroups int, in arrow.Array) error {
	if err := checkInput(a.in, ids, in); err != nil {
		return err
	}
	a.grow(numGroups)
	if in == nil {
		return nil
	}
	if a.carries != nil {
		return a.addWide(ids, in)
	}
	var ok bool
	var err error
	switch a.in.ID() {
	case arrow.INT8:
		ok, err = addInts[int8](a.sums, a.counts, ids, in)
	case arrow.INT16:
		ok, err = addInts[int16](a.sums, a.counts, ids, in)
	case arrow.INT32:
		ok, err = addInts[int32](a.sums, a.counts, ids, in)
	case arrow.INT64:
		ok, err = addInts[int64](a.sums, a.counts, ids, in)
	case arrow.UINT8:
		ok, err = addUints[uint8](a.sums, a.counts, ids, in)
	case arrow.UINT16:
		ok, err = addUints[uint16](a.sums, a.counts, ids, in)
	case arrow.UINT32:
		ok, err = addUints[uint32](a.sums, a.counts, ids, in)
	case arrow.UINT64:
		ok, err = addUints[uint64](a.sums, a.counts, ids, in)
	default:
		return fmt.Errorf("sum of %s: %w", a.in, errs.ErrInternal)
	}
	if err != nil {
		return err
	}
	if !ok {
		return a.widen(ids, in)
	}
	return nil
}

func (a *intSum) overflow() error {
	return fmt.Errorf("sum of %s values overflowed int64: %w", a.in, errs.ErrExec)
}

func (a *intSum) grow(n int) {
	a.sums = grow(a.sums, n)
	a.counts = grow(a.counts, n)
	if a.carries != nil {
		a.carries = grow(a.carries, n)
	}
}

func (a *intSum) Merge(ids []uint32, numGroups int, states []arrow.Array) error {
	if err := checkStates(Sum, a.in, ids, states); err != nil {
		return err
	}
	a.grow(numGroups)
	if a.carries != nil {
		return a.addWide(ids, states[0])
	}
	ok, err := addInts[int64](a.sums, a.counts, ids, states[0])
	if err != nil {
		return err
	}
	if !ok {
		return a.widen(ids, states[0])
	}
	return nil
}

func (a *intSum) States() ([]arrow.Array, error) {
	out, err := a.Finish()
	if err != nil {
		return nil, err
	}
	return []arrow.Array{out}, nil
}

func (a *intSum) Finish() (arrow.Array, error) {
	for g, hi := range a.carries {
		if hi != a.sums[g]>>63 {
			return nil, a.overflow()
		}
	}
	return fixedArray(a.mem, arrow.PrimitiveTypes.Int64, a.sums, nonZero(a.counts)), nil
}

func (a *intSum) Release() { a.sums, a.counts, a.carries = nil, nil, nil }

// addInts adds the non-null values of in to sums[ids[i]] and counts them in
// counts[ids[i]].
// It reports false when a sum overflowed int64; the overflow test is
// branch-free so the loop stays tight.
func addInts[T int8 | int16 | int32 | int64](sums, counts []int64, ids []uint32, in arrow.Array) (bool, error) {
	vals, err := fixedValues[T](in)
	if err != nil {
		return false, err
	}
	vals = vals[:len(ids)]
	var ovf int64
	if bits := validBits(in); bits != nil {
		off := in.Data().Offset()
		for i, g := range ids {
			if !isValid(bits, off, i) {
				continue
			}
			v := int64(vals[i])
			s := sums[g]
			r := s + v
			ovf |= (s ^ r) & (v ^ r) // sign bit set iff s and v agree and r differs
			sums[g] = r
			counts[g]++
		}
		return ovf >= 0, nil
	}
	for i, g := range ids {
		v := int64(vals[i])
		s := sums[g]
		r := s + v
		ovf |= (s ^ r) & (v ^ r)
		sums[g] = r
		counts[g]++
	}
	return ovf >= 0, nil
}

// addUints is addInts for unsigned inputs, where a value above
// math.MaxInt64 overflows on its own.
func addUints[T uint8 | uint16 | uint32 | uint64](sums, counts []int64, ids []uint32, in arrow.Array) (bool, error) {
	vals, err := fixedValues[T](in)
	if err != nil {
		return false, err
	}
	vals = vals[:len(ids)]
	bits := validBits(in)
	off := in.Data().Offset()
	var ovf int64
	for i, g := range ids {
		if !isValid(bits, off, i) {
			continue
		}
		v := int64(vals[i])
		s := sums[g]
		r := s + v
		ovf |= v | (s^r)&(v^r) // v < 0 means the value was above MaxInt64
		sums[g] = r
		counts[g]++
	}
	return ovf >= 0, nil
}

// floatSum implements Sum and Mean of floats, in float64.
type floatSum struct {
	mem    memory.Allocator
	in     arrow.DataType
	mean   bool
	sums   []float64
	counts []int64
}

func (a *floatSum) kind() Kind {
	if a.mean {
		return Mean
	}
	return Sum
}

func (a *floatSum) grow(n int) {
	a.sums = grow(a.sums, n)
	a.counts = grow(a.counts, n)
}

func (a *floatSum) Update(ids []uint32, numGroups int, in arrow.Array) error {
	if err := checkInput(a.in, ids, in); err != nil {
		return err
	}
	a.grow(numGroups)
	if in == nil {
		return nil
	}
	if a.in.ID() == arrow.FLOAT32 {
		return addFloats[float32](a.sums, a.counts, ids, in)
	}
	return addFloats[float64](a.sums, a.counts, ids, in)
}

func (a *floatSum) Merge(ids []uint32, numGroups int, states []arrow.Array) error {
	if err := checkStates(a.kind(), a.in, ids, states); err != nil {
		return err
	}
	a.grow(numGroups)
	if !a.mean {
		return addFloats[float64](a.sums, a.counts, ids, states[0])
	}
	if err := addFloats[float64](a.sums, nil, ids, states[0]); err != nil {
		return err
	}
	return addCounts(a.counts, ids, states[1])
}

func (a *floatSum) States() ([]arrow.Array, error) {
	if !a.mean {
		return []arrow.Array{fixedArray(a.mem, arrow.PrimitiveTypes.Float64, a.sums, nonZero(a.counts))}, nil
	}
	return []arrow.Array{
		fixedArray(a.mem, arrow.PrimitiveTypes.Float64, a.sums, nil),
		fixedArray(a.mem, arrow.PrimitiveTypes.Int64, a.counts, nil),
	}, nil
}

func (a *floatSum) Finish() (arrow.Array, error) {
	if !a.mean {
		return fixedArray(a.mem, arrow.PrimitiveTypes.Float64, a.sums, nonZero(a.counts)), nil
	}
	means := make([]float64, len(a.sums))
	for g, s := range a.sums {
		if c := a.counts[g]; c > 0 {
			means[g] = s / float64(c)
		}
	}
	return fixedArray(a.mem, arrow.PrimitiveTypes.Float64, means, nonZero(a.counts)), nil
}

func (a *floatSum) Release() { a.sums, a.counts = nil, nil }

// addFloats adds the non-null values of in to sums[ids[i]] and counts them
// when counts is not nil.
func addFloats[T float32 | float64](sums []float64, counts []int64, ids []uint32, in arrow.Array) error {
	vals, err := fixedValues[T](in)
	if err != nil {
		return err
	}
	vals = vals[:len(ids)]
	if bits := validBits(in); bits != nil {
		off := in.Data().Offset()
		for i, g := range ids {
			if isValid(bits, off, i) {
				sums[g] += float64(vals[i])
				if counts != nil {
					counts[g]++
				}
			}
		}
		return nil
	}
	if counts == nil {
		for i, g := range ids {
			sums[g] += float64(vals[i])
		}
		return nil
	}
	for i, g := range ids {
		sums[g] += float64(vals[i])
		counts[g]++
	}
	return nil
}
