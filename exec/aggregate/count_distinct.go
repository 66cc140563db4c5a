package aggregate

import (
	"fmt"
	"math"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"

	"lakeframe/errs"
)

// countDistinct implements CountDistinct. A key column gives every distinct
// value an id, shared by all groups; a u64Map then holds the distinct
// (group, value id) pairs. Its partial state lists each group's distinct
// values, so merged counts stay exact.
type countDistinct struct {
	mem    memory.Allocator
	in     arrow.DataType
	values keyColumn
	set    u64Map
	pairs  []uint64 // group<<32 | value id, in insertion order
	counts []int64
	vids   []uint32 // scratch: value ids of a batch
	gids   []uint32 // scratch: group ids of merged list elements
}

func newCountDistinct(mem memory.Allocator, in arrow.DataType) (*countDistinct, error) {
	col, err := newKeyColumn(in)
	if err != nil {
		return nil, err
	}
	a := &countDistinct{mem: mem, in: in, values: col}
	a.set.init()
	return a, nil
}

// skipRow marks list elements of null lists, which belong to no group.
const skipRow = math.MaxUint32

func (a *countDistinct) Update(ids []uint32, numGroups int, in arrow.Array) error {
	if err := checkInput(a.in, ids, in); err != nil {
		return err
	}
	a.counts = grow(a.counts, numGroups)
	if in == nil {
		return nil
	}
	return a.add(ids, in)
}

// add records the pairs (ids[i], value of row i) for the non-null rows.
func (a *countDistinct) add(ids []uint32, in arrow.Array) error {
	if err := checkRoom(len(a.pairs), len(ids)); err != nil {
		return err
	}
	a.vids = resize(a.vids, len(ids))
	if err := a.values.insert(in, a.vids); err != nil {
		return err
	}
	null := uint32(skipRow)
	if n := a.values.nullID(); n >= 0 {
		null = uint32(n)
	}
	vids := a.vids[:len(ids)]
	next := uint32(len(a.pairs))
	for i, g := range ids {
		v := vids[i]
		if v == null || g == skipRow {
			continue
		}
		key := uint64(g)<<32 | uint64(v)
		if _, added := a.set.getOrInsert(key, next); added {
			a.pairs = append(a.pairs, key)
			a.counts[g]++
			next++
		}
	}
	return nil
}

func (a *countDistinct) Merge(ids []uint32, numGroups int, states []arrow.Array) error {
	if err := checkStates(CountDistinct, a.in, ids, states); err != nil {
		return err
	}
	a.counts = grow(a.counts, numGroups)
	list, ok := states[0].(*array.List)
	if !ok {
		return fmt.Errorf("count_distinct state is %T: %w", states[0], errs.ErrInternal)
	}
	if list.Len() == 0 {
		return nil
	}
	offs := arrow.GetOffsets[int32](list.Data(), 1)
	start, end := int(offs[0]), int(offs[len(offs)-1])
	a.gids = resize(a.gids, end-start)
	gids := a.gids
	for r, g := range ids {
		if list.IsNull(r) {
			g = skipRow
		}
		for j := offs[r]; j < offs[r+1]; j++ {
			gids[int(j)-start] = g
		}
	}
	values := array.NewSlice(list.ListValues(), int64(start), int64(end))
	defer values.Release()
	return a.add(gids, values)
}

// States returns, per group, the list of its distinct values.
func (a *countDistinct) States() ([]arrow.Array, error) {
	n := len(a.counts)
	if len(a.pairs) > math.MaxInt32 {
		return nil, fmt.Errorf("%d distinct values exceed one list array: %w", len(a.pairs), errs.ErrResourcesExhausted)
	}
	// Counting sort of the pairs by group.
	offBuf := newBuffer(a.mem, 4*(n+1))
	offs := arrow.GetData[int32](offBuf.Bytes())
	offs[0] = 0
	for g, c := range a.counts {
		offs[g+1] = offs[g] + int32(c)
	}
	pos := make([]int32, n)
	copy(pos, offs[:n])
	vids := make([]uint32, len(a.pairs))
	for _, p := range a.pairs {
		g := p >> 32
		vids[pos[g]] = uint32(p)
		pos[g]++
	}
	child, err := a.values.build(a.mem, vids)
	if err != nil {
		offBuf.Release()
		return nil, err
	}
	data := array.NewData(arrow.ListOf(a.in), n, []*memory.Buffer{nil, offBuf}, []arrow.ArrayData{child.Data()}, 0, 0)
	out := array.MakeFromData(data)
	data.Release()
	child.Release()
	offBuf.Release()
	return []arrow.Array{out}, nil
}

func (a *countDistinct) Finish() (arrow.Array, error) {
	return fixedArray(a.mem, arrow.PrimitiveTypes.Int64, a.counts, nil), nil
}

func (a *countDistinct) Release() {
	a.values, a.pairs, a.counts, a.vids, a.gids = nil, nil, nil, nil, nil
	a.set = u64Map{}
}
