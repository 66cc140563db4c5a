package aggregate

import (
	"errors"
	"fmt"
	"math"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"

	"lakeframe/errs"
	"lakeframe/exec/exectest"
)

func TestAccumulatorSmall(t *testing.T) {
	i64 := arrow.PrimitiveTypes.Int64
	f64 := arrow.PrimitiveTypes.Float64
	str := arrow.BinaryTypes.String
	nan := math.NaN()
	tests := []struct {
		name      string
		kind      Kind
		in        arrow.DataType
		ids       []uint32
		numGroups int
		vals      []any
		want      []string
	}{
		{"sum int64 with null groups", Sum, i64, []uint32{0, 1, 0, 2, 1}, 4, []any{1, nil, 2, nil, 5}, []string{"3", "5", "NULL", "NULL"}},
		{"sum int8 widens", Sum, arrow.PrimitiveTypes.Int8, []uint32{0, 0, 1, 1}, 2, []any{-128, -128, 127, 127}, []string{"-256", "254"}},
		{"sum int16", Sum, arrow.PrimitiveTypes.Int16, []uint32{0, 0}, 1, []any{-32768, 32767}, []string{"-1"}},
		{"sum int32", Sum, arrow.PrimitiveTypes.Int32, []uint32{0, 0, 0}, 1, []any{2147483647, 2147483647, nil}, []string{"4294967294"}},
		{"sum uint8", Sum, arrow.PrimitiveTypes.Uint8, []uint32{0, 0}, 1, []any{255, 255}, []string{"510"}},
		{"sum uint32", Sum, arrow.PrimitiveTypes.Uint32, []uint32{0, 0}, 1, []any{4294967295, 4294967295}, []string{"8589934590"}},
		{"sum uint64", Sum, arrow.PrimitiveTypes.Uint64, []uint32{0, 1, 0}, 2, []any{uint64(1 << 62), nil, uint64(1<<62 - 1)}, []string{"9223372036854775807", "NULL"}},
		{"sum float32", Sum, arrow.PrimitiveTypes.Float32, []uint32{0, 0, 1}, 2, []any{1.5, 2.25, nil}, []string{"3.75", "NULL"}},
		{"sum float64 NaN", Sum, f64, []uint32{0, 0, 1}, 2, []any{1.0, nan, -0.5}, []string{"NaN", "-0.5"}},
		{"sum decimal", Sum, dec102, []uint32{0, 0, 1, 0}, 2, []any{12345, -45, nil, 1}, []string{"123.01", "NULL"}},
		{"count", Count, i64, []uint32{0, 0, 1, 2, 2}, 4, []any{1, nil, 3, nil, nil}, []string{"1", "1", "0", "0"}},
		{"count strings", Count, str, []uint32{0, 0, 0}, 1, []any{"", nil, "x"}, []string{"2"}},
		{"count all", CountAll, i64, []uint32{0, 0, 1, 2, 2}, 4, []any{1, nil, 3, nil, nil}, []string{"2", "1", "2", "0"}},
		{"mean int32", Mean, arrow.PrimitiveTypes.Int32, []uint32{0, 0, 0, 1}, 3, []any{1, 2, nil, 4}, []string{"1.5", "4", "NULL"}},
		{"mean int64 beyond 2^63", Mean, i64, []uint32{0, 0, 1, 1}, 2, []any{int64(math.MaxInt64), int64(math.MaxInt64), int64(math.MinInt64), int64(math.MinInt64)}, []string{"9.223372036854776e+18", "-9.223372036854776e+18"}},
		{"mean uint64", Mean, arrow.PrimitiveTypes.Uint64, []uint32{0, 0}, 1, []any{uint64(math.MaxUint64), uint64(math.MaxUint64)}, []string{"1.8446744073709552e+19"}},
		{"mean float64", Mean, f64, []uint32{0, 0, 0, 1}, 2, []any{1.0, 2.0, 4.0, nil}, []string{"2.3333333333333335", "NULL"}},
		{"mean decimal", Mean, dec102, []uint32{0, 0}, 1, []any{100, 250}, []string{"1.75"}},
		{"min int64", Min, i64, []uint32{0, 0, 0, 1}, 3, []any{5, nil, -3, 7}, []string{"-3", "7", "NULL"}},
		{"max int64", Max, i64, []uint32{0, 0, 0, 1}, 3, []any{5, nil, -3, 7}, []string{"5", "7", "NULL"}},
		{"min uint8", Min, arrow.PrimitiveTypes.Uint8, []uint32{0, 0}, 1, []any{200, 3}, []string{"3"}},
		{"max int16", Max, arrow.PrimitiveTypes.Int16, []uint32{0, 0}, 1, []any{-5, -7}, []string{"-5"}},
		{"min float64 NaN last", Min, f64, []uint32{0, 0, 0, 1, 2}, 3, []any{nan, 1.0, 2.0, nan, nil}, []string{"1", "NaN", "NULL"}},
		{"max float64 NaN last", Max, f64, []uint32{0, 0, 0, 1, 2}, 3, []any{1.0, nan, 2.0, nan, -1.0}, []string{"NaN", "NaN", "-1"}},
		{"min float32", Min, arrow.PrimitiveTypes.Float32, []uint32{0, 0}, 1, []any{-1.5, 2.0}, []string{"-1.5"}},
		{"min string", Min, str, []uint32{0, 0, 0, 1, 1, 0}, 2, []any{"b", "abc", "", nil, "zz", "b"}, []string{"", "zz"}},
		{"max string", Max, str, []uint32{0, 0, 0, 1, 1, 0}, 2, []any{"b", "abc", "", nil, "zz", "ba"}, []string{"ba", "zz"}},
		{"max large string", Max, arrow.BinaryTypes.LargeString, []uint32{0, 0, 1}, 3, []any{"a", "ab", "x"}, []string{"ab", "x", "NULL"}},
		{"min binary", Min, arrow.BinaryTypes.Binary, []uint32{0, 0}, 1, []any{"\x01", "\x00\xff"}, []string{"\x00\xff"}},
		{"min bool", Min, arrow.FixedWidthTypes.Boolean, []uint32{0, 0, 1, 1, 2}, 3, []any{true, false, nil, true, nil}, []string{"false", "true", "NULL"}},
		{"max bool", Max, arrow.FixedWidthTypes.Boolean, []uint32{0, 0, 1, 1}, 2, []any{true, false, false, false}, []string{"true", "false"}},
		{"min date32", Min, arrow.FixedWidthTypes.Date32, []uint32{0, 0}, 1, []any{19001, 19000}, []string{"2022-01-08"}},
		{"max timestamp", Max, tsUTC, []uint32{0, 0, 0}, 1, []any{2_000_000, nil, 1_000_000}, []string{"1970-01-01T00:00:02Z"}},
		{"min decimal", Min, dec102, []uint32{0, 0, 0}, 1, []any{50, -100, nil}, []string{"-1"}},
		{"max decimal", Max, dec102, []uint32{0, 0, 0}, 1, []any{50, -100, nil}, []string{"0.5"}},
		{"count distinct int64", CountDistinct, i64, []uint32{0, 0, 0, 0, 1, 1, 2}, 4, []any{1, 1, nil, 2, 2, 3, nil}, []string{"2", "2", "0", "0"}},
		{"count distinct string", CountDistinct, str, []uint32{0, 0, 0, 0, 0}, 1, []any{"a", "", nil, "a", "abcdefghij"}, []string{"3"}},
		{"count distinct float64", CountDistinct, f64, []uint32{0, 0, 0, 0, 0}, 1, []any{0.0, math.Copysign(0, -1), nan, nan, 1.0}, []string{"3"}},
		{"count distinct bool", CountDistinct, arrow.FixedWidthTypes.Boolean, []uint32{0, 0, 1, 1}, 2, []any{true, true, false, true}, []string{"1", "2"}},
	}
	for _, tc := range tests {
		for _, mode := range []string{"one batch", "two batches", "sliced", "partial and merge"} {
			t.Run(tc.name+"/"+mode, func(t *testing.T) {
				mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
				defer mem.AssertSize(t, 0)
				got := runSmall(t, mem, tc.kind, tc.in, tc.ids, tc.numGroups, tc.vals, mode)
				if !slices.Equal(got, tc.want) {
					t.Errorf("got %q, want %q", got, tc.want)
				}
			})
		}
	}
}

