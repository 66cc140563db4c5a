package join

import (
	"fmt"
	"math"
	"math/rand/v2"
	"testing"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/decimal128"
	"github.com/apache/arrow-go/v18/arrow/memory"
)

// newArray builds an array of type dt from Go values; nil is NULL.
func newArray(t testing.TB, mem memory.Allocator, dt arrow.DataType, vals ...any) arrow.Array {
	t.Helper()
	b := array.NewBuilder(mem, dt)
	defer b.Release()
	for _, v := range vals {
		if v == nil {
			b.AppendNull()
			continue
		}
		switch b := b.(type) {
		case *array.BooleanBuilder:
			b.Append(v.(bool))
		case *array.Int8Builder:
			b.Append(int8(v.(int64)))
		case *array.Int32Builder:
			b.Append(int32(v.(int64)))
		case *array.Int64Builder:
			b.Append(v.(int64))
		case *array.Uint64Builder:
			b.Append(v.(uint64))
		case *array.Float32Builder:
			b.Append(float32(v.(float64)))
		case *array.Float64Builder:
			b.Append(v.(float64))
		case *array.StringBuilder:
			b.Append(v.(string))
		case *array.LargeStringBuilder:
			b.Append(v.(string))
		case *array.BinaryBuilder:
			b.Append([]byte(v.(string)))
		case *array.FixedSizeBinaryBuilder:
			b.Append([]byte(v.(string)))
		case *array.Date32Builder:
			b.Append(arrow.Date32(v.(int64)))
		case *array.TimestampBuilder:
			b.Append(arrow.Timestamp(v.(int64)))
		case *array.Decimal128Builder:
			b.Append(decimal128.FromI64(v.(int64)))
		case *array.NullBuilder:
			t.Fatalf("newArray: a Null column takes only nil")
		default:
			t.Fatalf("newArray: no case for %T", b)
		}
	}
	return b.NewArray()
}

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
