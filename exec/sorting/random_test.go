package sorting

import (
	"fmt"
	"math"
	"math/big"
	"math/rand/v2"
	"sort"
	"testing"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"

	"lakeframe/exec/exectest"
)

// randColumn describes a column of random test tables.
type randColumn struct {
	dt       arrow.DataType
	sortable bool
	gen      func(r *rand.Rand, id int) any
}

func pick[T any](r *rand.Rand, vals ...T) T { return vals[r.IntN(len(vals))] }

// randInt draws from a few values most of the time, so that keys tie, and
// from the whole range otherwise.
func randInt(r *rand.Rand, lo, hi int64) int64 {
	if r.IntN(3) > 0 {
		return pick(r, lo, hi, 0, -1, 1, 2)
	}
	return lo + int64(r.Uint64N(uint64(hi-lo)))
}

func randBytes(r *rand.Rand) []byte {
	if r.IntN(4) == 0 {
		// A long shared prefix puts many rows in one 8-byte chunk.
		return fmt.Appendf(nil, "shared-long-prefix-%d", r.IntN(40))
	}
	b := make([]byte, r.IntN(5))
	for i := range b {
		b[i] = pick(r, byte(0), 1, 'a', 'b', 0xff)
	}
	return b
}

func randFloat(r *rand.Rand) float64 {
	if r.IntN(2) == 0 {
		return pick(r, math.NaN(), math.Copysign(math.NaN(), -1), 0, math.Copysign(0, -1),
			math.Inf(1), math.Inf(-1), -1.5, 2.25, math.SmallestNonzeroFloat64, math.MaxFloat64)
	}
	return float64(r.IntN(20)-10) / 4
}

func randColumns() []randColumn {
	return []randColumn{
		{arrow.PrimitiveTypes.Int64, false, func(_ *rand.Rand, id int) any { return int64(id) }},
		{arrow.FixedWidthTypes.Boolean, true, func(r *rand.Rand, _ int) any { return r.IntN(2) == 0 }},
		{arrow.PrimitiveTypes.Int8, true, func(r *rand.Rand, _ int) any { return randInt(r, math.MinInt8, math.MaxInt8) }},
		{arrow.PrimitiveTypes.Int16, true, func(r *rand.Rand, _ int) any { return randInt(r, math.MinInt16, math.MaxInt16) }},
		{arrow.PrimitiveTypes.Int32, true, func(r *rand.Rand, _ int) any { return randInt(r, math.MinInt32, math.MaxInt32) }},
		{arrow.PrimitiveTypes.Int64, true, func(r *rand.Rand, _ int) any { return randInt(r, math.MinInt64, math.MaxInt64) }},
		{arrow.PrimitiveTypes.Uint8, true, func(r *rand.Rand, _ int) any { return uint64(r.IntN(256)) }},
		{arrow.PrimitiveTypes.Uint32, true, func(r *rand.Rand, _ int) any { return uint64(pick(r, 0, math.MaxUint32, r.Uint32())) }},
		{arrow.PrimitiveTypes.Uint64, true, func(r *rand.Rand, _ int) any { return pick(r, 0, math.MaxUint64, 1<<63, r.Uint64()) }},
		{arrow.PrimitiveTypes.Float32, true, func(r *rand.Rand, _ int) any { return float32(randFloat(r)) }},
		{arrow.PrimitiveTypes.Float64, true, func(r *rand.Rand, _ int) any { return randFloat(r) }},
		{arrow.BinaryTypes.String, true, func(r *rand.Rand, _ int) any { return string(randBytes(r)) }},
		{arrow.BinaryTypes.LargeString, true, func(r *rand.Rand, _ int) any { return string(randBytes(r)) }},
		{arrow.BinaryTypes.Binary, true, func(r *rand.Rand, _ int) any { return randBytes(r) }},
		{&arrow.FixedSizeBinaryType{ByteWidth: 3}, true, func(r *rand.Rand, _ int) any {
			return []byte{pick[byte](r, 0, 1, 0xff), pick[byte](r, 0, 'a'), byte(r.IntN(256))}
		}},
		{arrow.FixedWidthTypes.Date32, true, func(r *rand.Rand, _ int) any { return int64(r.IntN(20) - 10) }},
		{&arrow.TimestampType{Unit: arrow.Microsecond}, true, func(r *rand.Rand, _ int) any { return randInt(r, math.MinInt64, math.MaxInt64) }},
		{&arrow.Decimal128Type{Precision: 38, Scale: 3}, true, func(r *rand.Rand, _ int) any {
			v := new(big.Int).Lsh(big.NewInt(int64(r.IntN(7)-3)), uint(pick(r, 0, 63, 64, 100)))
			return dec128(v.Add(v, big.NewInt(int64(r.IntN(3)-1))))
		}},
		{&arrow.Decimal256Type{Precision: 76, Scale: 0}, true, func(r *rand.Rand, _ int) any {
			v := new(big.Int).Lsh(big.NewInt(int64(r.IntN(7)-3)), uint(pick(r, 0, 64, 128, 200)))
			return dec256(v.Add(v, big.NewInt(int64(r.IntN(3)-1))))
		}},
		{arrow.ListOf(arrow.PrimitiveTypes.Int64), false, func(_ *rand.Rand, id int) any { return []int64{int64(id), int64(-id)} }},
		{arrow.StructOf(arrow.Field{Name: "x", Type: arrow.PrimitiveTypes.Int64, Nullable: true}), false,
			func(_ *rand.Rand, id int) any { return []any{int64(id)} }},
	}
}

