package kernel

import (
	"strings"
	"testing"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"
)

// checkedMem returns an allocator that fails the test if anything
// allocated through it is still live when the test ends.
func checkedMem(t testing.TB) *memory.CheckedAllocator {
	t.Helper()
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	t.Cleanup(func() { mem.AssertSize(t, 0) })
	return mem
}

// fromJSON builds an array from a JSON list and releases it when the test
// ends (before the allocator check, which was registered earlier).
func fromJSON(t testing.TB, mem memory.Allocator, dt arrow.DataType, js string) arrow.Array {
	t.Helper()
	a, _, err := array.FromJSON(mem, dt, strings.NewReader(js))
	if err != nil {
		t.Fatalf("bad test input %s %s: %v", dt, js, err)
	}
	t.Cleanup(a.Release)
	return a
}

// slicedJSON builds the same values as fromJSON, but as a slice at offset
// 3 of a larger array padded with nulls on both sides, so kernels see a
// non-zero, non-byte-aligned offset.
func slicedJSON(t testing.TB, mem memory.Allocator, dt arrow.DataType, js string) arrow.Array {
	t.Helper()
	inner := fromJSON(t, mem, dt, js)
	pad := array.MakeArrayOfNull(mem, dt, 3)
	defer pad.Release()
	whole, err := array.Concatenate([]arrow.Array{pad, inner, pad}, mem)
	if err != nil {
		t.Fatal(err)
	}
	defer whole.Release()
	s := array.NewSlice(whole, 3, int64(3+inner.Len()))
	t.Cleanup(s.Release)
	return s
}

// inputVariants returns the plain and the sliced form of a JSON input.
func inputVariants(t testing.TB, mem memory.Allocator, dt arrow.DataType, js string) map[string]arrow.Array {
	return map[string]arrow.Array{
		"plain":  fromJSON(t, mem, dt, js),
		"sliced": slicedJSON(t, mem, dt, js),
	}
}

// assertArray compares got with want (type, values and nulls) and releases
// got.
func assertArray(t testing.TB, want, got arrow.Array, err error) {
	t.Helper()
	if err != nil {
		t.Fatalf("unexpected error: %v", err)
	}
	defer got.Release()
	if !arrow.TypeEqual(want.DataType(), got.DataType()) {
		t.Fatalf("type: want %s, got %s", want.DataType(), got.DataType())
	}
	if !array.Equal(want, got) {
		t.Fatalf("\nwant %v\n got %v", want, got)
	}
	if got.NullN() != want.NullN() {
		t.Fatalf("null count: want %d, got %d", want.NullN(), got.NullN())
	}
	if v, ok := got.(interface{ ValidateFull() error }); ok {
		if err := v.ValidateFull(); err != nil {
			t.Fatalf("invalid result: %v", err)
		}
	}
}

var (
	tInt32   = arrow.PrimitiveTypes.Int32
	tInt64   = arrow.PrimitiveTypes.Int64
	tFloat64 = arrow.PrimitiveTypes.Float64
	tBool    = arrow.FixedWidthTypes.Boolean
	tString  = arrow.BinaryTypes.String
	tLString = arrow.BinaryTypes.LargeString
	tDate32  = arrow.FixedWidthTypes.Date32
	tDate64  = arrow.FixedWidthTypes.Date64
	tTsUs    = &arrow.TimestampType{Unit: arrow.Microsecond}
)