// runSmall aggregates vals in the given mode and renders the result.
func runSmall(t *testing.T, mem memory.Allocator, k Kind, in arrow.DataType, ids []uint32, numGroups int, vals []any, mode string) []string {
	t.Helper()
	acc := exectest.Must[Accumulator](t)(New(mem, k, in))
	defer acc.Release()
	update := func(a Accumulator, lo, hi int) {
		arr := newKeyArray(t, mem, in, vals[lo:hi], mode == "sliced")
		defer arr.Release()
		if err := a.Update(ids[lo:hi], numGroups, arr); err != nil {
			t.Fatal(err)
		}
	}
	half := len(vals) / 2
	switch mode {
	case "one batch", "sliced":
		update(acc, 0, len(vals))
	case "two batches":
		update(acc, 0, half)
		update(acc, half, len(vals))
	case "partial and merge":
		// Two partial accumulators over the two halves, merged into acc
		// with the groups of the second one listed in reverse.
		for part, r := range [][2]int{{0, half}, {half, len(vals)}} {
			p := exectest.Must[Accumulator](t)(New(mem, k, in))
			update(p, r[0], r[1])
			states := exectest.Must[[]arrow.Array](t)(p.States())
			p.Release()
			checkTypes(t, k, in, states)
			mids := make([]uint32, numGroups)
			for g := range mids {
				mids[g] = uint32(g)
				if part == 1 {
					mids[g] = uint32(numGroups - 1 - g)
				}
			}
			if part == 1 {
				for j, s := range states {
					states[j] = reverse(t, mem, s)
					s.Release()
				}
			}
			err := acc.Merge(mids, numGroups, states)
			exectest.ReleaseAll(states)
			if err != nil {
				t.Fatal(err)
			}
		}
	}
	out := exectest.Must[arrow.Array](t)(acc.Finish())
	defer out.Release()
	rt := exectest.Must[arrow.DataType](t)(ResultType(k, in))
	if !arrow.TypeEqual(out.DataType(), rt) {
		t.Errorf("result type %s, ResultType says %s", out.DataType(), rt)
	}
	return exectest.Render(out)
}

