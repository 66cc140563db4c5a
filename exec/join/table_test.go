package join

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"

	"lakeframe/exec/exectest"
)

type pair struct{ probe, build int32 }

// collectPairs drains a prober for one batch, limit pairs at a time.
func collectPairs(t *testing.T, p *Prober, limit int, misses bool) []pair {
	t.Helper()
	var out []pair
	for range 1_000_000 {
		pr, br, done := p.Next(limit, misses)
		if len(pr) != len(br) || len(pr) > limit {
			t.Fatalf("Next(%d) gave %d probe and %d build rows", limit, len(pr), len(br))
		}
		for i := range pr {
			out = append(out, pair{pr[i], br[i]})
		}
		if done {
			return out
		}
	}
	t.Fatal("Next never finished")
	return nil
}

func sortPairs(ps []pair) {
	slices.SortFunc(ps, func(a, b pair) int {
		if a.probe != b.probe {
			return int(a.probe - b.probe)
		}
		return int(a.build - b.build)
	})
}

func TestTableSmall(t *testing.T) {
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)
	i64 := arrow.PrimitiveTypes.Int64
	b1 := exectest.NewArray(t, mem, i64, int64(1), int64(2), int64(2))
	b2 := exectest.NewArray(t, mem, i64, nil, int64(3))
	defer b1.Release()
	defer b2.Release()
	tbl, err := Build(mem, []arrow.DataType{i64}, [][]arrow.Array{{b1}, {b2}})
	if err != nil {
		t.Fatal(err)
	}
	defer tbl.Release()
	if tbl.Rows() != 5 || tbl.Keys() != 3 || tbl.Unique() {
		t.Fatalf("rows %d keys %d unique %v, want 5 3 false", tbl.Rows(), tbl.Keys(), tbl.Unique())
	}
	probe := exectest.NewArray(t, mem, i64, int64(2), nil, int64(4), int64(1), int64(2), int64(0))
	defer probe.Release()
	p := tbl.NewProber()
	ids, err := p.Lookup([]arrow.Array{probe}, 6)
	if err != nil {
		t.Fatal(err)
	}
	if ids[1] != NoMatch || ids[2] != NoMatch || ids[5] != NoMatch || ids[0] != ids[4] || ids[0] == NoMatch {
		t.Fatalf("ids %v", ids)
	}
	for _, limit := range []int{1, 2, 3, 100} {
		if _, err := p.Lookup([]arrow.Array{probe}, 6); err != nil {
			t.Fatal(err)
		}
		got := collectPairs(t, p, limit, false)
		want := []pair{{0, 1}, {0, 2}, {3, 0}, {4, 1}, {4, 2}}
		if !slices.Equal(got, want) {
			t.Errorf("limit %d: pairs %v, want %v", limit, got, want)
		}
		if _, err := p.Lookup([]arrow.Array{probe}, 6); err != nil {
			t.Fatal(err)
		}
		got = collectPairs(t, p, limit, true)
		want = []pair{{0, 1}, {0, 2}, {1, -1}, {2, -1}, {3, 0}, {4, 1}, {4, 2}, {5, -1}}
		if !slices.Equal(got, want) {
			t.Errorf("limit %d with misses: pairs %v, want %v", limit, got, want)
		}
	}
}

// TestTableMatchesNaive joins random key columns of every supported type,
// alone and in combinations, and compares every pair with a nested loop
// over the Go values.
func TestTableMatchesNaive(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	gens := genKeys(r)
	combos := [][]string{
		{"int64 dense"}, {"int64 sparse"}, {"int64 wide"}, {"int32"}, {"int8"}, {"uint64"},
		{"float64"}, {"float32"}, {"bool"}, {"date32"}, {"timestamp"},
		{"string"}, {"large string"}, {"binary"}, {"fixed binary"}, {"decimal128"}, {"null"},
		{"string", "int64 dense"},
		{"int32", "bool", "string"},
		// Three full-range columns need more than 64 bits: the tuple is
		// replaced by dense ids on the way.
		{"int64 wide", "uint64", "int64 wide"},
		{"uint64", "int64 wide"},
		{"float64", "decimal128", "int8"},
		{"int64 dense", "null"},
	}
	for _, combo := range combos {
		for _, nullRate := range []float64{0, 0.15} {
			name := fmt.Sprintf("%s/nulls=%v", strings.Join(combo, "+"), nullRate)
			t.Run(name, func(t *testing.T) {
				var cols []keyGen
				for _, c := range combo {
					cols = append(cols, gens[c])
				}
				checkAgainstNaive(t, r, cols, nullRate)
			})
		}
	}
}

