package exectest

import (
	"reflect"
	"testing"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/decimal128"
	"github.com/apache/arrow-go/v18/arrow/decimal256"
	"github.com/apache/arrow-go/v18/arrow/memory"
)

// NewArray builds an array of type dt from Go values; nil is NULL.
//
// Integer, temporal and decimal32/64 columns take int, int64 or uint64;
// float columns take float32 or float64; string columns take string;
// binary columns take string or []byte; decimal128/256 columns take an int,
// an int64 or the decimal number itself; list<int64> columns take []int64;
// struct columns take []any, one value per field. A value of any other
// kind fails the test.
func NewArray(t testing.TB, mem memory.Allocator, dt arrow.DataType, vals ...any) arrow.Array {
	t.Helper()
	b := array.NewBuilder(mem, dt)
	defer b.Release()
	b.Reserve(len(vals))
	for _, v := range vals {
		AppendValue(t, b, v)
	}
	return b.NewArray()
}

// AppendValue appends one test value to b, as NewArray does.
func AppendValue(t testing.TB, b array.Builder, v any) {
	t.Helper()
	if v == nil {
		b.AppendNull()
		return
	}
	switch b := b.(type) {
	case *array.NullBuilder:
		t.Fatalf("non-null value %v for a null column", v)
	case *array.ListBuilder:
		b.Append(true)
		b.ValueBuilder().(*array.Int64Builder).AppendValues(v.([]int64), nil)
	case *array.StructBuilder:
		b.Append(true)
		for i, f := range v.([]any) {
			AppendValue(t, b.FieldBuilder(i), f)
		}
	case *array.Decimal128Builder:
		if n, ok := v.(decimal128.Num); ok {
			b.Append(n)
			return
		}
		b.Append(decimal128.FromI64(asInt64(t, v)))
	case *array.Decimal256Builder:
		if n, ok := v.(decimal256.Num); ok {
			b.Append(n)
			return
		}
		b.Append(decimal256.FromI64(asInt64(t, v)))
	default:
		appendConverted(t, b, v)
	}
}

// appendConverted calls b's one-argument Append method with v converted to
// the method's parameter type. This covers every builder whose value is a
// Go bool, number, string or byte slice, named or not (arrow.Date32,
// decimal.Decimal32, ...), without a case per builder.
func appendConverted(t testing.TB, b array.Builder, v any) {
	t.Helper()
	m := reflect.ValueOf(b).MethodByName("Append")
	if !m.IsValid() || m.Type().NumIn() != 1 {
		t.Fatalf("no test builder for %T", b)
	}
	want := m.Type().In(0)
	x := reflect.ValueOf(v)
	if class(x.Type()) == 0 || class(x.Type()) != class(want) {
		t.Fatalf("value %v of type %T for builder %T", v, v, b)
	}
	m.Call([]reflect.Value{x.Convert(want)})
}

// class groups the kinds between which a test value may be converted, so
// that, say, an int never silently becomes a string or a float.
func class(typ reflect.Type) int {
	switch typ.Kind() {
	case reflect.Bool:
		return 1
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64,
		reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		return 2
	case reflect.Float32, reflect.Float64:
		return 3
	case reflect.String:
		return 4
	case reflect.Slice:
		if typ.Elem().Kind() == reflect.Uint8 {
			return 4
		}
	}
	return 0
}

func asInt64(t testing.TB, v any) int64 {
	t.Helper()
	switch v := v.(type) {
	case int:
		return int64(v)
	case int64:
		return v
	}
	t.Fatalf("value %v of type %T is not an int or int64", v, v)
	return 0
}