// randTable is a random table: its rows as test values and the same rows
// as record batches. Column 0 is the row id.
type randTable struct {
	cols    []randColumn
	rows    [][]any
	schema  *arrow.Schema
	batches []arrow.RecordBatch
}

// newRandTable draws n rows and cuts them into batches of random sizes,
// some of them empty and some sliced out of larger arrays. The batches
// come from an unchecked allocator, which is much faster to fill; the code
// under test allocates from the checked one.
func newRandTable(t *testing.T, r *rand.Rand, n int) *randTable {
	mem := memory.DefaultAllocator
	tbl := &randTable{cols: randColumns()}
	fields := make([]arrow.Field, len(tbl.cols))
	for j, c := range tbl.cols {
		fields[j] = arrow.Field{Name: fmt.Sprintf("c%d", j), Type: c.dt, Nullable: j > 0}
	}
	tbl.schema = arrow.NewSchema(fields, nil)
	nullRate := pick(r, 0, 0.1, 0.5)
	for id := range n {
		row := make([]any, len(tbl.cols))
		for j, c := range tbl.cols {
			if j == 0 || r.Float64() >= nullRate {
				row[j] = c.gen(r, id)
			}
		}
		tbl.rows = append(tbl.rows, row)
	}
	maxBatch := pick(r, 1+n/50, 7+n/20, 100, n+1)
	for lo := 0; lo < n || (n == 0 && lo == 0); {
		size := min(r.IntN(maxBatch+1), n-lo)
		pad := 0
		if r.IntN(3) == 0 {
			pad = 1 + r.IntN(3)
		}
		cols := make([]arrow.Array, len(tbl.cols))
		for j, c := range tbl.cols {
			var vals []any
			for range pad {
				vals = append(vals, c.gen(r, 0))
			}
			for _, row := range tbl.rows[lo : lo+size] {
				vals = append(vals, row[j])
			}
			vals = append(vals, nil)
			whole := exectest.NewArray(t, mem, c.dt, vals...)
			cols[j] = array.NewSlice(whole, int64(pad), int64(pad+size))
			whole.Release()
		}
		tbl.batches = append(tbl.batches, array.NewRecordBatch(tbl.schema, cols, int64(size)))
		for _, c := range cols {
			c.Release()
		}
		lo += size
		if n == 0 {
			break
		}
	}
	return tbl
}

func (tbl *randTable) release() { exectest.ReleaseAll(tbl.batches) }

// randOrder picks one to three sortable key columns and their directions.
func (tbl *randTable) randOrder(r *rand.Rand) ([]int, []Key) {
	var cols []int
	var order []Key
	for range 1 + r.IntN(3) {
		j := 1 + r.IntN(len(tbl.cols)-1)
		for !tbl.cols[j].sortable {
			j = 1 + r.IntN(len(tbl.cols)-1)
		}
		cols = append(cols, j)
		order = append(order, Key{Desc: r.IntN(2) == 0, NullsFirst: r.IntN(2) == 0})
	}
	return cols, order
}

func keysOf(batches []arrow.RecordBatch, cols []int) [][]arrow.Array {
	keys := make([][]arrow.Array, len(batches))
	for i, b := range batches {
		for _, j := range cols {
			keys[i] = append(keys[i], b.Column(j))
		}
	}
	return keys
}

// refOrder returns the row ids in the reference order: a stable sort with
// the comparison written out per type.
func (tbl *randTable) refOrder(t *testing.T, cols []int, order []Key) []int {
	ids := make([]int, len(tbl.rows))
	keyRows := make([][]any, len(tbl.rows))
	for i, row := range tbl.rows {
		ids[i] = i
		for _, j := range cols {
			keyRows[i] = append(keyRows[i], row[j])
		}
	}
	sort.SliceStable(ids, func(a, b int) bool {
		return refLess(t, keyRows[ids[a]], keyRows[ids[b]], order)
	})
	return ids
}

