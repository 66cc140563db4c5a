package sorting

import (
	"errors"
	"testing"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"

	"lakeframe/errs"
	"lakeframe/exec/exectest"
)

// topKRows returns one-row batches (id int64, i int64, s string) over
//
//	id: 0    1    2    3    4    5    6    7
//	i:  nil  5    nil  3    nil  nil  1    5
//	s:  nil  "e"  nil  "c"  nil  nil  "a"  "e"
func topKRows(t *testing.T, mem memory.Allocator) ([]arrow.RecordBatch, *arrow.Schema) {
	return oneRowBatches(t, mem,
		[]any{nil, int64(5), nil, int64(3), nil, nil, int64(1), int64(5)},
		[]any{nil, "e", nil, "c", nil, nil, "a", "e"})
}

// nullHeavyRows is like topKRows over
//
//	id: 0    1    2    3    4    5    6    7    8
//	i:  nil  nil  nil  nil  nil  4    nil  2    9
//	s:  nil  nil  nil  nil  nil  "d"  nil  "b"  "i"
func nullHeavyRows(t *testing.T, mem memory.Allocator) ([]arrow.RecordBatch, *arrow.Schema) {
	return oneRowBatches(t, mem,
		[]any{nil, nil, nil, nil, nil, int64(4), nil, int64(2), int64(9)},
		[]any{nil, nil, nil, nil, nil, "d", nil, "b", "i"})
}

func oneRowBatches(t *testing.T, mem memory.Allocator, is, ss []any) ([]arrow.RecordBatch, *arrow.Schema) {
	schema := arrow.NewSchema([]arrow.Field{
		{Name: "id", Type: arrow.PrimitiveTypes.Int64},
		{Name: "i", Type: arrow.PrimitiveTypes.Int64, Nullable: true},
		{Name: "s", Type: arrow.BinaryTypes.String, Nullable: true},
	}, nil)
	var batches []arrow.RecordBatch
	for id := range is {
		cols := []arrow.Array{
			exectest.NewArray(t, mem, schema.Field(0).Type, []any{int64(id)}...),
			exectest.NewArray(t, mem, schema.Field(1).Type, is[id:id+1]...),
			exectest.NewArray(t, mem, schema.Field(2).Type, ss[id:id+1]...),
		}
		batches = append(batches, array.NewRecordBatch(schema, cols, 1))
		for _, c := range cols {
			c.Release()
		}
	}
	return batches, schema
}

func TestTopK(t *testing.T) {
	type rows func(*testing.T, memory.Allocator) ([]arrow.RecordBatch, *arrow.Schema)
	orders := []struct {
		rows rows
		key  Key
		want []int64
	}{
		{topKRows, asc, []int64{6, 3, 1, 7, 0, 2, 4, 5}},
		{topKRows, ascNullsFirst, []int64{0, 2, 4, 5, 6, 3, 1, 7}},
		{topKRows, desc, []int64{1, 7, 3, 6, 0, 2, 4, 5}},
		{topKRows, descNullFirst, []int64{0, 2, 4, 5, 1, 7, 3, 6}},
		{nullHeavyRows, asc, []int64{7, 5, 8, 0, 1, 2, 3, 4, 6}},
		{nullHeavyRows, ascNullsFirst, []int64{0, 1, 2, 3, 4, 6, 7, 5, 8}},
		{nullHeavyRows, desc, []int64{8, 5, 7, 0, 1, 2, 3, 4, 6}},
	}
	for _, col := range []int{1, 2} {
		for _, o := range orders {
			for k := range 11 {
				mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
				batches, schema := o.rows(t, mem)
				topk := NewTopK(mem, k, []Key{o.key}, schema)
				topk.minCompact = 1
				for _, b := range batches {
					if err := topk.Push(b, []arrow.Array{b.Column(col)}); err != nil {
						t.Fatal(err)
					}
				}
				exectest.ReleaseAll(batches)
				res, err := topk.Result()
				if err != nil {
					t.Fatal(err)
				}
				got := exectest.Values(t, res.Column(0))
				want := o.want[:min(k, len(o.want))]
				if len(got) != len(want) {
					t.Fatalf("column %d, %s, k=%d: got %v, want %v", col, o.key, k, got, want)
				}
				for i := range got {
					if got[i] != want[i] {
						t.Fatalf("column %d, %s, k=%d: got %v, want %v", col, o.key, k, got, want)
					}
				}
				res.Release()
				topk.Release()
				mem.AssertSize(t, 0)
			}
		}
	}
}

