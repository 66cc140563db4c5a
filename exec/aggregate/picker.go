package aggregate

import (
	"context"
	"fmt"
	"math"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/compute"
	"github.com/apache/arrow-go/v18/arrow/memory"

	"lakeframe/errs"
)

// picker implements First, Last and List, for values of any type. Instead
// of copying values it keeps the input arrays it picked rows from and, per
// group, references to those rows; the output gathers them with one take
// over the kept arrays. First and Last let go of an array as soon as no
// group refers to it any more.
type picker struct {
	mem    memory.Allocator
	kind   Kind
	in     arrow.DataType
	chunks []arrow.Array // nil once no reference remains
	uses   []int         // references into each chunk
	refs   []rowRef      // First, Last: one per group
	lists  [][]rowRef    // List: the rows of each group, in order
}

// rowRef is row of chunks[chunk-1]; chunk 0 means no row.
type rowRef struct{ chunk, row int32 }

func newPicker(mem memory.Allocator, k Kind, in arrow.DataType) *picker {
	return &picker{mem: mem, kind: k, in: in}
}

func (a *picker) grow(n int) {
	if a.kind == List {
		a.lists = grow(a.lists, n)
	} else {
		a.refs = grow(a.refs, n)
	}
}

func (a *picker) Update(ids []uint32, numGroups int, in arrow.Array) error {
	if err := checkInput(a.in, ids, in); err != nil {
		return err
	}
	a.grow(numGroups)
	if in == nil || len(ids) == 0 {
		return nil
	}
	return a.pick(ids, in, nil)
}

// pick references row i of values for group ids[i], for every row that
// keep (nil for all) marks.
func (a *picker) pick(ids []uint32, values arrow.Array, keep *array.Boolean) error {
	if values.Len() > math.MaxInt32 || len(a.chunks) >= math.MaxInt32 {
		return fmt.Errorf("%s over %d rows: %w", a.kind, values.Len(), errs.ErrResourcesExhausted)
	}
	values.Retain()
	a.chunks = append(a.chunks, values)
	a.uses = append(a.uses, 0)
	c := int32(len(a.chunks))
	for i, g := range ids {
		if keep != nil && !(keep.IsValid(i) && keep.Value(i)) {
			continue
		}
		ref := rowRef{chunk: c, row: int32(i)}
		switch a.kind {
		case First:
			if a.refs[g].chunk != 0 {
				continue
			}
			a.refs[g] = ref
		case Last:
			if old := a.refs[g].chunk; old != 0 {
				a.uses[old-1]--
			}
			a.refs[g] = ref
		default:
			a.lists[g] = append(a.lists[g], ref)
		}
		a.uses[c-1]++
	}
	a.dropUnused()
	return nil
}

func (a *picker) dropUnused() {
	for i, c := range a.chunks {
		if c != nil && a.uses[i] == 0 {
			c.Release()
			a.chunks[i] = nil
		}
	}
}

func (a *picker) Merge(ids []uint32, numGroups int, states []arrow.Array) error {
	if err := checkStates(a.kind, a.in, ids, states); err != nil {
		return err
	}
	a.grow(numGroups)
	if len(ids) == 0 {
		return nil
	}
	if a.kind != List {
		seen, ok := states[1].(*array.Boolean)
		if !ok {
			return fmt.Errorf("%s state is %T: %w", a.kind, states[1], errs.ErrInternal)
		}
		return a.pick(ids, states[0], seen)
	}
	list, ok := states[0].(*array.List)
	if !ok {
		return fmt.Errorf("list state is %T: %w", states[0], errs.ErrInternal)
	}
	offs := arrow.GetOffsets[int32](list.Data(), 1)
	// One group id per element of the lists' values.
	values := list.ListValues()
	elemIDs := make([]uint32, values.Len())
	keep := make([]bool, values.Len())
	for r, g := range ids {
		if list.IsNull(r) {
			continue
		}
		for j := offs[r]; j < offs[r+1]; j++ {
			elemIDs[j], keep[j] = g, true
		}
	}
	mask := boolArray(a.mem, keep, nil).(*array.Boolean)
	defer mask.Release()
	return a.pick(elemIDs, values, mask)
}

// gather takes the referenced rows, in the order of refs, from the kept
// chunks; a zero ref gives NULL.
func (a *picker) gather(refs []rowRef) (arrow.Array, error) {
	starts := make([]int64, len(a.chunks))
	var live []arrow.Array
	var total int64
	for i, c := range a.chunks {
		if c != nil {
			starts[i] = total
			total += int64(c.Len())
			live = append(live, c)
		}
	}
	if len(live) == 0 {
		return array.MakeArrayOfNull(a.mem, a.in, len(refs)), nil
	}
	var all arrow.Array
	if len(live) == 1 {
		all = live[0]
		all.Retain()
	} else {
		var err error
		if all, err = array.Concatenate(live, a.mem); err != nil {
			return nil, fmt.Errorf("%s: %w: %w", a.kind, errs.ErrExec, err)
		}
	}
	defer all.Release()
	idx := make([]int64, len(refs))
	valid := make([]bool, len(refs))
	for i, r := range refs {
		if r.chunk != 0 {
			idx[i], valid[i] = starts[r.chunk-1]+int64(r.row), true
		}
	}
	indices := fixedArray(a.mem, arrow.PrimitiveTypes.Int64, idx, valid)
	defer indices.Release()
	out, err := compute.TakeArray(compute.WithAllocator(context.Background(), a.mem), all, indices)
	if err != nil {
		return nil, fmt.Errorf("%s: %w: %w", a.kind, errs.ErrExec, err)
	}
	return out, nil
}

func (a *picker) States() ([]arrow.Array, error) {
	if a.kind == List {
		out, err := a.Finish()
		if err != nil {
			return nil, err
		}
		return []arrow.Array{out}, nil
	}
	vals, err := a.gather(a.refs)
	if err != nil {
		return nil, err
	}
	seen := make([]bool, len(a.refs))
	for g, r := range a.refs {
		seen[g] = r.chunk != 0
	}
	return []arrow.Array{vals, boolArray(a.mem, seen, nil)}, nil
}

func (a *picker) Finish() (arrow.Array, error) {
	if a.kind != List {
		return a.gather(a.refs)
	}
	var flat []rowRef
	offBuf := newBuffer(a.mem, 4*(len(a.lists)+1))
	offs := arrow.GetData[int32](offBuf.Bytes())
	offs[0] = 0
	valid := make([]bool, len(a.lists))
	for g, l := range a.lists {
		if len(flat)+len(l) > math.MaxInt32 {
			offBuf.Release()
			return nil, fmt.Errorf("list of %d values exceeds one list array: %w", len(flat)+len(l), errs.ErrResourcesExhausted)
		}
		flat = append(flat, l...)
		offs[g+1] = int32(len(flat))
		valid[g] = len(l) > 0
	}
	child, err := a.gather(flat)
	if err != nil {
		offBuf.Release()
		return nil, err
	}
	defer child.Release()
	vb, nulls := validityFromBools(a.mem, valid)
	data := array.NewData(arrow.ListOf(a.in), len(a.lists), []*memory.Buffer{vb, offBuf}, []arrow.ArrayData{child.Data()}, nulls, 0)
	out := array.MakeFromData(data)
	data.Release()
	offBuf.Release()
	if vb != nil {
		vb.Release()
	}
	return out, nil
}

func (a *picker) Release() {
	for _, c := range a.chunks {
		if c != nil {
			c.Release()
		}
	}
	a.chunks, a.uses, a.refs, a.lists = nil, nil, nil, nil
}
