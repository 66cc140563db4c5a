package aggregate

import (
	"fmt"
	"math"
	"math/bits"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/decimal128"
	"github.com/apache/arrow-go/v18/arrow/memory"

	"lakeframe/errs"
	"lakeframe/exec/internal/hashmix"
)

// hllPrecision is the number of hash bits that pick a register: 4096
// registers of one byte give a standard error of 1.04/64, about 1.6%.
const (
	hllPrecision = 12
	hllRegisters = 1 << hllPrecision
)

// approxDistinct implements ApproxCountDistinct with one HyperLogLog sketch
// per group (Flajolet et al., with linear counting for small counts). The
// hash is fixed, not seeded per process, so sketches built by different
// executors merge: the partial state is the registers, and merging takes
// the larger of each pair.
type approxDistinct struct {
	mem    memory.Allocator
	in     arrow.DataType
	sketch [][]uint8 // per group; nil until the group sees a value
	hashes []uint64  // scratch
}

func (a *approxDistinct) Update(ids []uint32, numGroups int, in arrow.Array) error {
	if err := checkInput(a.in, ids, in); err != nil {
		return err
	}
	a.sketch = grow(a.sketch, numGroups)
	if in == nil || len(ids) == 0 {
		return nil
	}
	a.hashes = resize(a.hashes, len(ids))
	if err := hashValues(in, a.hashes); err != nil {
		return err
	}
	bits, off := validBits(in), in.Data().Offset()
	for i, g := range ids {
		if isValid(bits, off, i) {
			a.add(g, a.hashes[i])
		}
	}
	return nil
}

func (a *approxDistinct) add(g uint32, h uint64) {
	regs := a.sketch[g]
	if regs == nil {
		regs = make([]uint8, hllRegisters)
		a.sketch[g] = regs
	}
	idx := h >> (64 - hllPrecision)
	// The rank of the first set bit among the remaining bits; the sentinel
	// bit bounds it when they are all zero.
	rank := uint8(bits.LeadingZeros64(h<<hllPrecision|1<<(hllPrecision-1)) + 1)
	if rank > regs[idx] {
		regs[idx] = rank
	}
}

func (a *approxDistinct) Merge(ids []uint32, numGroups int, states []arrow.Array) error {
	if err := checkStates(ApproxCountDistinct, a.in, ids, states); err != nil {
		return err
	}
	a.sketch = grow(a.sketch, numGroups)
	st, ok := states[0].(*array.Binary)
	if !ok {
		return fmt.Errorf("approx_count_distinct state is %T: %w", states[0], errs.ErrInternal)
	}
	for r, g := range ids {
		if st.IsNull(r) {
			continue
		}
		in := st.Value(r)
		if len(in) != hllRegisters {
			return fmt.Errorf("approx_count_distinct state of %d bytes, want %d: %w", len(in), hllRegisters, errs.ErrInternal)
		}
		regs := a.sketch[g]
		if regs == nil {
			a.sketch[g] = append([]uint8(nil), in...)
			continue
		}
		for j, v := range in {
			regs[j] = max(regs[j], v)
		}
	}
	return nil
}

func (a *approxDistinct) States() ([]arrow.Array, error) {
	valid := make([]bool, len(a.sketch))
	vals := make([][]byte, len(a.sketch))
	for g, regs := range a.sketch {
		vals[g], valid[g] = regs, regs != nil
	}
	out, err := bytesArray(a.mem, arrow.BinaryTypes.Binary, vals, valid)
	if err != nil {
		return nil, err
	}
	return []arrow.Array{out}, nil
}

func (a *approxDistinct) Finish() (arrow.Array, error) {
	out := make([]int64, len(a.sketch))
	for g, regs := range a.sketch {
		if regs != nil {
			out[g] = hllEstimate(regs)
		}
	}
	return fixedArray(a.mem, arrow.PrimitiveTypes.Int64, out, nil), nil
}

func (a *approxDistinct) Release() { a.sketch, a.hashes = nil, nil }

