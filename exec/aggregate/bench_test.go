package aggregate

import (
	"math/rand/v2"
	"strconv"
	"testing"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"

	"lakeframe/exec/exectest"
)

const benchBatch = 64 * 1024

// q1Batches builds rows of (returnflag, linestatus, 4 float64 columns) with
// the four key pairs TPC-H Q1 sees.
func q1Batches(rows int) [][]arrow.Array {
	mem := memory.DefaultAllocator
	r := rand.New(rand.NewPCG(3, 4))
	pairs := [][2]string{{"A", "F"}, {"N", "F"}, {"N", "O"}, {"R", "F"}}
	var out [][]arrow.Array
	for start := 0; start < rows; start += benchBatch {
		n := min(benchBatch, rows-start)
		flag, status := array.NewStringBuilder(mem), array.NewStringBuilder(mem)
		vals := make([]*array.Float64Builder, 4)
		for j := range vals {
			vals[j] = array.NewFloat64Builder(mem)
		}
		for range n {
			p := pairs[r.IntN(len(pairs))]
			flag.Append(p[0])
			status.Append(p[1])
			for j := range vals {
				vals[j].Append(r.Float64() * 1000)
			}
		}
		batch := []arrow.Array{flag.NewArray(), status.NewArray()}
		for _, v := range vals {
			batch = append(batch, v.NewArray())
		}
		out = append(out, batch)
	}
	return out
}

func reportPerRow(b *testing.B, rows int) {
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/float64(rows), "ns/row")
}

// BenchmarkQ1Like groups 6M rows by two one-letter string keys (4 groups)
// and sums four float64 columns.
func BenchmarkQ1Like(b *testing.B) {
	const rows = 6_000_000
	batches := q1Batches(rows)
	keyTypes := []arrow.DataType{arrow.BinaryTypes.String, arrow.BinaryTypes.String}
	b.Run("group+4sums", func(b *testing.B) {
		for b.Loop() {
			gt, _ := NewGroupTable(memory.DefaultAllocator, keyTypes)
			accs := make([]Accumulator, 4)
			for j := range accs {
				accs[j], _ = New(memory.DefaultAllocator, Sum, arrow.PrimitiveTypes.Float64)
			}
			var ids []uint32
			var err error
			for _, batch := range batches {
				if ids, err = gt.Insert(batch[:2], ids); err != nil {
					b.Fatal(err)
				}
				for j, acc := range accs {
					if err := acc.Update(ids, gt.Len(), batch[2+j]); err != nil {
						b.Fatal(err)
					}
				}
			}
			keys, _ := gt.Keys()
			exectest.ReleaseAll(keys)
			for _, acc := range accs {
				out, _ := acc.Finish()
				out.Release()
				acc.Release()
			}
			gt.Release()
		}
		reportPerRow(b, rows)
	})
	b.Run("group", func(b *testing.B) {
		for b.Loop() {
			gt, _ := NewGroupTable(memory.DefaultAllocator, keyTypes)
			var ids []uint32
			for _, batch := range batches {
				ids, _ = gt.Insert(batch[:2], ids)
			}
			gt.Release()
		}
		reportPerRow(b, rows)
	})
	b.Run("sum", func(b *testing.B) {
		gt, _ := NewGroupTable(memory.DefaultAllocator, keyTypes)
		idsPerBatch := make([][]uint32, len(batches))
		for i, batch := range batches {
			idsPerBatch[i], _ = gt.Insert(batch[:2], nil)
		}
		for b.Loop() {
			acc, _ := New(memory.DefaultAllocator, Sum, arrow.PrimitiveTypes.Float64)
			for i, batch := range batches {
				_ = acc.Update(idsPerBatch[i], gt.Len(), batch[2])
			}
			acc.Release()
		}
		reportPerRow(b, rows)
	})
}

// BenchmarkDistinctInt64 groups 1M rows with 1M distinct int64 keys and
// counts rows per group.
func BenchmarkDistinctInt64(b *testing.B) {
	const rows = 1_000_000
	r := rand.New(rand.NewPCG(5, 6))
	perm := r.Perm(rows)
	var batches []arrow.Array
	for start := 0; start < rows; start += benchBatch {
		bld := array.NewInt64Builder(memory.DefaultAllocator)
		for _, p := range perm[start:min(start+benchBatch, rows)] {
			bld.Append(int64(p)*7919 + 1_000_000_007)
		}
		batches = append(batches, bld.NewArray())
		bld.Release()
	}
	for b.Loop() {
		gt, _ := NewGroupTable(memory.DefaultAllocator, []arrow.DataType{arrow.PrimitiveTypes.Int64})
		acc, _ := New(memory.DefaultAllocator, CountAll, nil)
		var ids []uint32
		for _, batch := range batches {
			ids, _ = gt.Insert([]arrow.Array{batch}, ids)
			_ = acc.Update(ids, gt.Len(), nil)
		}
		if gt.Len() != rows {
			b.Fatalf("%d groups", gt.Len())
		}
		keys, _ := gt.Keys()
		exectest.ReleaseAll(keys)
		out, _ := acc.Finish()
		out.Release()
		acc.Release()
		gt.Release()
	}
	reportPerRow(b, rows)
}

// BenchmarkGroupTable inserts 1M rows of several key shapes.
func BenchmarkGroupTable(b *testing.B) {
	const rows = 1_000_000
	mem := memory.DefaultAllocator
	r := rand.New(rand.NewPCG(7, 8))
	int64s := func(card int) arrow.Array {
		bld := array.NewInt64Builder(mem)
		defer bld.Release()
		for range rows {
			bld.Append(r.Int64N(int64(card)))
		}
		return bld.NewArray()
	}
	strs := func(card int, prefix string) arrow.Array {
		bld := array.NewStringBuilder(mem)
		defer bld.Release()
		for range rows {
			bld.Append(prefix + strconv.Itoa(r.IntN(card)))
		}
		return bld.NewArray()
	}
	cases := []struct {
		name string
		cols []arrow.Array
	}{
		{"int64 100 groups", []arrow.Array{int64s(100)}},
		{"string 100 groups", []arrow.Array{strs(100, "k")}},
		{"long string 1M rows 500k groups", []arrow.Array{strs(500_000, "Customer#00000")}},
		{"int64 x string 100k groups", []arrow.Array{int64s(1000), strs(100, "s")}},
	}
	for _, tc := range cases {
		b.Run(tc.name, func(b *testing.B) {
			types := make([]arrow.DataType, len(tc.cols))
			for i, c := range tc.cols {
				types[i] = c.DataType()
			}
			for b.Loop() {
				gt, _ := NewGroupTable(mem, types)
				var ids []uint32
				for start := int64(0); start < rows; start += benchBatch {
					end := min(start+benchBatch, rows)
					batch := make([]arrow.Array, len(tc.cols))
					for i, c := range tc.cols {
						batch[i] = array.NewSlice(c, start, end)
					}
					ids, _ = gt.Insert(batch, ids)
					exectest.ReleaseAll(batch)
				}
				gt.Release()
			}
			reportPerRow(b, rows)
		})
	}
}
