package join

import (
	"math/rand/v2"
	"testing"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"
)

// benchKeys returns n int64 keys in batches of 64K: sparse like TPC-H's
// order keys, or random over 2^40 (which takes the hash table).
func benchKeys(n int, random bool) [][]arrow.Array {
	r := rand.New(rand.NewPCG(1, 2))
	var out [][]arrow.Array
	b := array.NewInt64Builder(memory.DefaultAllocator)
	defer b.Release()
	for lo := 0; lo < n; lo += 1 << 16 {
		for i := lo; i < min(lo+1<<16, n); i++ {
			if random {
				b.Append(r.Int64N(1 << 40))
			} else {
				b.Append(int64(i/8*32 + i%8 + 1))
			}
		}
		out = append(out, []arrow.Array{b.NewArray()})
	}
	return out
}

func BenchmarkBuild(b *testing.B) {
	for _, random := range []bool{false, true} {
		keys := benchKeys(1_500_000, random)
		name := map[bool]string{false: "dense", true: "hashed"}[random]
		b.Run(name, func(b *testing.B) {
			for b.Loop() {
				t, err := Build(memory.DefaultAllocator, []arrow.DataType{arrow.PrimitiveTypes.Int64}, keys)
				if err != nil {
					b.Fatal(err)
				}
				t.Release()
			}
			b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/1.5e6, "ns/row")
		})
	}
}

// BenchmarkProbe looks up 1.5M build keys in random order and walks their
// pairs, per row.
func BenchmarkProbe(b *testing.B) {
	for _, random := range []bool{false, true} {
		keys := benchKeys(1_500_000, random)
		t, err := Build(memory.DefaultAllocator, []arrow.DataType{arrow.PrimitiveTypes.Int64}, keys)
		if err != nil {
			b.Fatal(err)
		}
		probe := make([][]arrow.Array, len(keys))
		copy(probe, keys)
		rand.New(rand.NewPCG(3, 4)).Shuffle(len(probe), func(i, j int) { probe[i], probe[j] = probe[j], probe[i] })
		name := map[bool]string{false: "dense", true: "hashed"}[random]
		b.Run(name, func(b *testing.B) {
			p := t.NewProber()
			for b.Loop() {
				for _, k := range probe {
					if _, err := p.Lookup(k, k[0].Len()); err != nil {
						b.Fatal(err)
					}
					for {
						if _, _, done := p.Next(1<<16, false); done {
							break
						}
					}
				}
			}
			b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/1.5e6, "ns/row")
		})
		t.Release()
	}
}
