package aggregate

import (
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
			b.Append(int8(v.(int)))
		case *array.Int16Builder:
			b.Append(int16(v.(int)))
		case *array.Int32Builder:
			b.Append(int32(v.(int)))
		case *array.Int64Builder:
			switch v := v.(type) {
			case int:
				b.Append(int64(v))
			case int64:
				b.Append(v)
			}
		case *array.Uint8Builder:
			b.Append(uint8(v.(int)))
		case *array.Uint16Builder:
			b.Append(uint16(v.(int)))
		case *array.Uint32Builder:
			b.Append(uint32(v.(int)))
		case *array.Uint64Builder:
			switch v := v.(type) {
			case int:
				b.Append(uint64(v))
			case uint64:
				b.Append(v)
			}
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
			b.Append(arrow.Date32(v.(int)))
		case *array.Date64Builder:
			b.Append(arrow.Date64(v.(int)))
		case *array.TimestampBuilder:
			b.Append(arrow.Timestamp(v.(int)))
		case *array.Decimal128Builder:
			b.Append(decimal128.FromI64(int64(v.(int))))
		default:
			t.Fatalf("newArray: no case for %T", b)
		}
	}
	return b.NewArray()
}

// render returns the values of arr as strings, "NULL" for nulls, so that
// expected values read as plain text.
func render(arr arrow.Array) []string {
	out := make([]string, arr.Len())
	for i := range out {
		if arr.IsNull(i) {
			out[i] = "NULL"
			continue
		}
		switch a := arr.(type) {
		case *array.Binary:
			out[i] = string(a.Value(i))
		case *array.FixedSizeBinary:
			out[i] = string(a.Value(i))
		default:
			out[i] = arr.ValueStr(i)
		}
	}
	return out
}

func releaseAll(arrs []arrow.Array) {
	for _, a := range arrs {
		if a != nil {
			a.Release()
		}
	}
}

func equalStrings(a, b []string) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

func must[T any](t testing.TB) func(T, error) T {
	return func(v T, err error) T {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
		return v
	}
}
