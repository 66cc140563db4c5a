package exectest

import (
	"bytes"
	"reflect"
	"testing"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
)

// Values reads arr back into test values, nil for null: bool; int64 for
// signed, temporal and decimal32/64 values; uint64; float32; float64;
// string; a copied []byte for binary values; decimal128.Num and
// decimal256.Num; []int64 for list<int64>; []any for structs.
func Values(t testing.TB, arr arrow.Array) []any {
	t.Helper()
	out := make([]any, arr.Len())
	if arr.DataType().ID() == arrow.NULL {
		return out
	}
	switch a := arr.(type) {
	case *array.List:
		child := a.ListValues().(*array.Int64)
		for i := range out {
			if a.IsNull(i) {
				continue
			}
			lo, hi := a.ValueOffsets(i)
			l := []int64{}
			for j := lo; j < hi; j++ {
				l = append(l, child.Value(int(j)))
			}
			out[i] = l
		}
		return out
	case *array.Struct:
		for i := range out {
			if a.IsNull(i) {
				continue
			}
			fs := make([]any, a.NumField())
			for j := range fs {
				f := array.NewSlice(a.Field(j), int64(i), int64(i+1))
				fs[j] = Values(t, f)[0]
				f.Release()
			}
			out[i] = fs
		}
		return out
	}
	m := reflect.ValueOf(arr).MethodByName("Value")
	if !m.IsValid() || m.Type().NumIn() != 1 || m.Type().In(0).Kind() != reflect.Int || m.Type().NumOut() != 1 {
		t.Fatalf("no test reader for %T", arr)
	}
	for i := range out {
		if arr.IsNull(i) {
			continue
		}
		out[i] = plain(t, arr, m.Call([]reflect.Value{reflect.ValueOf(i)})[0])
	}
	return out
}

// plain turns one array value into its test value.
func plain(t testing.TB, arr arrow.Array, x reflect.Value) any {
	t.Helper()
	switch x.Kind() {
	case reflect.Bool:
		return x.Bool()
	case reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		return x.Int()
	case reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		return x.Uint()
	case reflect.Float32:
		// Going through float64 could quiet a signalling NaN; keep the bits.
		if f, ok := x.Interface().(float32); ok {
			return f
		}
	case reflect.Float64:
		return x.Float()
	case reflect.String:
		return x.String()
	case reflect.Slice:
		if x.Type().Elem().Kind() == reflect.Uint8 {
			return bytes.Clone(x.Bytes())
		}
	case reflect.Struct:
		return x.Interface() // decimal128.Num, decimal256.Num
	}
	t.Fatalf("no test reader for %T", arr)
	return nil
}

// ColumnValues reads column j of all batches.
func ColumnValues(t testing.TB, batches []arrow.RecordBatch, j int) []any {
	t.Helper()
	var out []any
	for _, b := range batches {
		out = append(out, Values(t, b.Column(j))...)
	}
	return out
}
