package sorting

import (
	"fmt"
	"math/rand/v2"
	"syscall"
	"testing"
	"time"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"

	"lakeframe/exec/exectest"
)

var benchSchema = arrow.NewSchema([]arrow.Field{
	{Name: "k", Type: arrow.PrimitiveTypes.Int64, Nullable: true},
	{Name: "s", Type: arrow.BinaryTypes.String, Nullable: true},
	{Name: "f", Type: arrow.PrimitiveTypes.Float64, Nullable: true},
	{Name: "p", Type: arrow.PrimitiveTypes.Int64},
}, nil)

// benchBatches returns n rows in batches of BatchRows: a random int64 key,
// a string, a float64 with few distinct values and an int64 payload.
// Strings are random letters, or with prefixed set, a shared prefix and a
// number, like TPC-H names.
func benchBatches(n int, prefixed bool, seed uint64) []arrow.RecordBatch {
	mem := memory.DefaultAllocator
	r := rand.New(rand.NewPCG(seed, 1))
	var out []arrow.RecordBatch
	for lo := 0; lo < n; lo += BatchRows {
		size := min(BatchRows, n-lo)
		kb := array.NewInt64Builder(mem)
		sb := array.NewStringBuilder(mem)
		fb := array.NewFloat64Builder(mem)
		pb := array.NewInt64Builder(mem)
		var buf []byte
		for i := range size {
			kb.Append(r.Int64() - r.Int64())
			if prefixed {
				buf = fmt.Appendf(buf[:0], "Customer#%09d", r.IntN(n))
			} else {
				buf = buf[:0]
				for range 8 + r.IntN(9) {
					buf = append(buf, byte('a'+r.IntN(26)))
				}
			}
			sb.BinaryBuilder.Append(buf)
			fb.Append(float64(r.IntN(1000)) / 8)
			pb.Append(int64(lo + i))
		}
		cols := []arrow.Array{kb.NewArray(), sb.NewArray(), fb.NewArray(), pb.NewArray()}
		out = append(out, array.NewRecordBatch(benchSchema, cols, int64(size)))
		for _, c := range cols {
			c.Release()
		}
		kb.Release()
		sb.Release()
		fb.Release()
		pb.Release()
	}
	return out
}

// cpuTime returns the CPU time the process has used. The benchmarks
// report it next to wall time, which other load on the machine inflates.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// perRow reports wall and CPU time per row of the loop that follows.
func perRow(b *testing.B, rows int) func() {
	start := cpuTime()
	b.ResetTimer()
	return func() {
		n := float64(b.N) * float64(rows)
		b.ReportMetric(float64(b.Elapsed().Nanoseconds())/n, "ns/row")
		b.ReportMetric(float64((cpuTime()-start).Nanoseconds())/n, "cpu-ns/row")
	}
}

const benchRows = 1 << 20

func BenchmarkSort(b *testing.B) {
	cases := []struct {
		name     string
		prefixed bool
		cols     []int
		order    []Key
	}{
		{"int64", false, []int{0}, []Key{asc}},
		{"string,float64 desc", false, []int{1, 2}, []Key{asc, desc}},
		{"prefixed string,float64 desc", true, []int{1, 2}, []Key{asc, desc}},
	}
	for _, c := range cases {
		b.Run(c.name, func(b *testing.B) {
			batches := benchBatches(benchRows, c.prefixed, 1)
			defer exectest.ReleaseAll(batches)
			keys := keysOf(batches, c.cols)
			report := perRow(b, benchRows)
			for b.Loop() {
				out, err := Sort(memory.DefaultAllocator, batches, keys, c.order)
				if err != nil {
					b.Fatal(err)
				}
				exectest.ReleaseAll(out)
			}
			report()
		})
	}
}

// BenchmarkSortPerm measures ordering alone: encoding the keys and sorting
// the row numbers, without gathering the rows.
func BenchmarkSortPerm(b *testing.B) {
	for _, c := range []struct {
		name  string
		cols  []int
		order []Key
	}{
		{"int64", []int{0}, []Key{asc}},
		{"string,float64 desc", []int{1, 2}, []Key{asc, desc}},
	} {
		b.Run(c.name, func(b *testing.B) {
			batches := benchBatches(benchRows, false, 1)
			defer exectest.ReleaseAll(batches)
			keys := keysOf(batches, c.cols)
			report := perRow(b, benchRows)
			for b.Loop() {
				kr, err := encodeBatches(batches, keys, c.order)
				if err != nil {
					b.Fatal(err)
				}
				kr.sortPerm()
			}
			report()
		})
	}
}

// BenchmarkGather compares the typed gather of all columns in a random
// order with array.Concatenate of the same columns, the first step of a
// concatenate-then-take gather.
func BenchmarkGather(b *testing.B) {
	batches := benchBatches(benchRows, false, 1)
	defer exectest.ReleaseAll(batches)
	perm := rand.New(rand.NewPCG(2, 2)).Perm(benchRows)
	perm32 := make([]uint32, len(perm))
	for i, p := range perm {
		perm32[i] = uint32(p)
	}
	b.Run("typed gather", func(b *testing.B) {
		report := perRow(b, benchRows)
		for b.Loop() {
			out, err := gatherPerm(memory.DefaultAllocator, batches, perm32)
			if err != nil {
				b.Fatal(err)
			}
			exectest.ReleaseAll(out)
		}
		report()
	})
	b.Run("concatenate", func(b *testing.B) {
		cols := make([]arrow.Array, len(batches))
		report := perRow(b, benchRows)
		for b.Loop() {
			for j := range benchSchema.NumFields() {
				for i, bt := range batches {
					cols[i] = bt.Column(j)
				}
				c, err := array.Concatenate(cols, memory.DefaultAllocator)
				if err != nil {
					b.Fatal(err)
				}
				c.Release()
			}
		}
		report()
	})
}

func BenchmarkTopK(b *testing.B) {
	const pushes = 92 // 6M rows
	for _, c := range []struct {
		name  string
		cols  []int
		order []Key
	}{
		{"k=10 int64", []int{0}, []Key{asc}},
		{"k=10 string,float64 desc", []int{1, 2}, []Key{asc, desc}},
	} {
		b.Run(c.name, func(b *testing.B) {
			batches := benchBatches(16*BatchRows, false, 3)
			defer exectest.ReleaseAll(batches)
			keys := keysOf(batches, c.cols)
			report := perRow(b, pushes*BatchRows)
			for b.Loop() {
				topk := NewTopK(memory.DefaultAllocator, 10, c.order, benchSchema)
				for i := range pushes {
					j := i % len(batches)
					if err := topk.Push(batches[j], keys[j]); err != nil {
						b.Fatal(err)
					}
				}
				res, err := topk.Result()
				if err != nil {
					b.Fatal(err)
				}
				res.Release()
				topk.Release()
			}
			report()
		})
	}
}
