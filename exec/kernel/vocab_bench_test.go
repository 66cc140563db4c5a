package kernel

import (
	"math/rand/v2"
	"regexp"
	"strconv"
	"testing"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"
)

// BenchmarkVocabulary runs a few of the vocabulary's kernels over 64K
// rows: floats for Round and Sqrt, short strings for the string and
// regular expression kernels, timestamps for Strftime and DateTrunc.
func BenchmarkVocabulary(b *testing.B) {
	const rows = 1 << 16
	mem := memory.DefaultAllocator
	r := rand.New(rand.NewPCG(5, 6))
	fb, sb := array.NewFloat64Builder(mem), array.NewStringBuilder(mem)
	tb := array.NewTimestampBuilder(mem, &arrow.TimestampType{Unit: arrow.Microsecond})
	for range rows {
		fb.Append(r.Float64() * 1e4)
		sb.Append("order-" + strconv.Itoa(r.IntN(1e6)) + " eu ")
		tb.Append(arrow.Timestamp(r.Int64N(2e15)))
	}
	floats, strs, times := fb.NewArray(), sb.NewArray(), tb.NewArray()
	defer floats.Release()
	defer strs.Release()
	defer times.Release()
	re := regexp.MustCompile(`-([0-9]+)7`)
	kernels := map[string]func() (arrow.Array, error){
		"round":       func() (arrow.Array, error) { return Round(mem, floats, 2) },
		"sqrt":        func() (arrow.Array, error) { return Sqrt(mem, floats) },
		"trim":        func() (arrow.Array, error) { return Trim(mem, strs) },
		"split":       func() (arrow.Array, error) { return Split(mem, strs, "-") },
		"regex_match": func() (arrow.Array, error) { return RegexMatch(mem, strs, re) },
		"regex_repl":  func() (arrow.Array, error) { return RegexReplace(mem, strs, re, "#$1") },
		"strftime":    func() (arrow.Array, error) { return Strftime(mem, times, "%Y-%m-%d %H:%M") },
		"date_trunc":  func() (arrow.Array, error) { return DateTrunc(mem, times, 2) },
	}
	for name, k := range kernels {
		b.Run(name, func(b *testing.B) {
			for b.Loop() {
				out, err := k()
				if err != nil {
					b.Fatal(err)
				}
				out.Release()
			}
			b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/rows, "ns/row")
		})
	}
}
