package kernel

import (
	"context"
	"fmt"
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/compute"
	"github.com/apache/arrow-go/v18/arrow/compute/exec"
	"github.com/apache/arrow-go/v18/arrow/memory"
)

const benchRows = 1 << 20

// reportPerRow adds an ns/row metric.
func reportPerRow(b *testing.B, rows int) {
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/float64(rows), "ns/row")
}

// benchStrings builds rows of 3 to 8 words, like TPC-H comments.
func benchStrings(mem memory.Allocator, n int) arrow.Array {
	words := []string{"special", "requests", "furiously", "final", "deposits", "PROMO", "BRUSHED", "STEEL",
		"green", "ironic", "packages", "BRASS", "accounts", "sleep", "quickly", "blithely"}
	rng := rand.New(rand.NewPCG(1, 1))
	b := array.NewStringBuilder(mem)
	defer b.Release()
	var sb strings.Builder
	for range n {
		sb.Reset()
		for k := range 3 + rng.IntN(6) {
			if k > 0 {
				sb.WriteByte(' ')
			}
			sb.WriteString(words[rng.IntN(len(words))])
		}
		b.Append(sb.String())
	}
	return b.NewArray()
}

func BenchmarkLike(b *testing.B) {
	mem := memory.NewGoAllocator()
	in := benchStrings(mem, benchRows)
	defer in.Release()
	for _, c := range []struct {
		name, pattern string
		ilike         bool
	}{
		{"prefix", "PROMO%", false},
		{"suffix", "%BRASS", false},
		{"contains", "%green%", false},
		{"exact", "final deposits sleep", false},
		{"general", "%special%requests%", false},
		{"underscore", "%s_eep%", false},
		{"ilike contains", "%GREEN%", true},
	} {
		b.Run(c.name, func(b *testing.B) {
			compile := CompileLike
			if c.ilike {
				compile = CompileILike
			}
			p, err := compile(c.pattern, 0)
			if err != nil {
				b.Fatal(err)
			}
			for b.Loop() {
				out, err := p.Eval(mem, in)
				if err != nil {
					b.Fatal(err)
				}
				out.Release()
			}
			reportPerRow(b, benchRows)
		})
	}
}

// benchBatch builds a batch of int64, float64, string, date32 and Boolean
// (with nulls) columns.
func benchBatch(mem memory.Allocator, n int) arrow.RecordBatch {
	rng := rand.New(rand.NewPCG(2, 2))
	ib := array.NewInt64Builder(mem)
	fb := array.NewFloat64Builder(mem)
	db := array.NewDate32Builder(mem)
	bb := array.NewBooleanBuilder(mem)
	defer ib.Release()
	defer fb.Release()
	defer db.Release()
	defer bb.Release()
	for i := range n {
		ib.Append(int64(i))
		fb.Append(rng.Float64())
		db.Append(arrow.Date32(8000 + rng.IntN(2500)))
		if rng.IntN(10) == 0 {
			bb.AppendNull()
		} else {
			bb.Append(rng.IntN(2) == 0)
		}
	}
	cols := []arrow.Array{ib.NewArray(), fb.NewArray(), benchStrings(mem, n), db.NewArray(), bb.NewArray()}
	schema := arrow.NewSchema([]arrow.Field{
		{Name: "i", Type: tInt64}, {Name: "f", Type: tFloat64}, {Name: "s", Type: tString},
		{Name: "d", Type: tDate32}, {Name: "b", Type: tBool, Nullable: true},
	}, nil)
	rec := array.NewRecordBatch(schema, cols, int64(n))
	for _, c := range cols {
		c.Release()
	}
	return rec
}

// benchMask keeps each row with probability p.
func benchMask(mem memory.Allocator, n int, p float64) *array.Boolean {
	rng := rand.New(rand.NewPCG(3, 3))
	b := array.NewBooleanBuilder(mem)
	defer b.Release()
	for range n {
		b.Append(rng.Float64() < p)
	}
	return b.NewBooleanArray()
}

func BenchmarkFilter(b *testing.B) {
	mem := memory.NewGoAllocator()
	rec := benchBatch(mem, benchRows)
	defer rec.Release()
	for _, sel := range []float64{1, 0.99, 0.5, 0.01, 0} {
		mask := benchMask(mem, benchRows, sel)
		b.Run(fmt.Sprintf("keep=%g", sel), func(b *testing.B) {
			for b.Loop() {
				out, err := Filter(mem, rec, mask)
				if err != nil {
					b.Fatal(err)
				}
				out.Release()
			}
			reportPerRow(b, benchRows)
		})
		// arrow-go's own filter on the same batch, one goroutine, for scale
		// (its Boolean column comes out wrong).
		b.Run(fmt.Sprintf("arrow keep=%g", sel), func(b *testing.B) {
			ectx := compute.DefaultExecCtx()
			ectx.NumParallel = 1
			ctx := compute.SetExecCtx(exec.WithAllocator(context.Background(), mem), ectx)
			for b.Loop() {
				out, err := compute.FilterRecordBatch(ctx, rec, mask, compute.DefaultFilterOptions())
				if err != nil {
					b.Fatal(err)
				}
				out.Release()
			}
			reportPerRow(b, benchRows)
		})
		mask.Release()
	}
}
