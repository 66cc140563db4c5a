package aggregate

import (
	"fmt"
	"math"
	"slices"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"

	"lakeframe/errs"
)

// quantile implements Quantile: an exact quantile needs every value, so
// each group keeps its non-null values, as float64, and its partial state
// is the list of them.
type quantile struct {
	mem     memory.Allocator
	in      arrow.DataType
	q       float64
	vals    [][]float64
	scratch floatScratch
}

// NewQuantile returns the Quantile accumulator for fraction q in [0, 1]
// over numeric input type in.
func NewQuantile(mem memory.Allocator, in arrow.DataType, q float64) (Accumulator, error) {
	if err := check(Quantile, in); err != nil {
		return nil, err
	}
	if !(q >= 0 && q <= 1) {
		return nil, fmt.Errorf("quantile %v is outside [0, 1]: %w", q, errs.ErrPlan)
	}
	return &quantile{mem: mem, in: in, q: q}, nil
}

func (a *quantile) Update(ids []uint32, numGroups int, in arrow.Array) error {
	if err := checkInput(a.in, ids, in); err != nil {
		return err
	}
	a.vals = grow(a.vals, numGroups)
	if in == nil || len(ids) == 0 {
		return nil
	}
	vals, err := a.scratch.values(a.mem, in)
	if err != nil {
		return err
	}
	bits, off := validBits(in), in.Data().Offset()
	for i, g := range ids {
		if isValid(bits, off, i) {
			a.vals[g] = append(a.vals[g], vals[i])
		}
	}
	return nil
}

func (a *quantile) Merge(ids []uint32, numGroups int, states []arrow.Array) error {
	if err := checkStates(Quantile, a.in, ids, states); err != nil {
		return err
	}
	a.vals = grow(a.vals, numGroups)
	list, ok := states[0].(*array.List)
	if !ok {
		return fmt.Errorf("quantile state is %T: %w", states[0], errs.ErrInternal)
	}
	if list.Len() == 0 {
		return nil
	}
	child, err := fixedValues[float64](list.ListValues())
	if err != nil {
		return err
	}
	offs := arrow.GetOffsets[int32](list.Data(), 1)
	for r, g := range ids {
		if list.IsValid(r) {
			a.vals[g] = append(a.vals[g], child[offs[r]:offs[r+1]]...)
		}
	}
	return nil
}

// States lists each group's values; a group without any is NULL.
func (a *quantile) States() ([]arrow.Array, error) {
	total := 0
	for _, v := range a.vals {
		total += len(v)
	}
	if total > math.MaxInt32 {
		return nil, fmt.Errorf("%d values exceed one list array: %w", total, errs.ErrResourcesExhausted)
	}
	flat := make([]float64, 0, total)
	offBuf := newBuffer(a.mem, 4*(len(a.vals)+1))
	offs := arrow.GetData[int32](offBuf.Bytes())
	offs[0] = 0
	valid := make([]bool, len(a.vals))
	for g, v := range a.vals {
		flat = append(flat, v...)
		offs[g+1] = int32(len(flat))
		valid[g] = len(v) > 0
	}
	child := fixedArray(a.mem, arrow.PrimitiveTypes.Float64, flat, nil)
	defer child.Release()
	vb, nulls := validityFromBools(a.mem, valid)
	data := array.NewData(arrow.ListOf(arrow.PrimitiveTypes.Float64), len(a.vals), []*memory.Buffer{vb, offBuf}, []arrow.ArrayData{child.Data()}, nulls, 0)
	out := array.MakeFromData(data)
	data.Release()
	offBuf.Release()
	if vb != nil {
		vb.Release()
	}
	return []arrow.Array{out}, nil
}

func (a *quantile) Finish() (arrow.Array, error) {
	out := make([]float64, len(a.vals))
	valid := make([]bool, len(a.vals))
	for g, v := range a.vals {
		if len(v) > 0 {
			out[g], valid[g] = interpolatedQuantile(v, a.q), true
		}
	}
	return fixedArray(a.mem, arrow.PrimitiveTypes.Float64, out, valid), nil
}

func (a *quantile) Release() { a.vals, a.scratch = nil, floatScratch{} }

// interpolatedQuantile sorts vals (NaN last, as SQL orders it) and returns
// the value at rank q*(n-1), interpolated linearly between the ranks
// around it when that rank is not whole, as DuckDB's quantile_cont does.
func interpolatedQuantile(vals []float64, q float64) float64 {
	// NaNs go to the end first, so that the rest sorts without a
	// comparison function (three times faster).
	numbers := 0
	for i, v := range vals {
		if v == v {
			vals[numbers], vals[i] = v, vals[numbers]
			numbers++
		}
	}
	slices.Sort(vals[:numbers])
	rank := q * float64(len(vals)-1)
	lo, hi := math.Floor(rank), math.Ceil(rank)
	if lo == hi {
		return vals[int(lo)]
	}
	a, b := vals[int(lo)], vals[int(hi)]
	if a == b {
		return a // also for two equal infinities, where b-a is NaN
	}
	return a + (rank-lo)*(b-a)
}
