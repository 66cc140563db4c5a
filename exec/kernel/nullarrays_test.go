package kernel

import (
	"testing"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"
)

// TestAllNullArrays runs the kernels on arrays made by MakeArrayOfNull,
// whose buffers may be shared or minimal, and expects all-null results.
func TestAllNullArrays(t *testing.T) {
	type kernel = func(memory.Allocator, arrow.Array) (arrow.Array, error)
	mask := func(mem memory.Allocator, n int) *array.Boolean {
		b := array.NewBooleanBuilder(mem)
		defer b.Release()
		for i := range n {
			b.Append(i%2 == 0)
		}
		return b.NewBooleanArray()
	}
	cases := []struct {
		dt      arrow.DataType
		kernels map[string]kernel
	}{
		{tString, map[string]kernel{"length": Length, "lower": Lower,
			"like": func(m memory.Allocator, a arrow.Array) (arrow.Array, error) { return Like(m, a, "%a_b%", 0) },
			"date": CastStringToDate32}},
		{tDate32, map[string]kernel{"year": Year,
			"date_add": func(m memory.Allocator, a arrow.Array) (arrow.Array, error) {
				return DateAdd(m, a, arrow.MonthDayNanoInterval{Months: 1})
			}}},
		{tTsUs, map[string]kernel{"day": Day}},
		{tBool, map[string]kernel{"not": Not, "to_string": CastToString}},
		{tFloat64, map[string]kernel{"to_int": func(m memory.Allocator, a arrow.Array) (arrow.Array, error) {
			return CastFloatToInt(m, a, tInt64)
		}}},
	}
	for _, c := range cases {
		for name, k := range c.kernels {
			t.Run(c.dt.String()+"/"+name, func(t *testing.T) {
				mem := checkedMem(t)
				in := array.MakeArrayOfNull(mem, c.dt, 70)
				defer in.Release()
				got, err := k(mem, in)
				if err != nil {
					t.Fatal(err)
				}
				defer got.Release()
				if got.Len() != 70 || got.NullN() != 70 {
					t.Fatalf("got %d rows, %d null", got.Len(), got.NullN())
				}
			})
		}
	}
	for _, dt := range []arrow.DataType{tInt64, tBool, tString, tLString, tDate32, &arrow.Decimal128Type{Precision: 5, Scale: 1}} {
		t.Run("filter and coalesce "+dt.String(), func(t *testing.T) {
			mem := checkedMem(t)
			in := array.MakeArrayOfNull(mem, dt, 70)
			defer in.Release()
			m := mask(mem, 70)
			defer m.Release()
			got, err := FilterArray(mem, in, m)
			if err != nil {
				t.Fatal(err)
			}
			if got.Len() != 35 || got.NullN() != 35 {
				t.Fatalf("filter: got %d rows, %d null", got.Len(), got.NullN())
			}
			got.Release()
			got, err = Coalesce(mem, in, in)
			if err != nil {
				t.Fatal(err)
			}
			if got.Len() != 70 || got.NullN() != 70 {
				t.Fatalf("coalesce: got %d rows, %d null", got.Len(), got.NullN())
			}
			got.Release()
			got, err = IfElse(mem, m, in, in)
			if err != nil {
				t.Fatal(err)
			}
			if got.Len() != 70 || got.NullN() != 70 {
				t.Fatalf("if_else: got %d rows, %d null", got.Len(), got.NullN())
			}
			got.Release()
		})
	}
}