// checkTypes fails unless the state columns have the types StateTypes gives.
func checkTypes(t *testing.T, k Kind, in arrow.DataType, states []arrow.Array) {
	t.Helper()
	want := exectest.Must[[]arrow.DataType](t)(StateTypes(k, in))
	if len(want) != len(states) {
		t.Fatalf("%d state columns, StateTypes gives %d", len(states), len(want))
	}
	for j := range want {
		if !arrow.TypeEqual(states[j].DataType(), want[j]) {
			t.Errorf("state %d has type %s, StateTypes gives %s", j, states[j].DataType(), want[j])
		}
	}
}

// reverse returns arr's rows in reverse order, built by the arrow builders
// (independently of the code under test).
func reverse(t *testing.T, mem memory.Allocator, arr arrow.Array) arrow.Array {
	t.Helper()
	b := array.NewBuilder(mem, arr.DataType())
	defer b.Release()
	for i := arr.Len() - 1; i >= 0; i-- {
		if err := b.AppendValueFromString(valueString(arr, i)); err != nil {
			// Lists and other types without a string form: copy by slicing.
			sl := array.NewSlice(arr, int64(i), int64(i+1))
			if err := appendSlice(b, sl); err != nil {
				t.Fatal(err)
			}
			sl.Release()
		}
	}
	return b.NewArray()
}

func valueString(arr arrow.Array, i int) string {
	if arr.IsNull(i) {
		return array.NullValueStr
	}
	return arr.ValueStr(i)
}

// appendSlice appends the rows of sl to b through the JSON form.
func appendSlice(b array.Builder, sl arrow.Array) error {
	js, err := sl.MarshalJSON()
	if err != nil {
		return err
	}
	return b.UnmarshalJSON(js)
}

// finishErr is the error of Finish, releasing its output if there is one.
func finishErr(acc Accumulator) error {
	out, err := acc.Finish()
	if err == nil {
		out.Release()
	}
	return err
}

