package aggregate

import (
	"math/rand/v2"
	"testing"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"
)

// BenchmarkStatistical folds 1M float64 rows in 1,000 groups into each of
// the statistical and collecting aggregates, then finishes them.
func BenchmarkStatistical(b *testing.B) {
	const rows, groups = 1 << 20, 1000
	mem := memory.DefaultAllocator
	r := rand.New(rand.NewPCG(1, 2))
	var batches []arrow.Array
	var ids [][]uint32
	for start := 0; start < rows; start += benchBatch {
		vb := array.NewFloat64Builder(mem)
		gids := make([]uint32, benchBatch)
		for i := range benchBatch {
			vb.Append(r.NormFloat64())
			gids[i] = uint32(r.IntN(groups))
		}
		batches = append(batches, vb.NewArray())
		vb.Release()
		ids = append(ids, gids)
	}
	defer func() {
		for _, a := range batches {
			a.Release()
		}
	}()
	f64 := arrow.PrimitiveTypes.Float64
	for _, k := range []Kind{Var, Quantile, ApproxCountDistinct, First, Last, List, Sum} {
		b.Run(k.String(), func(b *testing.B) {
			for b.Loop() {
				acc, err := New(mem, k, f64)
				if k == Quantile {
					acc, err = NewQuantile(mem, f64, 0.5)
				}
				if err != nil {
					b.Fatal(err)
				}
				for i, batch := range batches {
					if err := acc.Update(ids[i], groups, batch); err != nil {
						b.Fatal(err)
					}
				}
				out, err := acc.Finish()
				if err != nil {
					b.Fatal(err)
				}
				out.Release()
				acc.Release()
			}
			reportPerRow(b, rows)
		})
	}
}