// sideData is random key tuples of one join side, as Go values and as
// Arrow batches.
type sideData struct {
	rows    [][]any
	batches [][]arrow.Array
}

func (s *sideData) release() {
	for _, b := range s.batches {
		for _, a := range b {
			a.Release()
		}
	}
}

// genSide makes random batches; some are slices of larger arrays, so that
// offsets are exercised.
func genSide(t *testing.T, r *rand.Rand, mem memory.Allocator, cols []keyGen, nullRate float64, nBatches, maxRows int) sideData {
	var s sideData
	for range nBatches {
		n := r.IntN(maxRows + 1)
		pad := 0
		if r.IntN(2) == 0 {
			pad = 1 + r.IntN(5)
		}
		vals := make([][]any, len(cols))
		for i := range n + 2*pad {
			row := make([]any, len(cols))
			for c, g := range cols {
				row[c] = g.draw(r, nullRate)
				vals[c] = append(vals[c], row[c])
			}
			if i >= pad && i < pad+n {
				s.rows = append(s.rows, row)
			}
		}
		batch := make([]arrow.Array, len(cols))
		for c, g := range cols {
			full := exectest.NewArray(t, mem, g.dt, vals[c]...)
			batch[c] = array.NewSlice(full, int64(pad), int64(pad+n))
			full.Release()
		}
		s.batches = append(s.batches, batch)
	}
	return s
}

func tupleKey(row []any) (string, bool) {
	parts := make([]string, len(row))
	for i, v := range row {
		if v == nil {
			return "", false
		}
		parts[i] = canon(v)
	}
	return strings.Join(parts, "|"), true
}

func checkAgainstNaive(t *testing.T, r *rand.Rand, cols []keyGen, nullRate float64) {
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)
	types := make([]arrow.DataType, len(cols))
	for i, c := range cols {
		types[i] = c.dt
	}
	build := genSide(t, r, mem, cols, nullRate, 1+r.IntN(4), 60)
	defer build.release()
	probe := genSide(t, r, mem, cols, nullRate, 3, 50)
	defer probe.release()

	tbl, err := Build(mem, types, build.batches)
	if err != nil {
		t.Fatal(err)
	}
	defer tbl.Release()
	if tbl.Rows() != len(build.rows) {
		t.Fatalf("table has %d rows, want %d", tbl.Rows(), len(build.rows))
	}
	byKey := map[string][]int32{}
	for i, row := range build.rows {
		if k, ok := tupleKey(row); ok {
			byKey[k] = append(byKey[k], int32(i))
		}
	}
	if tbl.Keys() != len(byKey) {
		t.Errorf("table has %d keys, want %d", tbl.Keys(), len(byKey))
	}
	p := tbl.NewProber()
	lo := 0
	for _, batch := range probe.batches {
		n := batch[0].Len()
		rows := probe.rows[lo : lo+n]
		lo += n
		var want []pair
		for i, row := range rows {
			k, ok := tupleKey(row)
			for _, b := range byKey[k] {
				if ok {
					want = append(want, pair{int32(i), b})
				}
			}
			if !ok || len(byKey[k]) == 0 {
				want = append(want, pair{int32(i), -1})
			}
		}
		for _, misses := range []bool{false, true} {
			if _, err := p.Lookup(batch, n); err != nil {
				t.Fatal(err)
			}
			got := collectPairs(t, p, 1+r.IntN(20), misses)
			sortPairs(got)
			w := want
			if !misses {
				w = slices.DeleteFunc(slices.Clone(want), func(p pair) bool { return p.build < 0 })
			}
			if !slices.Equal(got, w) {
				t.Fatalf("misses=%v: pairs\n got %v\nwant %v", misses, got, w)
			}
		}
	}
}