func TestTopKLifecycle(t *testing.T) {
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)
	batches, schema := topKRows(t, mem)
	defer exectest.ReleaseAll(batches)
	topk := NewTopK(mem, 2, []Key{asc}, schema)
	defer topk.Release()
	ids := func() []any {
		t.Helper()
		res, err := topk.Result()
		if err != nil {
			t.Fatal(err)
		}
		defer res.Release()
		if !res.Schema().Equal(schema) {
			t.Fatalf("result schema %s", res.Schema())
		}
		return exectest.Values(t, res.Column(0))
	}
	if got := ids(); len(got) != 0 {
		t.Fatalf("before any push: got %v", got)
	}
	push := func(bs []arrow.RecordBatch) {
		t.Helper()
		for _, b := range bs {
			if err := topk.Push(b, []arrow.Array{b.Column(1)}); err != nil {
				t.Fatal(err)
			}
		}
	}
	push(batches[:4]) // i: nil 5 nil 3
	if got := ids(); len(got) != 2 || got[0] != int64(3) || got[1] != int64(1) {
		t.Fatalf("after 4 rows: got ids %v, want [3 1]", got)
	}
	push(batches[4:]) // i: nil nil 1 5
	if got := ids(); len(got) != 2 || got[0] != int64(6) || got[1] != int64(3) {
		t.Fatalf("after 8 rows: got ids %v, want [6 3]", got)
	}
	topk.Release()
	push(batches[7:])
	if got := ids(); len(got) != 1 || got[0] != int64(7) {
		t.Fatalf("after release and one row: got ids %v, want [7]", got)
	}
}

func TestTopKErrors(t *testing.T) {
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)
	batches, schema := topKRows(t, mem)
	defer exectest.ReleaseAll(batches)
	other, _ := batchesOf([]arrow.Array{batches[0].Column(2)})
	defer exectest.ReleaseAll(other)
	lb := array.NewListBuilder(mem, arrow.PrimitiveTypes.Int64)
	lb.AppendNull()
	list := lb.NewArray()
	lb.Release()
	defer list.Release()
	b := batches[0]
	empty := array.NewSlice(b.Column(1), 0, 0)
	defer empty.Release()
	cases := []struct {
		name  string
		batch arrow.RecordBatch
		keys  []arrow.Array
		want  error
	}{
		{"schema", other[0], []arrow.Array{other[0].Column(0)}, errs.ErrInternal},
		{"key count", b, []arrow.Array{b.Column(1), b.Column(2)}, errs.ErrInternal},
		{"key length", b, []arrow.Array{empty}, errs.ErrInternal},
		{"key type", b, []arrow.Array{list}, errs.ErrNotImplemented},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			topk := NewTopK(mem, 3, []Key{asc}, schema)
			defer topk.Release()
			err := topk.Push(c.batch, c.keys)
			if !errors.Is(err, c.want) {
				t.Fatalf("got error %v, want %v", err, c.want)
			}
		})
	}
	// A key whose type changes between pushes.
	topk := NewTopK(mem, 3, []Key{asc}, schema)
	defer topk.Release()
	if err := topk.Push(b, []arrow.Array{b.Column(1)}); err != nil {
		t.Fatal(err)
	}
	if err := topk.Push(b, []arrow.Array{b.Column(2)}); !errors.Is(err, errs.ErrInternal) {
		t.Fatalf("changed key type: got error %v, want %v", err, errs.ErrInternal)
	}
}