// TestSumOrderIndependent: a sum whose running total leaves int64 but
// whose result fits is the same in every row order and batching, as
// DuckDB's 128-bit sums are; only a result that does not fit fails.
func TestSumOrderIndependent(t *testing.T) {
	big := int64(math.MaxInt64)
	cases := []struct {
		name string
		in   arrow.DataType
		vals [][]any
		want string
	}{
		{"max first", arrow.PrimitiveTypes.Int64, [][]any{{big, int64(1), int64(-2)}}, strconv.FormatInt(big-1, 10)},
		{"max last", arrow.PrimitiveTypes.Int64, [][]any{{int64(-2), int64(1), big}}, strconv.FormatInt(big-1, 10)},
		{"across batches", arrow.PrimitiveTypes.Int64, [][]any{{big}, {big, nil}, {-big, -big, int64(5)}}, "5"},
		{"below min and back", arrow.PrimitiveTypes.Int64, [][]any{{int64(math.MinInt64), int64(-1)}, {int64(2)}}, strconv.FormatInt(math.MinInt64+1, 10)},
		{"uint64 beyond int64", arrow.PrimitiveTypes.Uint64, [][]any{{uint64(math.MaxInt64), uint64(1)}}, ""},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
			defer mem.AssertSize(t, 0)
			acc := exectest.Must[Accumulator](t)(New(mem, Sum, tc.in))
			defer acc.Release()
			for _, vals := range tc.vals {
				arr := exectest.NewArray(t, mem, tc.in, vals...)
				err := acc.Update(make([]uint32, len(vals)), 1, arr)
				arr.Release()
				if err != nil {
					t.Fatal(err)
				}
			}
			out, err := acc.Finish()
			if tc.want == "" {
				if err == nil {
					out.Release()
					t.Fatal("a sum beyond int64 did not fail")
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			defer out.Release()
			if got := out.ValueStr(0); got != tc.want {
				t.Errorf("sum = %s, want %s", got, tc.want)
			}
		})
	}
}

func TestSumOverflow(t *testing.T) {
	tests := []struct {
		name string
		in   arrow.DataType
		vals [][]any // batches
	}{
		{"int64 in one batch", arrow.PrimitiveTypes.Int64, [][]any{{int64(math.MaxInt64), 1}}},
		{"int64 negative", arrow.PrimitiveTypes.Int64, [][]any{{int64(math.MinInt64), nil, -1}}},
		{"int64 across batches", arrow.PrimitiveTypes.Int64, [][]any{{int64(math.MaxInt64 - 1)}, {2}}},
		{"uint64 value", arrow.PrimitiveTypes.Uint64, [][]any{{uint64(math.MaxInt64) + 1}}},
		{"uint64 sum", arrow.PrimitiveTypes.Uint64, [][]any{{uint64(math.MaxInt64), uint64(1)}}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
			defer mem.AssertSize(t, 0)
			acc := exectest.Must[Accumulator](t)(New(mem, Sum, tc.in))
			defer acc.Release()
			var err error
			for _, vals := range tc.vals {
				arr := exectest.NewArray(t, mem, tc.in, vals...)
				err = acc.Update(make([]uint32, len(vals)), 1, arr)
				arr.Release()
				if err != nil {
					break
				}
			}
			if err == nil {
				err = finishErr(acc)
			}
			if !errors.Is(err, errs.ErrExec) {
				t.Fatalf("err = %v, want ErrExec", err)
			}
			if msg := err.Error(); !strings.Contains(msg, "overflowed int64") || !strings.Contains(msg, tc.in.String()) {
				t.Errorf("message %q should say the sum of %s overflowed int64", msg, tc.in)
			}
		})
	}
	t.Run("merge", func(t *testing.T) {
		mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
		defer mem.AssertSize(t, 0)
		acc := exectest.Must[Accumulator](t)(New(mem, Sum, arrow.PrimitiveTypes.Int32))
		defer acc.Release()
		state := exectest.NewArray(t, mem, arrow.PrimitiveTypes.Int64, int64(math.MaxInt64), nil, int64(1))
		defer state.Release()
		err := acc.Merge([]uint32{0, 0, 0}, 1, []arrow.Array{state})
		if err == nil {
			err = finishErr(acc)
		}
		if !errors.Is(err, errs.ErrExec) || !strings.Contains(err.Error(), "overflowed int64") {
			t.Fatalf("err = %v, want an int64 overflow", err)
		}
	})
	t.Run("decimal", func(t *testing.T) {
		mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
		defer mem.AssertSize(t, 0)
		dt := &arrow.Decimal128Type{Precision: 38, Scale: 0}
		acc := exectest.Must[Accumulator](t)(New(mem, Sum, dt))
		defer acc.Release()
		b := array.NewDecimal128Builder(mem, dt)
		for range 2 {
			if err := b.AppendValueFromString(strings.Repeat("9", 38)); err != nil {
				t.Fatal(err)
			}
		}
		arr := b.NewArray()
		b.Release()
		defer arr.Release()
		err := acc.Update([]uint32{0, 0}, 1, arr)
		if err == nil {
			var out arrow.Array
			out, err = acc.Finish()
			if out != nil {
				out.Release()
			}
		}
		if !errors.Is(err, errs.ErrExec) || !strings.Contains(err.Error(), "overflowed decimal(38, 0)") {
			t.Fatalf("err = %v, want a decimal overflow", err)
		}
	})
}