// hllEstimate is the HyperLogLog estimate of a sketch, corrected by linear
// counting while registers are still empty and the raw estimate is small.
func hllEstimate(regs []uint8) int64 {
	const m = float64(hllRegisters)
	alpha := 0.7213 / (1 + 1.079/m)
	sum, zeros := 0.0, 0
	for _, r := range regs {
		sum += math.Ldexp(1, -int(r))
		if r == 0 {
			zeros++
		}
	}
	est := alpha * m * m / sum
	if est <= 2.5*m && zeros > 0 {
		est = m * math.Log(m/float64(zeros))
	}
	return int64(math.Round(est))
}

// hashValues writes a 64-bit hash of each row of in to out; rows under
// nulls get arbitrary hashes. Equal values hash alike across batches and
// processes; -0.0 hashes as 0.0 and every NaN alike, since they are one
// value to SQL's DISTINCT.
func hashValues(in arrow.Array, out []uint64) error {
	switch in.DataType().ID() {
	case arrow.INT8:
		return hashFixed[int8](in, out)
	case arrow.INT16:
		return hashFixed[int16](in, out)
	case arrow.INT32, arrow.DATE32, arrow.TIME32:
		return hashFixed[int32](in, out)
	case arrow.INT64, arrow.DATE64, arrow.TIMESTAMP, arrow.TIME64, arrow.DURATION:
		return hashFixed[int64](in, out)
	case arrow.UINT8:
		return hashFixed[uint8](in, out)
	case arrow.UINT16:
		return hashFixed[uint16](in, out)
	case arrow.UINT32:
		return hashFixed[uint32](in, out)
	case arrow.UINT64:
		return hashFixed[uint64](in, out)
	case arrow.FLOAT32:
		return hashFloats[float32](in, out)
	case arrow.FLOAT64:
		return hashFloats[float64](in, out)
	case arrow.BOOL:
		b := in.(*array.Boolean)
		for i := range out {
			out[i] = hashmix.Mix64(0)
			if b.Value(i) {
				out[i] = hashmix.Mix64(1)
			}
		}
		return nil
	case arrow.DECIMAL128:
		vals, err := fixedValues[decimal128.Num](in)
		if err != nil {
			return err
		}
		for i, v := range vals {
			out[i] = hashmix.Mix64(v.LowBits() ^ hashmix.Mix64(uint64(v.HighBits())))
		}
		return nil
	case arrow.STRING:
		return hashEach(out, in.(*array.String).Value)
	case arrow.LARGE_STRING:
		return hashEach(out, in.(*array.LargeString).Value)
	case arrow.BINARY:
		return hashEach(out, in.(*array.Binary).Value)
	case arrow.LARGE_BINARY:
		return hashEach(out, in.(*array.LargeBinary).Value)
	}
	return fmt.Errorf("approx_count_distinct of %s: %w", in.DataType(), errs.ErrInternal)
}

func hashFixed[T int8 | int16 | int32 | int64 | uint8 | uint16 | uint32 | uint64](in arrow.Array, out []uint64) error {
	vals, err := fixedValues[T](in)
	if err != nil {
		return err
	}
	for i, v := range vals {
		out[i] = hashmix.Mix64(uint64(v))
	}
	return nil
}

func hashFloats[T float32 | float64](in arrow.Array, out []uint64) error {
	vals, err := fixedValues[T](in)
	if err != nil {
		return err
	}
	for i, v := range vals {
		f := float64(v)
		switch {
		case f == 0:
			f = 0 // -0.0 is 0.0
		case f != f:
			f = math.NaN()
		}
		out[i] = hashmix.Mix64(math.Float64bits(f))
	}
	return nil
}

func hashEach[S ~string | ~[]byte](out []uint64, value func(int) S) error {
	for i := range out {
		out[i] = hashBytes(value(i))
	}
	return nil
}

// hashBytes folds b eight bytes at a time and finishes with mix64; the
// length goes in first, so a tail of zero bytes changes the hash.
func hashBytes[S ~string | ~[]byte](b S) uint64 {
	h := uint64(len(b)) * 0x9e3779b97f4a7c15
	for len(b) > 0 {
		var w uint64
		n := min(len(b), 8)
		for j := n - 1; j >= 0; j-- {
			w = w<<8 | uint64(b[j])
		}
		h = bits.RotateLeft64(h^w, 29) * 0xbf58476d1ce4e5b9
		b = b[n:]
	}
	return hashmix.Mix64(h)
}
