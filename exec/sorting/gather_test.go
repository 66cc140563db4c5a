package sorting

import (
	"testing"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"

	"lakeframe/exec/exectest"
)

// TestSortDictionaryPayload checks the fallback gather on dictionary
// columns whose batches have different dictionaries.
func TestSortDictionaryPayload(t *testing.T) {
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)
	dt := &arrow.DictionaryType{IndexType: arrow.PrimitiveTypes.Int32, ValueType: arrow.BinaryTypes.String}
	dict := func(vals ...any) arrow.Array {
		b := array.NewDictionaryBuilder(mem, dt).(*array.BinaryDictionaryBuilder)
		defer b.Release()
		for _, v := range vals {
			if v == nil {
				b.AppendNull()
			} else if err := b.AppendString(v.(string)); err != nil {
				t.Fatal(err)
			}
		}
		return b.NewArray()
	}
	schema := arrow.NewSchema([]arrow.Field{
		{Name: "k", Type: arrow.PrimitiveTypes.Int64},
		{Name: "d", Type: dt, Nullable: true},
	}, nil)
	parts := []struct{ k, d []any }{
		{[]any{int64(4), int64(2), int64(6), int64(0)}, []any{"x", "y", nil, "x"}},
		{[]any{int64(3), int64(1), int64(5)}, []any{"z", "q", "y"}},
	}
	var batches []arrow.RecordBatch
	for _, p := range parts {
		k, d := exectest.NewArray(t, mem, arrow.PrimitiveTypes.Int64, p.k...), dict(p.d...)
		batches = append(batches, array.NewRecordBatch(schema, []arrow.Array{k, d}, int64(len(p.k))))
		k.Release()
		d.Release()
	}
	defer exectest.ReleaseAll(batches)
	out, err := Sort(mem, batches, keysOf(batches, []int{0}), []Key{asc})
	if err != nil {
		t.Fatal(err)
	}
	defer exectest.ReleaseAll(out)
	want := []any{"x", "q", "y", "z", "x", "y", nil}
	var got []any
	for _, o := range out {
		d := o.Column(1).(*array.Dictionary)
		vals := d.Dictionary().(*array.String)
		for i := range d.Len() {
			if d.IsNull(i) {
				got = append(got, nil)
			} else {
				got = append(got, vals.Value(d.GetValueIndex(i)))
			}
		}
	}
	if len(got) != len(want) {
		t.Fatalf("got %v, want %v", got, want)
	}
	for i := range want {
		if got[i] != want[i] {
			t.Fatalf("got %v, want %v", got, want)
		}
	}
}
