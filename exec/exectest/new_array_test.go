package exectest

import (
	"math"
	"testing"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/decimal128"
	"github.com/apache/arrow-go/v18/arrow/memory"
)

func TestNewArrayValuesRoundTrip(t *testing.T) {
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)
	nan := math.Float32frombits(0x7fa00001)
	cases := []struct {
		name string
		dt   arrow.DataType
		in   []any
		want []any
	}{
		{"int8 from int", arrow.PrimitiveTypes.Int8, []any{1, nil, -3}, []any{int64(1), nil, int64(-3)}},
		{"uint16 from uint64", arrow.PrimitiveTypes.Uint16, []any{uint64(7), nil}, []any{uint64(7), nil}},
		{"float32 from float64", arrow.PrimitiveTypes.Float32, []any{1.5, nil}, []any{float32(1.5), nil}},
		{"float32 nan bits", arrow.PrimitiveTypes.Float32, []any{nan}, []any{nan}},
		{"bool", arrow.FixedWidthTypes.Boolean, []any{true, nil, false}, []any{true, nil, false}},
		{"binary from string", arrow.BinaryTypes.Binary, []any{"ab", nil, []byte{0}}, []any{[]byte("ab"), nil, []byte{0}}},
		{"date32", arrow.FixedWidthTypes.Date32, []any{int64(19000), nil}, []any{int64(19000), nil}},
		{"decimal128 from int", &arrow.Decimal128Type{Precision: 10, Scale: 2}, []any{-5, nil}, []any{decimal128.FromI64(-5), nil}},
		{"list", arrow.ListOf(arrow.PrimitiveTypes.Int64), []any{[]int64{1, 2}, nil, []int64{}}, []any{[]int64{1, 2}, nil, []int64{}}},
		{"struct", arrow.StructOf(arrow.Field{Name: "a", Type: arrow.BinaryTypes.String, Nullable: true}), []any{[]any{"x"}, nil, []any{nil}}, []any{[]any{"x"}, nil, []any{nil}}},
		{"null", arrow.Null, []any{nil, nil}, []any{nil, nil}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			arr := NewArray(t, mem, tc.dt, tc.in...)
			defer arr.Release()
			got := Values(t, arr)
			if len(got) != len(tc.want) {
				t.Fatalf("got %d values, want %d", len(got), len(tc.want))
			}
			for i := range got {
				if !Same(got[i], tc.want[i]) {
					t.Errorf("value %d: got %#v, want %#v", i, got[i], tc.want[i])
				}
			}
		})
	}
}

func TestCompareFloats(t *testing.T) {
	nan, negZero := math.NaN(), math.Copysign(0, -1)
	cases := []struct {
		a, b any
		want int
	}{
		{nan, math.Inf(1), 1},
		{nan, nan, 0},
		{negZero, 0.0, 0},
		{float32(1), float32(2), -1},
		{int64(3), int64(-3), 1},
		{"b", "a", 1},
	}
	for _, tc := range cases {
		if got := Compare(t, tc.a, tc.b); got != tc.want {
			t.Errorf("Compare(%v, %v) = %d, want %d", tc.a, tc.b, got, tc.want)
		}
	}
}