func TestTableEmptyAndAllNull(t *testing.T) {
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)
	str := arrow.BinaryTypes.String
	nulls := exectest.NewArray(t, mem, str, nil, nil)
	defer nulls.Release()
	probe := exectest.NewArray(t, mem, str, "a", nil)
	defer probe.Release()
	for name, batches := range map[string][][]arrow.Array{"no batches": nil, "all null": {{nulls}}} {
		tbl, err := Build(mem, []arrow.DataType{str}, batches)
		if err != nil {
			t.Fatal(err)
		}
		p := tbl.NewProber()
		if _, err := p.Lookup([]arrow.Array{probe}, 2); err != nil {
			t.Fatal(err)
		}
		if got := collectPairs(t, p, 10, true); !slices.Equal(got, []pair{{0, -1}, {1, -1}}) {
			t.Errorf("%s: pairs %v", name, got)
		}
		if tbl.Keys() != 0 {
			t.Errorf("%s: %d keys", name, tbl.Keys())
		}
		tbl.Release()
	}
}

func TestBuildCross(t *testing.T) {
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)
	for _, n := range []int{0, 1, 3} {
		tbl, err := BuildCross(mem, n)
		if err != nil {
			t.Fatal(err)
		}
		p := tbl.NewProber()
		if _, err := p.Lookup(nil, 2); err != nil {
			t.Fatal(err)
		}
		got := collectPairs(t, p, 2, true)
		var want []pair
		for i := range int32(2) {
			if n == 0 {
				want = append(want, pair{i, -1})
			}
			for b := range int32(n) {
				want = append(want, pair{i, b})
			}
		}
		if !slices.Equal(got, want) {
			t.Errorf("n=%d: pairs %v, want %v", n, got, want)
		}
		tbl.Release()
	}
}

func TestTableUniqueShapes(t *testing.T) {
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)
	i64 := arrow.PrimitiveTypes.Int64
	for _, tc := range []struct {
		name   string
		build  []any
		unique bool
	}{
		{"unique in order", []any{int64(10), int64(20), int64(30)}, true},
		{"unique with nulls", []any{nil, int64(20), nil, int64(5)}, true},
		{"duplicates", []any{int64(1), int64(1)}, false},
	} {
		arr := exectest.NewArray(t, mem, i64, tc.build...)
		tbl, err := Build(mem, []arrow.DataType{i64}, [][]arrow.Array{{arr}})
		if err != nil {
			t.Fatal(err)
		}
		if tbl.Unique() != tc.unique {
			t.Errorf("%s: unique %v", tc.name, tbl.Unique())
		}
		p := tbl.NewProber()
		if _, err := p.Lookup([]arrow.Array{arr}, arr.Len()); err != nil {
			t.Fatal(err)
		}
		got := collectPairs(t, p, 100, false)
		for _, pr := range got {
			if arr.IsNull(int(pr.probe)) || arr.(*array.Int64).Value(int(pr.probe)) != arr.(*array.Int64).Value(int(pr.build)) {
				t.Errorf("%s: bad pair %v", tc.name, pr)
			}
		}
		if tbl.SizeBytes() <= 0 {
			t.Errorf("%s: size %d", tc.name, tbl.SizeBytes())
		}
		tbl.Release()
		arr.Release()
	}
}