func TestGlobalAggregateOverNoRows(t *testing.T) {
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)
	i64 := arrow.PrimitiveTypes.Int64
	tests := []struct {
		kind Kind
		in   arrow.DataType
		want string
	}{
		{Count, i64, "0"},
		{CountAll, nil, "0"},
		{CountDistinct, i64, "0"},
		{Sum, i64, "NULL"},
		{Sum, arrow.PrimitiveTypes.Float64, "NULL"},
		{Sum, dec102, "NULL"},
		{Mean, i64, "NULL"},
		{Mean, arrow.PrimitiveTypes.Float64, "NULL"},
		{Min, arrow.BinaryTypes.String, "NULL"},
		{Max, arrow.FixedWidthTypes.Boolean, "NULL"},
		{Max, i64, "NULL"},
	}
	for _, tc := range tests {
		for _, phases := range []string{"single", "partial and final"} {
			t.Run(fmt.Sprintf("%s(%v)/%s", tc.kind, tc.in, phases), func(t *testing.T) {
				gt := exectest.Must[*GroupTable](t)(NewGroupTable(mem, nil))
				defer gt.Release()
				acc := exectest.Must[Accumulator](t)(New(mem, tc.kind, tc.in))
				defer acc.Release()
				// One empty batch, as a scan of an empty table gives.
				var empty arrow.Array
				if tc.in != nil {
					empty = exectest.NewArray(t, mem, tc.in)
					defer empty.Release()
				}
				ids := exectest.Must[[]uint32](t)(gt.InsertRows(0, nil, nil))
				if err := acc.Update(ids, gt.Len(), empty); err != nil {
					t.Fatal(err)
				}
				if phases != "single" {
					states := exectest.Must[[]arrow.Array](t)(acc.States())
					final := exectest.Must[Accumulator](t)(New(mem, tc.kind, tc.in))
					defer final.Release()
					err := final.Merge([]uint32{0}, 1, states)
					exectest.ReleaseAll(states)
					if err != nil {
						t.Fatal(err)
					}
					acc = final
				}
				out := exectest.Must[arrow.Array](t)(acc.Finish())
				defer out.Release()
				if got := exectest.Render(out); len(got) != 1 || got[0] != tc.want {
					t.Errorf("got %q, want [%s]", got, tc.want)
				}
			})
		}
	}
	t.Run("no update at all", func(t *testing.T) {
		acc := exectest.Must[Accumulator](t)(New(mem, CountAll, nil))
		defer acc.Release()
		if err := acc.Update(nil, 1, nil); err != nil {
			t.Fatal(err)
		}
		out := exectest.Must[arrow.Array](t)(acc.Finish())
		defer out.Release()
		if got := exectest.Render(out); !slices.Equal(got, []string{"0"}) {
			t.Errorf("got %q, want [0]", got)
		}
	})
}

