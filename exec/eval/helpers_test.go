package eval

import (
	"fmt"
	"testing"
	"time"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"
)

// col is one column of a test batch: vals hold Go values (nil is NULL).
type col struct {
	name string
	typ  arrow.DataType
	vals []any
}

// makeBatch builds a record batch from columns of equal length.
func makeBatch(t testing.TB, mem memory.Allocator, cols ...col) arrow.RecordBatch {
	t.Helper()
	fields := make([]arrow.Field, len(cols))
	arrs := make([]arrow.Array, len(cols))
	for i, c := range cols {
		fields[i] = arrow.Field{Name: c.name, Type: c.typ, Nullable: true}
		arrs[i] = makeArray(t, mem, c.typ, c.vals)
	}
	rows := 0
	if len(cols) > 0 {
		rows = len(cols[0].vals)
	}
	rec := array.NewRecordBatch(arrow.NewSchema(fields, nil), arrs, int64(rows))
	for _, a := range arrs {
		a.Release()
	}
	return rec
}

func makeArray(t testing.TB, mem memory.Allocator, typ arrow.DataType, vals []any) arrow.Array {
	t.Helper()
	b := array.NewBuilder(mem, typ)
	defer b.Release()
	for _, v := range vals {
		if v == nil {
			b.AppendNull()
			continue
		}
		switch bb := b.(type) {
		case *array.Int64Builder:
			bb.Append(int64(v.(int)))
		case *array.Int32Builder:
			bb.Append(int32(v.(int)))
		case *array.Int8Builder:
			bb.Append(int8(v.(int)))
		case *array.Uint8Builder:
			bb.Append(uint8(v.(int)))
		case *array.Float64Builder:
			bb.Append(v.(float64))
		case *array.BooleanBuilder:
			bb.Append(v.(bool))
		case *array.StringBuilder:
			bb.Append(v.(string))
		case *array.LargeStringBuilder:
			bb.Append(v.(string))
		case *array.Date32Builder:
			bb.Append(arrow.Date32FromTime(mustTime(t, v.(string))))
		case *array.TimestampBuilder:
			ts, err := arrow.TimestampFromTime(mustTime(t, v.(string)), typ.(*arrow.TimestampType).Unit)
			if err != nil {
				t.Fatal(err)
			}
			bb.Append(ts)
		default:
			t.Fatalf("makeArray: no case for %s", typ)
		}
	}
	return b.NewArray()
}

func mustTime(t testing.TB, s string) time.Time {
	t.Helper()
	for _, layout := range []string{"2006-01-02", "2006-01-02 15:04:05", "2006-01-02 15:04:05.999999999"} {
		if tm, err := time.Parse(layout, s); err == nil {
			return tm
		}
	}
	t.Fatalf("bad time %q", s)
	return time.Time{}
}

// rowsOf prints each row of a as a string, "NULL" for nulls: dates as
// 2006-01-02, timestamps as 2006-01-02 15:04:05.999999999, numbers and
// booleans with fmt.
func rowsOf(t testing.TB, a arrow.Array) []string {
	t.Helper()
	out := make([]string, a.Len())
	for i := range out {
		if a.IsNull(i) {
			out[i] = "NULL"
			continue
		}
		switch x := a.(type) {
		case *array.Int64:
			out[i] = fmt.Sprint(x.Value(i))
		case *array.Int32:
			out[i] = fmt.Sprint(x.Value(i))
		case *array.Int8:
			out[i] = fmt.Sprint(x.Value(i))
		case *array.Uint8:
			out[i] = fmt.Sprint(x.Value(i))
		case *array.Float64:
			out[i] = fmt.Sprint(x.Value(i))
		case *array.Boolean:
			out[i] = fmt.Sprint(x.Value(i))
		case *array.String:
			out[i] = x.Value(i)
		case *array.LargeString:
			out[i] = x.Value(i)
		case *array.Date32:
			out[i] = x.Value(i).ToTime().Format("2006-01-02")
		case *array.Date64:
			out[i] = x.Value(i).ToTime().UTC().Format("2006-01-02")
		case *array.Timestamp:
			out[i] = x.Value(i).ToTime(x.DataType().(*arrow.TimestampType).Unit).UTC().Format("2006-01-02 15:04:05.999999999")
		default:
			t.Fatalf("rowsOf: no case for %s", a.DataType())
		}
	}
	return out
}

// want turns expected values into rowsOf's strings.
func want(vals ...any) []string {
	out := make([]string, len(vals))
	for i, v := range vals {
		if v == nil {
			out[i] = "NULL"
		} else {
			out[i] = fmt.Sprint(v)
		}
	}
	return out
}
