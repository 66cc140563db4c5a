package join

import (
	"math"
	"math/rand/v2"
	"testing"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"

	"lakeframe/exec/exectest"
)

// TestHasherEqualKeys checks that rows with equal keys hash alike whatever
// batch, slice or spelling (-0, NaN payloads) they come in.
func TestHasherEqualKeys(t *testing.T) {
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)
	r := rand.New(rand.NewPCG(3, 4))
	for name, g := range genKeys(r) {
		if g.dt.ID() == arrow.NULL {
			continue
		}
		vals := make([]any, 200)
		for i := range vals {
			vals[i] = g.draw(r, 0)
		}
		a := exectest.NewArray(t, mem, g.dt, vals...)
		// The same values again, shifted by one row inside a slice.
		b0 := exectest.NewArray(t, mem, g.dt, append([]any{g.domain[0]}, vals...)...)
		b := array.NewSlice(b0, 1, int64(len(vals)+1))
		b0.Release()
		var h Hasher
		ha, hb := make([]uint64, len(vals)), make([]uint64, len(vals))
		if err := h.Hash([]arrow.Array{a}, len(vals), 7, ha); err != nil {
			t.Fatal(err)
		}
		if err := h.Hash([]arrow.Array{b}, len(vals), 7, hb); err != nil {
			t.Fatal(err)
		}
		byKey := map[string]uint64{}
		for i, v := range vals {
			if ha[i] != hb[i] {
				t.Errorf("%s: row %d hashes differently in a slice", name, i)
			}
			k := canon(v)
			if h, ok := byKey[k]; ok && h != ha[i] {
				t.Errorf("%s: equal keys %v hash to %x and %x", name, v, h, ha[i])
			}
			byKey[k] = ha[i]
		}
		a.Release()
		b.Release()
	}
	f := arrow.PrimitiveTypes.Float64
	a := exectest.NewArray(t, mem, f, 0.0, math.NaN())
	b := exectest.NewArray(t, mem, f, math.Copysign(0, -1), -math.NaN())
	defer a.Release()
	defer b.Release()
	var h Hasher
	ha, hb := make([]uint64, 2), make([]uint64, 2)
	if err := h.Hash([]arrow.Array{a}, 2, 1, ha); err != nil {
		t.Fatal(err)
	}
	if err := h.Hash([]arrow.Array{b}, 2, 1, hb); err != nil {
		t.Fatal(err)
	}
	if ha[0] != hb[0] || ha[1] != hb[1] {
		t.Errorf("0/-0 or NaN/-NaN hash differently: %x %x", ha, hb)
	}
}

// TestHasherSpreads checks that the top bits split distinct keys evenly,
// under every seed, and that seeds are independent: the rows of one
// partition spread over all partitions under another seed.
func TestHasherSpreads(t *testing.T) {
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)
	const n, parts = 64_000, 32
	ib := array.NewInt64Builder(mem)
	sb := array.NewStringBuilder(mem)
	for i := range n {
		ib.Append(int64(i)) // consecutive keys, the hard case
		sb.Append("key-" + string(rune('a'+i%26)) + string(rune('a'+i/26%26)) + string(rune('a'+i/676%26)) + string(rune('a'+i/17576)))
	}
	ints, strs := ib.NewArray(), sb.NewArray()
	ib.Release()
	sb.Release()
	defer ints.Release()
	defer strs.Release()
	for name, keys := range map[string][]arrow.Array{"int64": {ints}, "string": {strs}, "both": {ints, strs}} {
		var h Hasher
		h1, h2 := make([]uint64, n), make([]uint64, n)
		if err := h.Hash(keys, n, 1, h1); err != nil {
			t.Fatal(err)
		}
		if err := h.Hash(keys, n, 2, h2); err != nil {
			t.Fatal(err)
		}
		var counts [parts]int
		var sub [parts]int
		for i := range n {
			counts[h1[i]>>59]++
			if h1[i]>>59 == 0 {
				sub[h2[i]>>59]++
			}
		}
		for k, c := range counts {
			if c < n/parts*8/10 || c > n/parts*12/10 {
				t.Errorf("%s: partition %d has %d rows of %d", name, k, c, n)
			}
		}
		want := counts[0] / parts
		for k, c := range sub {
			if c < want/2 || c > want*2 {
				t.Errorf("%s: seed 2 puts %d rows of seed 1's partition 0 in %d, want about %d", name, c, k, want)
			}
		}
	}
}
