package sorting

import (
	"bytes"
	"cmp"
	"math"
	"strings"
	"testing"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/decimal"
	"github.com/apache/arrow-go/v18/arrow/decimal128"
	"github.com/apache/arrow-go/v18/arrow/decimal256"
	"github.com/apache/arrow-go/v18/arrow/memory"
)

// Test values are Go values, nil for null: bool, int64 for signed and
// temporal types, uint64, float32, float64, string, []byte, decimal128.Num,
// decimal256.Num, []int64 for list<int64>, []any for structs.

// column builds an array of type dt holding vals.
func column(t testing.TB, mem memory.Allocator, dt arrow.DataType, vals []any) arrow.Array {
	t.Helper()
	b := array.NewBuilder(mem, dt)
	defer b.Release()
	b.Reserve(len(vals))
	for _, v := range vals {
		appendValue(t, b, v)
	}
	return b.NewArray()
}

func appendValue(t testing.TB, b array.Builder, v any) {
	if v == nil {
		b.AppendNull()
		return
	}
	switch b := b.(type) {
	case *array.BooleanBuilder:
		b.Append(v.(bool))
	case *array.Int8Builder:
		b.Append(int8(v.(int64)))
	case *array.Int16Builder:
		b.Append(int16(v.(int64)))
	case *array.Int32Builder:
		b.Append(int32(v.(int64)))
	case *array.Int64Builder:
		b.Append(v.(int64))
	case *array.Uint8Builder:
		b.Append(uint8(v.(uint64)))
	case *array.Uint16Builder:
		b.Append(uint16(v.(uint64)))
	case *array.Uint32Builder:
		b.Append(uint32(v.(uint64)))
	case *array.Uint64Builder:
		b.Append(v.(uint64))
	case *array.Float32Builder:
		b.Append(v.(float32))
	case *array.Float64Builder:
		b.Append(v.(float64))
	case *array.StringBuilder:
		b.Append(v.(string))
	case *array.LargeStringBuilder:
		b.Append(v.(string))
	case *array.BinaryBuilder:
		b.Append(v.([]byte))
	case *array.FixedSizeBinaryBuilder:
		b.Append(v.([]byte))
	case *array.Date32Builder:
		b.Append(arrow.Date32(v.(int64)))
	case *array.Date64Builder:
		b.Append(arrow.Date64(v.(int64)))
	case *array.TimestampBuilder:
		b.Append(arrow.Timestamp(v.(int64)))
	case *array.Time32Builder:
		b.Append(arrow.Time32(v.(int64)))
	case *array.Time64Builder:
		b.Append(arrow.Time64(v.(int64)))
	case *array.DurationBuilder:
		b.Append(arrow.Duration(v.(int64)))
	case *array.Decimal32Builder:
		b.Append(decimal.Decimal32(v.(int64)))
	case *array.Decimal64Builder:
		b.Append(decimal.Decimal64(v.(int64)))
	case *array.Decimal128Builder:
		b.Append(v.(decimal128.Num))
	case *array.Decimal256Builder:
		b.Append(v.(decimal256.Num))
	case *array.ListBuilder:
		b.Append(true)
		b.ValueBuilder().(*array.Int64Builder).AppendValues(v.([]int64), nil)
	case *array.StructBuilder:
		b.Append(true)
		for i, f := range v.([]any) {
			appendValue(t, b.FieldBuilder(i), f)
		}
	case *array.NullBuilder:
		t.Fatalf("non-null value %v for a null column", v)
	default:
		t.Fatalf("no test builder for %T", b)
	}
}