func TestTypesAndErrors(t *testing.T) {
	str := arrow.BinaryTypes.String
	for _, tc := range []struct {
		kind Kind
		in   arrow.DataType
	}{
		{Sum, str}, {Mean, arrow.FixedWidthTypes.Boolean}, {Sum, arrow.FixedWidthTypes.Date32},
		{Min, arrow.ListOf(str)}, {Count, nil}, {CountDistinct, arrow.ListOf(str)},
	} {
		if _, err := New(memory.DefaultAllocator, tc.kind, tc.in); !errors.Is(err, errs.ErrPlan) {
			t.Errorf("New(%s, %v): err = %v, want ErrPlan", tc.kind, tc.in, err)
		}
		if _, err := ResultType(tc.kind, tc.in); !errors.Is(err, errs.ErrPlan) {
			t.Errorf("ResultType(%s, %v): err = %v, want ErrPlan", tc.kind, tc.in, err)
		}
	}
	if _, err := New(memory.DefaultAllocator, Kind(99), str); !errors.Is(err, errs.ErrInternal) {
		t.Errorf("unknown kind: err = %v, want ErrInternal", err)
	}

	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)
	acc := exectest.Must[Accumulator](t)(New(mem, Sum, arrow.PrimitiveTypes.Int64))
	defer acc.Release()
	i32 := exectest.NewArray(t, mem, arrow.PrimitiveTypes.Int32, 1, 2)
	defer i32.Release()
	if err := acc.Update([]uint32{0, 0}, 1, i32); !errors.Is(err, errs.ErrInternal) {
		t.Errorf("wrong input type: err = %v, want ErrInternal", err)
	}
	i64 := exectest.NewArray(t, mem, arrow.PrimitiveTypes.Int64, 1, 2)
	defer i64.Release()
	if err := acc.Update([]uint32{0}, 1, i64); !errors.Is(err, errs.ErrInternal) {
		t.Errorf("wrong id count: err = %v, want ErrInternal", err)
	}
	if err := acc.Merge([]uint32{0, 0}, 1, nil); !errors.Is(err, errs.ErrInternal) {
		t.Errorf("missing states: err = %v, want ErrInternal", err)
	}
}

// TestAllNullWithoutBuffers feeds all-NULL batches without value buffers
// (only a validity bitmap, plus zero offsets for binary types), as other
// Arrow producers may send.
func TestAllNullWithoutBuffers(t *testing.T) {
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)
	const n = 3
	allNull := func(dt arrow.DataType, nbufs int) arrow.Array {
		bm := memory.NewResizableBuffer(mem)
		bm.Resize(1)
		bm.Bytes()[0] = 0
		bufs := make([]*memory.Buffer, nbufs)
		bufs[0] = bm
		if nbufs == 3 {
			// arrow-go requires offsets for binary types; zeros will do.
			offs := memory.NewResizableBuffer(mem)
			offs.Resize(8 * (n + 1))
			clear(offs.Bytes())
			bufs[1] = offs
			defer offs.Release()
		}
		data := array.NewData(dt, n, bufs, nil, n, 0)
		bm.Release()
		defer data.Release()
		return array.MakeFromData(data)
	}
	types := []struct {
		dt    arrow.DataType
		nbufs int
	}{
		{arrow.PrimitiveTypes.Int64, 2}, {arrow.PrimitiveTypes.Float64, 2}, {arrow.PrimitiveTypes.Int16, 2},
		{arrow.FixedWidthTypes.Boolean, 2}, {arrow.BinaryTypes.String, 3}, {arrow.BinaryTypes.LargeBinary, 3},
		{dec102, 2},
	}
	for _, tc := range types {
		t.Run(tc.dt.String(), func(t *testing.T) {
			arr := allNull(tc.dt, tc.nbufs)
			defer arr.Release()
			gt := exectest.Must[*GroupTable](t)(NewGroupTable(mem, []arrow.DataType{tc.dt}))
			defer gt.Release()
			ids := exectest.Must[[]uint32](t)(gt.Insert([]arrow.Array{arr}, nil))
			if fmt.Sprint(ids) != "[0 0 0]" || gt.Len() != 1 {
				t.Errorf("ids %v, %d groups; want one NULL group", ids, gt.Len())
			}
			keys := exectest.Must[[]arrow.Array](t)(gt.Keys())
			if got := exectest.Render(keys[0]); !slices.Equal(got, []string{"NULL"}) {
				t.Errorf("keys %q", got)
			}
			exectest.ReleaseAll(keys)
			for _, k := range []Kind{Count, CountDistinct, Min, Max, Sum, Mean} {
				acc, err := New(mem, k, tc.dt)
				if err != nil {
					continue // not defined for this type
				}
				if err := acc.Update(ids, 1, arr); err != nil {
					t.Fatalf("%s: %v", k, err)
				}
				out := exectest.Must[arrow.Array](t)(acc.Finish())
				want := "NULL"
				if k == Count || k == CountDistinct {
					want = "0"
				}
				if got := exectest.Render(out); !slices.Equal(got, []string{want}) {
					t.Errorf("%s = %q, want %s", k, got, want)
				}
				out.Release()
				acc.Release()
			}
		})
	}
}