func TestLookupChecksTypes(t *testing.T) {
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)
	a := exectest.NewArray(t, mem, arrow.PrimitiveTypes.Int64, int64(1))
	defer a.Release()
	b := exectest.NewArray(t, mem, arrow.PrimitiveTypes.Int32, int64(1))
	defer b.Release()
	tbl, err := Build(mem, []arrow.DataType{arrow.PrimitiveTypes.Int64}, [][]arrow.Array{{a}})
	if err != nil {
		t.Fatal(err)
	}
	defer tbl.Release()
	if _, err := tbl.NewProber().Lookup([]arrow.Array{b}, 1); err == nil {
		t.Error("probe with an int32 key on an int64 table: no error")
	}
	if _, err := Build(mem, []arrow.DataType{arrow.ListOf(arrow.PrimitiveTypes.Int64)}, nil); err == nil {
		t.Error("list key: no error")
	}
}

// TestTableLarge grows every structure past its first size: sparse
// integers in the hash table, many distinct strings in the dictionary.
func TestTableLarge(t *testing.T) {
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)
	r := rand.New(rand.NewPCG(8, 9))
	const n = 30_000
	ints := make([]any, n)
	strs := make([]any, n)
	for i := range n {
		ints[i] = r.Int64N(1<<50) * 3
		if i%4 == 0 && i > 0 {
			ints[i] = ints[i-1] // duplicates
		}
		strs[i] = fmt.Sprintf("s%d", r.IntN(n))
	}
	for _, tc := range []struct {
		name string
		dt   arrow.DataType
		vals []any
	}{{"int64", arrow.PrimitiveTypes.Int64, ints}, {"string", arrow.BinaryTypes.String, strs}} {
		arr := exectest.NewArray(t, mem, tc.dt, tc.vals...)
		tbl, err := Build(mem, []arrow.DataType{tc.dt}, [][]arrow.Array{{arr}})
		if err != nil {
			t.Fatal(err)
		}
		rows := map[any]int{}
		for _, v := range tc.vals {
			rows[v]++
		}
		if tbl.Keys() != len(rows) {
			t.Errorf("%s: %d keys, want %d", tc.name, tbl.Keys(), len(rows))
		}
		// Half the build keys, a NULL and an absent key.
		probeVals := append(slices.Clone(tc.vals[:n/2]), nil)
		if tc.dt.ID() == arrow.STRING {
			probeVals = append(probeVals, "absent")
		} else {
			probeVals = append(probeVals, int64(-5))
		}
		probe := exectest.NewArray(t, mem, tc.dt, probeVals...)
		p := tbl.NewProber()
		if _, err := p.Lookup([]arrow.Array{probe}, probe.Len()); err != nil {
			t.Fatal(err)
		}
		counts := make([]int, probe.Len())
		for _, pr := range collectPairs(t, p, 4096, false) {
			counts[pr.probe]++
			if tc.vals[pr.build] != probeVals[pr.probe] {
				t.Fatalf("%s: probe row %d paired with build row %d", tc.name, pr.probe, pr.build)
			}
		}
		for i, v := range probeVals {
			if counts[i] != rows[v] {
				t.Fatalf("%s: probe row %d (%v) has %d matches, want %d", tc.name, i, v, counts[i], rows[v])
			}
		}
		probe.Release()
		tbl.Release()
		arr.Release()
	}
}

// TestZeroLengthKeys builds and probes with empty batches of every type.
func TestZeroLengthKeys(t *testing.T) {
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)
	for name, g := range genKeys(rand.New(rand.NewPCG(1, 1))) {
		empty := exectest.NewArray(t, mem, g.dt)
		tbl, err := Build(mem, []arrow.DataType{g.dt}, [][]arrow.Array{{empty}})
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		p := tbl.NewProber()
		if ids, err := p.Lookup([]arrow.Array{empty}, 0); err != nil || len(ids) != 0 {
			t.Errorf("%s: lookup gave %v, %v", name, ids, err)
		}
		var h Hasher
		if err := h.Hash([]arrow.Array{empty}, 0, 1, nil); err != nil {
			t.Errorf("%s: hash: %v", name, err)
		}
		out, err := Take(mem, empty, nil)
		if err != nil || out.Len() != 0 {
			t.Errorf("%s: take: %v", name, err)
		} else {
			out.Release()
		}
		tbl.Release()
		empty.Release()
	}
}
