package aggregate

import (
	"math"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/memory"
)

// moments implements Var, VarPop, Std and StdPop. Each group keeps its
// count, mean and sum of squared deviations, updated row by row with
// Welford's method, which does not lose precision the way the sum of
// squares does; partial states combine with Chan's formula.
type moments struct {
	mem     memory.Allocator
	in      arrow.DataType
	kind    Kind
	counts  []int64
	means   []float64
	m2s     []float64
	scratch floatScratch
}

func momentStateTypes() []arrow.DataType {
	return []arrow.DataType{arrow.PrimitiveTypes.Int64, arrow.PrimitiveTypes.Float64, arrow.PrimitiveTypes.Float64}
}

func (a *moments) grow(n int) {
	a.counts = grow(a.counts, n)
	a.means = grow(a.means, n)
	a.m2s = grow(a.m2s, n)
}

func (a *moments) Update(ids []uint32, numGroups int, in arrow.Array) error {
	if err := checkInput(a.in, ids, in); err != nil {
		return err
	}
	a.grow(numGroups)
	if in == nil || len(ids) == 0 {
		return nil
	}
	vals, err := a.scratch.values(a.mem, in)
	if err != nil {
		return err
	}
	bits, off := validBits(in), in.Data().Offset()
	counts, means, m2s := a.counts, a.means, a.m2s
	for i, g := range ids {
		if !isValid(bits, off, i) {
			continue
		}
		x := vals[i]
		n := counts[g] + 1
		d := x - means[g]
		means[g] += d / float64(n)
		m2s[g] += d * (x - means[g])
		counts[g] = n
	}
	return nil
}

func (a *moments) Merge(ids []uint32, numGroups int, states []arrow.Array) error {
	if err := checkStates(a.kind, a.in, ids, states); err != nil {
		return err
	}
	a.grow(numGroups)
	ns, err := fixedValues[int64](states[0])
	if err != nil {
		return err
	}
	ms, err := fixedValues[float64](states[1])
	if err != nil {
		return err
	}
	m2, err := fixedValues[float64](states[2])
	if err != nil {
		return err
	}
	for i, g := range ids {
		nb := ns[i]
		if nb == 0 || states[0].IsNull(i) {
			continue
		}
		na := a.counts[g]
		n := na + nb
		d := ms[i] - a.means[g]
		a.means[g] += d * float64(nb) / float64(n)
		a.m2s[g] += m2[i] + d*d*float64(na)*float64(nb)/float64(n)
		a.counts[g] = n
	}
	return nil
}

func (a *moments) States() ([]arrow.Array, error) {
	return []arrow.Array{
		fixedArray(a.mem, arrow.PrimitiveTypes.Int64, a.counts, nil),
		fixedArray(a.mem, arrow.PrimitiveTypes.Float64, a.means, nil),
		fixedArray(a.mem, arrow.PrimitiveTypes.Float64, a.m2s, nil),
	}, nil
}

func (a *moments) Finish() (arrow.Array, error) {
	out := make([]float64, len(a.counts))
	valid := make([]bool, len(a.counts))
	sample := a.kind == Var || a.kind == Std
	for g, n := range a.counts {
		switch {
		case sample && n >= 2:
			out[g] = a.m2s[g] / float64(n-1)
		case !sample && n >= 1:
			out[g] = a.m2s[g] / float64(n)
		default:
			continue
		}
		valid[g] = true
		if a.kind == Std || a.kind == StdPop {
			out[g] = math.Sqrt(out[g])
		}
	}
	return fixedArray(a.mem, arrow.PrimitiveTypes.Float64, out, valid), nil
}

func (a *moments) Release() { a.counts, a.means, a.m2s, a.scratch = nil, nil, nil, floatScratch{} }
