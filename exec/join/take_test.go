package join

import (
	"fmt"
	"math/rand/v2"
	"testing"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"

	"lakeframe/exec/exectest"
)

// takeSources returns, for each case, an array of 40 rows with nulls.
func takeSources(t *testing.T, r *rand.Rand, mem memory.Allocator) map[string]arrow.Array {
	gens := genKeys(r)
	out := map[string]arrow.Array{}
	for name, g := range gens {
		vals := make([]any, 40)
		for i := range vals {
			vals[i] = g.draw(r, 0.2)
		}
		out[name] = exectest.NewArray(t, mem, g.dt, vals...)
	}
	// Types without a typed gather take arrow's kernel.
	lb := array.NewListBuilder(mem, arrow.PrimitiveTypes.Int64)
	vb := lb.ValueBuilder().(*array.Int64Builder)
	for i := range 40 {
		if i%5 == 0 {
			lb.AppendNull()
			continue
		}
		lb.Append(true)
		for j := range i % 3 {
			vb.Append(int64(i*10 + j))
		}
	}
	out["list"] = lb.NewArray()
	lb.Release()
	db := array.NewDictionaryBuilder(mem, &arrow.DictionaryType{IndexType: arrow.PrimitiveTypes.Int32, ValueType: arrow.BinaryTypes.String})
	for i := range 40 {
		if i%7 == 0 {
			db.AppendNull()
			continue
		}
		if err := db.(*array.BinaryDictionaryBuilder).AppendString(fmt.Sprint("v", i%4)); err != nil {
			t.Fatal(err)
		}
	}
	out["dictionary"] = db.NewArray()
	db.Release()
	sv := array.NewStringViewBuilder(mem)
	for i := range 40 {
		if i%6 == 0 {
			sv.AppendNull()
		} else {
			sv.Append(fmt.Sprintf("a string view value number %d", i))
		}
	}
	out["string view"] = sv.NewArray()
	sv.Release()
	return out
}

func TestTake(t *testing.T) {
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)
	r := rand.New(rand.NewPCG(5, 6))
	srcs := takeSources(t, r, mem)
	defer func() {
		for _, a := range srcs {
			a.Release()
		}
	}()
	idxCases := map[string]func(n int) []int32{
		"random": func(n int) []int32 {
			idx := make([]int32, 30)
			for i := range idx {
				idx[i] = int32(r.IntN(n))
			}
			return idx
		},
		"random with -1": func(n int) []int32 {
			idx := make([]int32, 30)
			for i := range idx {
				idx[i] = int32(r.IntN(n+3)) - 3
				idx[i] = max(idx[i], -1)
			}
			return idx
		},
		"all -1":      func(int) []int32 { return []int32{-1, -1} },
		"empty":       func(int) []int32 { return []int32{} },
		"consecutive": func(n int) []int32 { return []int32{2, 3, 4, 5} },
		"whole":       func(n int) []int32 { return seq(0, n) },
		"repeated":    func(int) []int32 { return []int32{1, 1, 1, 0} },
	}
	for name, src := range srcs {
		// Sliced sources exercise offsets.
		for _, sliced := range []bool{false, true} {
			arr := src
			if sliced {
				arr = array.NewSlice(src, 3, 37)
			}
			for iname, gen := range idxCases {
				idx := gen(arr.Len())
				out, err := Take(mem, arr, idx)
				if err != nil {
					t.Fatalf("%s/%s: %v", name, iname, err)
				}
				checkTaken(t, fmt.Sprintf("%s sliced=%v %s", name, sliced, iname), arr, idx, out)
				out.Release()
			}
			if sliced {
				arr.Release()
			}
		}
	}
}

func seq(lo, hi int) []int32 {
	out := make([]int32, 0, hi-lo)
	for i := lo; i < hi; i++ {
		out = append(out, int32(i))
	}
	return out
}

func checkTaken(t *testing.T, name string, src arrow.Array, idx []int32, out arrow.Array) {
	t.Helper()
	if !arrow.TypeEqual(out.DataType(), src.DataType()) || out.Len() != len(idx) {
		t.Fatalf("%s: got %s of %d rows", name, out.DataType(), out.Len())
	}
	if src.DataType().ID() == arrow.NULL {
		// arrow-go's Null arrays answer IsNull with false; only the null
		// count says every row is NULL.
		if out.NullN() != len(idx) {
			t.Fatalf("%s: null count %d, want %d", name, out.NullN(), len(idx))
		}
		return
	}
	nulls := 0
	for i, j := range idx {
		wantNull := j < 0 || src.IsNull(int(j))
		if wantNull {
			nulls++
		}
		if out.IsNull(i) != wantNull {
			t.Fatalf("%s: row %d null=%v, want %v", name, i, out.IsNull(i), wantNull)
		}
		if !wantNull && out.ValueStr(i) != src.ValueStr(int(j)) {
			t.Fatalf("%s: row %d = %s, want %s", name, i, out.ValueStr(i), src.ValueStr(int(j)))
		}
	}
	if out.NullN() != nulls {
		t.Fatalf("%s: null count %d, want %d", name, out.NullN(), nulls)
	}
	if v, ok := out.(interface{ ValidateFull() error }); ok {
		if err := v.ValidateFull(); err != nil {
			t.Fatalf("%s: %v", name, err)
		}
	}
}