// values reads arr back into test values.
func values(t testing.TB, arr arrow.Array) []any {
	t.Helper()
	out := make([]any, arr.Len())
	if arr.DataType().ID() == arrow.NULL {
		return out
	}
	for i := range out {
		if arr.IsNull(i) {
			continue
		}
		switch a := arr.(type) {
		case *array.Boolean:
			out[i] = a.Value(i)
		case *array.Int8:
			out[i] = int64(a.Value(i))
		case *array.Int16:
			out[i] = int64(a.Value(i))
		case *array.Int32:
			out[i] = int64(a.Value(i))
		case *array.Int64:
			out[i] = a.Value(i)
		case *array.Uint8:
			out[i] = uint64(a.Value(i))
		case *array.Uint16:
			out[i] = uint64(a.Value(i))
		case *array.Uint32:
			out[i] = uint64(a.Value(i))
		case *array.Uint64:
			out[i] = a.Value(i)
		case *array.Float32:
			out[i] = a.Value(i)
		case *array.Float64:
			out[i] = a.Value(i)
		case *array.String:
			out[i] = a.Value(i)
		case *array.LargeString:
			out[i] = a.Value(i)
		case *array.Binary:
			out[i] = bytes.Clone(a.Value(i))
		case *array.LargeBinary:
			out[i] = bytes.Clone(a.Value(i))
		case *array.FixedSizeBinary:
			out[i] = bytes.Clone(a.Value(i))
		case *array.Date32:
			out[i] = int64(a.Value(i))
		case *array.Date64:
			out[i] = int64(a.Value(i))
		case *array.Timestamp:
			out[i] = int64(a.Value(i))
		case *array.Time32:
			out[i] = int64(a.Value(i))
		case *array.Time64:
			out[i] = int64(a.Value(i))
		case *array.Duration:
			out[i] = int64(a.Value(i))
		case *array.Decimal32:
			out[i] = int64(a.Value(i))
		case *array.Decimal64:
			out[i] = int64(a.Value(i))
		case *array.Decimal128:
			out[i] = a.Value(i)
		case *array.Decimal256:
			out[i] = a.Value(i)
		case *array.List:
			lo, hi := a.ValueOffsets(i)
			child := a.ListValues().(*array.Int64)
			l := []int64{}
			for j := lo; j < hi; j++ {
				l = append(l, child.Value(int(j)))
			}
			out[i] = l
		case *array.Struct:
			fs := make([]any, a.NumField())
			for j := range fs {
				f := array.NewSlice(a.Field(j), int64(i), int64(i+1))
				fs[j] = values(t, f)[0]
				f.Release()
			}
			out[i] = fs
		default:
			t.Fatalf("no test reader for %T", a)
		}
	}
	return out
}

// columnValues reads column j of all batches.
func columnValues(t testing.TB, batches []arrow.RecordBatch, j int) []any {
	t.Helper()
	var out []any
	for _, b := range batches {
		out = append(out, values(t, b.Column(j))...)
	}
	return out
}

// same reports whether two test values are identical, floats bit for bit.
func same(a, b any) bool {
	switch a := a.(type) {
	case nil:
		return b == nil
	case float32:
		b, ok := b.(float32)
		return ok && math.Float32bits(a) == math.Float32bits(b)
	case float64:
		b, ok := b.(float64)
		return ok && math.Float64bits(a) == math.Float64bits(b)
	case []byte:
		b, ok := b.([]byte)
		return ok && bytes.Equal(a, b)
	case []int64:
		b, ok := b.([]int64)
		if !ok || len(a) != len(b) {
			return false
		}
		for i := range a {
			if a[i] != b[i] {
				return false
			}
		}
		return true
	case []any:
		b, ok := b.([]any)
		if !ok || len(a) != len(b) {
			return false
		}
		for i := range a {
			if !same(a[i], b[i]) {
				return false
			}
		}
		return true
	}
	return a == b
}

// refCompare is the reference order of two non-null test values of one
// type, written out per type: floats put NaN above everything and treat
// -0 as 0.
func refCompare(t testing.TB, a, b any) int {
	switch a := a.(type) {
	case bool:
		b := b.(bool)
		switch {
		case a == b:
			return 0
		case !a:
			return -1
		}
		return 1
	case int64:
		return cmp.Compare(a, b.(int64))
	case uint64:
		return cmp.Compare(a, b.(uint64))
	case float32:
		return refCompareFloat(float64(a), float64(b.(float32)))
	case float64:
		return refCompareFloat(a, b.(float64))
	case string:
		return strings.Compare(a, b.(string))
	case []byte:
		return bytes.Compare(a, b.([]byte))
	case decimal128.Num:
		return a.BigInt().Cmp(b.(decimal128.Num).BigInt())
	case decimal256.Num:
		return a.BigInt().Cmp(b.(decimal256.Num).BigInt())
	}
	t.Fatalf("no reference order for %T", a)
	return 0
}

func refCompareFloat(a, b float64) int {
	an, bn := math.IsNaN(a), math.IsNaN(b)
	switch {
	case an && bn:
		return 0
	case an:
		return 1
	case bn:
		return -1
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

// refLess orders rows given as key values by order.
func refLess(t testing.TB, a, b []any, order []Key) bool {
	for j, k := range order {
		x, y := a[j], b[j]
		if x == nil || y == nil {
			if x == nil && y == nil {
				continue
			}
			return (x == nil) == k.NullsFirst
		}
		c := refCompare(t, x, y)
		if k.Desc {
			c = -c
		}
		if c != 0 {
			return c < 0
		}
	}
	return false
}

func releaseAll(batches []arrow.RecordBatch) {
	for _, b := range batches {
		b.Release()
	}
}
