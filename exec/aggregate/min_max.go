package aggregate

import (
	"bytes"
	"fmt"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/bitutil"
	"github.com/apache/arrow-go/v18/arrow/decimal128"
	"github.com/apache/arrow-go/v18/arrow/memory"

	"lakeframe/errs"
)

// newMinMax returns the Min (or Max) accumulator for input type in, which
// check has accepted.
func newMinMax(mem memory.Allocator, in arrow.DataType, isMax bool) Accumulator {
	switch in.ID() {
	case arrow.INT8:
		return &numMinMax[int8]{mem: mem, in: in, max: isMax}
	case arrow.INT16:
		return &numMinMax[int16]{mem: mem, in: in, max: isMax}
	case arrow.INT32, arrow.DATE32, arrow.TIME32:
		return &numMinMax[int32]{mem: mem, in: in, max: isMax}
	case arrow.INT64, arrow.DATE64, arrow.TIMESTAMP, arrow.TIME64, arrow.DURATION:
		return &numMinMax[int64]{mem: mem, in: in, max: isMax}
	case arrow.UINT8:
		return &numMinMax[uint8]{mem: mem, in: in, max: isMax}
	case arrow.UINT16:
		return &numMinMax[uint16]{mem: mem, in: in, max: isMax}
	case arrow.UINT32:
		return &numMinMax[uint32]{mem: mem, in: in, max: isMax}
	case arrow.UINT64:
		return &numMinMax[uint64]{mem: mem, in: in, max: isMax}
	case arrow.FLOAT32:
		return &numMinMax[float32]{mem: mem, in: in, max: isMax}
	case arrow.FLOAT64:
		return &numMinMax[float64]{mem: mem, in: in, max: isMax}
	case arrow.DECIMAL128:
		return &decimalMinMax{mem: mem, in: in, max: isMax}
	case arrow.BOOL:
		return &boolMinMax{mem: mem, max: isMax}
	}
	return &bytesMinMax{mem: mem, in: in, max: isMax}
}

func minMaxKind(isMax bool) Kind {
	if isMax {
		return Max
	}
	return Min
}

type number interface {
	int8 | int16 | int32 | int64 | uint8 | uint16 | uint32 | uint64 | float32 | float64
}

// before orders numbers with NaN after every other value, as SQL engines
// do. For integer types the NaN tests fold away.
func before[T number](a, b T) bool {
	return a < b || (b != b && a == a)
}

// numMinMax implements Min and Max over numbers and the temporal types
// stored as integers.
type numMinMax[T number] struct {
	mem  memory.Allocator
	in   arrow.DataType
	max  bool
	vals []T
	seen []bool
}

func (a *numMinMax[T]) Update(ids []uint32, numGroups int, in arrow.Array) error {
	if err := checkInput(a.in, ids, in); err != nil {
		return err
	}
	a.vals, a.seen = grow(a.vals, numGroups), grow(a.seen, numGroups)
	if in == nil {
		return nil
	}
	vals, err := fixedValues[T](in)
	if err != nil {
		return err
	}
	vals = vals[:len(ids)]
	bits, off := validBits(in), in.Data().Offset()
	cur, seen := a.vals, a.seen
	if a.max {
		for i, g := range ids {
			if v := vals[i]; isValid(bits, off, i) && (!seen[g] || before(cur[g], v)) {
				cur[g], seen[g] = v, true
			}
		}
		return nil
	}
	for i, g := range ids {
		if v := vals[i]; isValid(bits, off, i) && (!seen[g] || before(v, cur[g])) {
			cur[g], seen[g] = v, true
		}
	}
	return nil
}

func (a *numMinMax[T]) Merge(ids []uint32, numGroups int, states []arrow.Array) error {
	if err := checkStates(minMaxKind(a.max), a.in, ids, states); err != nil {
		return err
	}
	return a.Update(ids, numGroups, states[0])
}

func (a *numMinMax[T]) States() ([]arrow.Array, error) {
	out, err := a.Finish()
	if err != nil {
		return nil, err
	}
	return []arrow.Array{out}, nil
}

func (a *numMinMax[T]) Finish() (arrow.Array, error) {
	return fixedArray(a.mem, a.in, a.vals, a.seen), nil
}

func (a *numMinMax[T]) Release() { a.vals, a.seen = nil, nil }

// decimalMinMax implements Min and Max over Decimal128.
type decimalMinMax struct {
	mem  memory.Allocator
	in   arrow.DataType
	max  bool
	vals []decimal128.Num
	seen []bool
}

func (a *decimalMinMax) Update(ids []uint32, numGroups int, in arrow.Array) error {
	if err := checkInput(a.in, ids, in); err != nil {
		return err
	}
	a.vals, a.seen = grow(a.vals, numGroups), grow(a.seen, numGroups)
	if in == nil {
		return nil
	}
	vals, err := fixedValues[decimal128.Num](in)
	if err != nil {
		return err
	}
	vals = vals[:len(ids)]
	bits, off := validBits(in), in.Data().Offset()
	cur, seen := a.vals, a.seen
	for i, g := range ids {
		if !isValid(bits, off, i) {
			continue
		}
		v := vals[i]
		if !seen[g] || (a.max && cur[g].Less(v)) || (!a.max && v.Less(cur[g])) {
			cur[g], seen[g] = v, true
		}
	}
	return nil
}

