package join

import (
	"fmt"
	"math"
	"math/rand/v2"

	"github.com/apache/arrow-go/v18/arrow"
)

// keyGen draws key values of one type from a fixed domain, so that both
// sides of a join share values; canon gives the value's identity as SQL
// equality sees it.
type keyGen struct {
	dt     arrow.DataType
	domain []any
}

func (g keyGen) draw(r *rand.Rand, nullRate float64) any {
	if g.dt.ID() == arrow.NULL || r.Float64() < nullRate {
		return nil
	}
	return g.domain[r.IntN(len(g.domain))]
}

func canon(v any) string {
	switch v := v.(type) {
	case float64:
		switch {
		case v == 0:
			return "f0"
		case math.IsNaN(v):
			return "fNaN"
		}
		return fmt.Sprintf("f%v", v)
	}
	return fmt.Sprintf("%T:%v", v, v)
}

func intDomain(r *rand.Rand, n int, lo, span int64) []any {
	out := make([]any, n)
	for i := range out {
		out[i] = lo + r.Int64N(span)
	}
	return out
}

func genKeys(r *rand.Rand) map[string]keyGen {
	words := []any{"", "a", "b", "ab", "ba", "a rather long string value", "é", "A"}
	fixed := []any{"abc", "abd", "xyz", "\x00\x00\x00"}
	wide := make([]any, 40)
	for i := range wide {
		wide[i] = int64(r.Uint64())
	}
	huge := make([]any, 30)
	for i := range huge {
		huge[i] = r.Uint64() | 1<<63
	}
	return map[string]keyGen{
		"int64 dense":  {arrow.PrimitiveTypes.Int64, intDomain(r, 50, 1, 60)},
		"int64 sparse": {arrow.PrimitiveTypes.Int64, intDomain(r, 50, -1<<40, 1<<41)},
		"int64 wide":   {arrow.PrimitiveTypes.Int64, wide},
		"int32":        {arrow.PrimitiveTypes.Int32, intDomain(r, 30, -20, 40)},
		"int8":         {arrow.PrimitiveTypes.Int8, intDomain(r, 10, -128, 256)},
		"uint64":       {arrow.PrimitiveTypes.Uint64, huge},
		"float64":      {arrow.PrimitiveTypes.Float64, []any{0.0, math.Copysign(0, -1), math.NaN(), -math.NaN(), 1.5, -2.25, math.Inf(1)}},
		"float32":      {arrow.PrimitiveTypes.Float32, []any{0.0, math.Copysign(0, -1), math.NaN(), 1.5, 3.0}},
		"bool":         {arrow.FixedWidthTypes.Boolean, []any{true, false}},
		"date32":       {arrow.FixedWidthTypes.Date32, intDomain(r, 20, 18000, 40)},
		"timestamp":    {&arrow.TimestampType{Unit: arrow.Microsecond}, intDomain(r, 20, 1_600_000_000_000_000, 1e12)},
		"string":       {arrow.BinaryTypes.String, words},
		"large string": {arrow.BinaryTypes.LargeString, words},
		"binary":       {arrow.BinaryTypes.Binary, words},
		"fixed binary": {&arrow.FixedSizeBinaryType{ByteWidth: 3}, fixed},
		"decimal128":   {&arrow.Decimal128Type{Precision: 20, Scale: 2}, intDomain(r, 20, -1000, 2000)},
		"null":         {arrow.Null, nil},
	}
}