// check compares the output rows with the rows of the given ids, every
// column.
func (tbl *randTable) check(t *testing.T, what string, out []arrow.RecordBatch, want []int) {
	t.Helper()
	n := 0
	for _, b := range out {
		if !b.Schema().Equal(tbl.schema) {
			t.Fatalf("%s: output schema %s", what, b.Schema())
		}
		n += int(b.NumRows())
	}
	if n != len(want) {
		t.Fatalf("%s: got %d rows, want %d", what, n, len(want))
	}
	for j := range tbl.cols {
		got := exectest.ColumnValues(t, out, j)
		for p, id := range want {
			if !exectest.Same(got[p], tbl.rows[id][j]) {
				t.Fatalf("%s: row %d column %d (%s): got %v, want %v from row %d",
					what, p, j, tbl.cols[j].dt, got[p], tbl.rows[id][j], id)
			}
		}
	}
}

func randSize(r *rand.Rand) int {
	return pick(r, 0, 1, 2, r.IntN(50), r.IntN(500), 1000+r.IntN(2000))
}

func TestSortRandom(t *testing.T) {
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)
	r := rand.New(rand.NewPCG(1, 2))
	for iter := range 150 {
		tbl := newRandTable(t, r, randSize(r))
		cols, order := tbl.randOrder(r)
		out, err := Sort(mem, tbl.batches, keysOf(tbl.batches, cols), order)
		if err != nil {
			t.Fatal(err)
		}
		tbl.check(t, fmt.Sprintf("iteration %d, %d rows, keys %v %v", iter, len(tbl.rows), cols, order),
			out, tbl.refOrder(t, cols, order))
		exectest.ReleaseAll(out)
		tbl.release()
	}
}

func TestTopKRandom(t *testing.T) {
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)
	r := rand.New(rand.NewPCG(3, 4))
	for iter := range 100 {
		tbl := newRandTable(t, r, randSize(r))
		cols, order := tbl.randOrder(r)
		want := tbl.refOrder(t, cols, order)
		n := len(tbl.rows)
		for _, k := range []int{0, 1, 7, 600, n / 2, n, n + 5} {
			what := fmt.Sprintf("iteration %d, %d rows in %d batches, k=%d, keys %v %v",
				iter, n, len(tbl.batches), k, cols, order)
			topk := NewTopK(mem, k, order, tbl.schema)
			if r.IntN(2) == 0 {
				topk.minCompact = 1 + r.IntN(8) // compact and filter often
			}
			for i, b := range tbl.batches {
				if err := topk.Push(b, keysOf(tbl.batches[i:i+1], cols)[0]); err != nil {
					t.Fatalf("%s: %v", what, err)
				}
			}
			res, err := topk.Result()
			if err != nil {
				t.Fatalf("%s: %v", what, err)
			}
			tbl.check(t, what, []arrow.RecordBatch{res}, want[:min(k, n)])
			res.Release()
			topk.Release()
		}
		tbl.release()
	}
}

func TestMergeRandom(t *testing.T) {
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)
	r := rand.New(rand.NewPCG(5, 6))
	for iter := range 80 {
		tbl := newRandTable(t, r, randSize(r))
		cols, order := tbl.randOrder(r)
		// Sort consecutive groups of batches into runs, then merge them.
		var runs []Run
		var sorted [][]arrow.RecordBatch
		for lo := 0; lo < len(tbl.batches); {
			hi := min(lo+1+r.IntN(4), len(tbl.batches))
			part := tbl.batches[lo:hi]
			out, err := Sort(mem, part, keysOf(part, cols), order)
			if err != nil {
				t.Fatal(err)
			}
			if r.IntN(4) == 0 {
				out = append(out, tbl.batches[0].NewSlice(0, 0)) // an empty batch
			}
			sorted = append(sorted, out)
			runs = append(runs, Run{Batches: out, Keys: keysOf(out, cols)})
			lo = hi
		}
		out, err := Merge(mem, runs, order)
		if err != nil {
			t.Fatal(err)
		}
		tbl.check(t, fmt.Sprintf("iteration %d, %d rows in %d runs, keys %v %v", iter, len(tbl.rows), len(runs), cols, order),
			out, tbl.refOrder(t, cols, order))
		exectest.ReleaseAll(out)
		for _, s := range sorted {
			exectest.ReleaseAll(s)
		}
		tbl.release()
	}
}