func (a *decimalMinMax) Merge(ids []uint32, numGroups int, states []arrow.Array) error {
	if err := checkStates(minMaxKind(a.max), a.in, ids, states); err != nil {
		return err
	}
	return a.Update(ids, numGroups, states[0])
}

func (a *decimalMinMax) States() ([]arrow.Array, error) {
	out, err := a.Finish()
	if err != nil {
		return nil, err
	}
	return []arrow.Array{out}, nil
}

func (a *decimalMinMax) Finish() (arrow.Array, error) {
	return fixedArray(a.mem, a.in, a.vals, a.seen), nil
}

func (a *decimalMinMax) Release() { a.vals, a.seen = nil, nil }

// boolMinMax implements Min (logical and) and Max (logical or) of Booleans.
type boolMinMax struct {
	mem  memory.Allocator
	max  bool
	vals []bool
	seen []bool
}

func (a *boolMinMax) Update(ids []uint32, numGroups int, in arrow.Array) error {
	if err := checkInput(arrow.FixedWidthTypes.Boolean, ids, in); err != nil {
		return err
	}
	a.vals, a.seen = grow(a.vals, numGroups), grow(a.seen, numGroups)
	if in == nil || in.NullN() == in.Len() {
		return nil
	}
	data := in.Data()
	values := data.Buffers()[1].Bytes()
	bits, off := validBits(in), data.Offset()
	cur, seen := a.vals, a.seen
	for i, g := range ids {
		if !isValid(bits, off, i) {
			continue
		}
		v := bitutil.BitIsSet(values, off+i)
		if !seen[g] {
			cur[g], seen[g] = v, true
		} else if a.max {
			cur[g] = cur[g] || v
		} else {
			cur[g] = cur[g] && v
		}
	}
	return nil
}

func (a *boolMinMax) Merge(ids []uint32, numGroups int, states []arrow.Array) error {
	if err := checkStates(minMaxKind(a.max), arrow.FixedWidthTypes.Boolean, ids, states); err != nil {
		return err
	}
	return a.Update(ids, numGroups, states[0])
}

func (a *boolMinMax) States() ([]arrow.Array, error) {
	out, err := a.Finish()
	if err != nil {
		return nil, err
	}
	return []arrow.Array{out}, nil
}

func (a *boolMinMax) Finish() (arrow.Array, error) {
	return boolArray(a.mem, a.vals, a.seen), nil
}

func (a *boolMinMax) Release() { a.vals, a.seen = nil, nil }

// bytesMinMax implements Min and Max of strings and binaries, compared
// byte-wise. Each group keeps its own copy of its current value and reuses
// that memory when a shorter or equal value replaces it.
type bytesMinMax struct {
	mem  memory.Allocator
	in   arrow.DataType
	max  bool
	vals [][]byte
	seen []bool
}

func (a *bytesMinMax) Update(ids []uint32, numGroups int, in arrow.Array) error {
	if err := checkInput(a.in, ids, in); err != nil {
		return err
	}
	a.vals, a.seen = grow(a.vals, numGroups), grow(a.seen, numGroups)
	if in == nil || in.NullN() == in.Len() {
		return nil
	}
	data := in.Data()
	var values []byte
	if b := data.Buffers()[2]; b != nil {
		values = b.Bytes()
	}
	switch a.in.ID() {
	case arrow.STRING, arrow.BINARY:
		minMaxBytes(a, arrow.GetOffsets[int32](data, 1), values, validBits(in), data.Offset(), ids)
	case arrow.LARGE_STRING, arrow.LARGE_BINARY:
		minMaxBytes(a, arrow.GetOffsets[int64](data, 1), values, validBits(in), data.Offset(), ids)
	default:
		return fmt.Errorf("%s of %s: %w", minMaxKind(a.max), a.in, errs.ErrInternal)
	}
	return nil
}

func minMaxBytes[O int32 | int64](a *bytesMinMax, offsets []O, values, bits []byte, off int, ids []uint32) {
	offsets = offsets[:len(ids)+1]
	want := -1 // the sign of bytes.Compare(v, cur) that replaces cur
	if a.max {
		want = 1
	}
	cur, seen := a.vals, a.seen
	for i, g := range ids {
		if !isValid(bits, off, i) {
			continue
		}
		v := values[offsets[i]:offsets[i+1]]
		if !seen[g] || bytes.Compare(v, cur[g]) == want {
			cur[g], seen[g] = append(cur[g][:0], v...), true
		}
	}
}

func (a *bytesMinMax) Merge(ids []uint32, numGroups int, states []arrow.Array) error {
	if err := checkStates(minMaxKind(a.max), a.in, ids, states); err != nil {
		return err
	}
	return a.Update(ids, numGroups, states[0])
}

func (a *bytesMinMax) States() ([]arrow.Array, error) {
	out, err := a.Finish()
	if err != nil {
		return nil, err
	}
	return []arrow.Array{out}, nil
}

func (a *bytesMinMax) Finish() (arrow.Array, error) {
	return bytesArray(a.mem, a.in, a.vals, a.seen)
}

func (a *bytesMinMax) Release() { a.vals, a.seen = nil, nil }
