package sorting

import (
	"errors"
	"math"
	"math/big"
	"testing"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/decimal128"
	"github.com/apache/arrow-go/v18/arrow/decimal256"
	"github.com/apache/arrow-go/v18/arrow/memory"

	"lakeframe/errs"
	"lakeframe/exec/exectest"
)

var (
	asc           = Key{}
	ascNullsFirst = Key{NullsFirst: true}
	desc          = Key{Desc: true}
	descNullFirst = Key{Desc: true, NullsFirst: true}
)

func bigPow(base, exp int64) *big.Int {
	return new(big.Int).Exp(big.NewInt(base), big.NewInt(exp), nil)
}

func dec128(v *big.Int) decimal128.Num { return decimal128.FromBigInt(v) }
func dec256(v *big.Int) decimal256.Num { return decimal256.FromBigInt(v) }

func neg(v *big.Int) *big.Int { return new(big.Int).Neg(v) }

func sub1(v *big.Int) *big.Int { return new(big.Int).Sub(v, big.NewInt(1)) }

type singleKeyCase struct {
	name string
	dt   arrow.DataType
	key  Key
	in   []any
	want []any
}

func singleKeyCases() []singleKeyCase {
	nan, negNaN := math.NaN(), math.Copysign(math.NaN(), -1)
	negZero := math.Copysign(0, -1)
	inf := math.Inf(1)
	f32 := func(v float64) any { return float32(v) }
	b := func(v ...byte) any { return v }
	p64 := bigPow(2, 64)
	p128 := bigPow(2, 128)
	max38 := sub1(bigPow(10, 38))
	ints := []any{int64(3), nil, int64(-1), int64(0), nil, int64(math.MinInt64), int64(math.MaxInt64), int64(-1)}
	floats := []any{nan, 1.0, negZero, inf, nil, 0.0, -inf, -1.5, negNaN, 5e-324, -5e-324}
	strs := []any{"b", "", nil, "a", "ab", "a\x00", "a\x00b", "\xff", "A", "a\x00\x00", "a\x01"}
	bins := []any{b(1, 2), b(), nil, b(0), b(0, 0), b(1)}
	return []singleKeyCase{
		{"int64 asc", arrow.PrimitiveTypes.Int64, asc, ints,
			[]any{int64(math.MinInt64), int64(-1), int64(-1), int64(0), int64(3), int64(math.MaxInt64), nil, nil}},
		{"int64 desc", arrow.PrimitiveTypes.Int64, desc, ints,
			[]any{int64(math.MaxInt64), int64(3), int64(0), int64(-1), int64(-1), int64(math.MinInt64), nil, nil}},
		{"int64 desc nulls first", arrow.PrimitiveTypes.Int64, descNullFirst, ints,
			[]any{nil, nil, int64(math.MaxInt64), int64(3), int64(0), int64(-1), int64(-1), int64(math.MinInt64)}},
		{"int64 asc nulls first", arrow.PrimitiveTypes.Int64, ascNullsFirst, ints,
			[]any{nil, nil, int64(math.MinInt64), int64(-1), int64(-1), int64(0), int64(3), int64(math.MaxInt64)}},
		{"int8", arrow.PrimitiveTypes.Int8, asc,
			[]any{int64(127), int64(-128), int64(0), nil, int64(-1), int64(1)},
			[]any{int64(-128), int64(-1), int64(0), int64(1), int64(127), nil}},
		{"int16 desc", arrow.PrimitiveTypes.Int16, desc,
			[]any{int64(-32768), int64(32767), nil, int64(5), int64(-5)},
			[]any{int64(32767), int64(5), int64(-5), int64(-32768), nil}},
		{"int32 nulls first", arrow.PrimitiveTypes.Int32, ascNullsFirst,
			[]any{int64(math.MinInt32), int64(0), int64(math.MaxInt32), nil, int64(-7)},
			[]any{nil, int64(math.MinInt32), int64(-7), int64(0), int64(math.MaxInt32)}},
		{"uint8", arrow.PrimitiveTypes.Uint8, asc,
			[]any{uint64(255), uint64(0), nil, uint64(128), uint64(127)},
			[]any{uint64(0), uint64(127), uint64(128), uint64(255), nil}},
		{"uint16 desc", arrow.PrimitiveTypes.Uint16, desc,
			[]any{uint64(65535), uint64(0), uint64(256), uint64(255)},
			[]any{uint64(65535), uint64(256), uint64(255), uint64(0)}},
		{"uint32", arrow.PrimitiveTypes.Uint32, asc,
			[]any{uint64(math.MaxUint32), uint64(0), uint64(1 << 31), uint64(1<<31 - 1), nil},
			[]any{uint64(0), uint64(1<<31 - 1), uint64(1 << 31), uint64(math.MaxUint32), nil}},
		{"uint64 desc nulls first", arrow.PrimitiveTypes.Uint64, descNullFirst,
			[]any{uint64(math.MaxUint64), uint64(0), uint64(1 << 63), uint64(1<<63 - 1), nil},
			[]any{nil, uint64(math.MaxUint64), uint64(1 << 63), uint64(1<<63 - 1), uint64(0)}},
		{"float64 asc", arrow.PrimitiveTypes.Float64, asc, floats,
			[]any{-inf, -1.5, -5e-324, negZero, 0.0, 5e-324, 1.0, inf, nan, negNaN, nil}},
		{"float64 desc", arrow.PrimitiveTypes.Float64, desc, floats,
			[]any{nan, negNaN, inf, 1.0, 5e-324, negZero, 0.0, -5e-324, -1.5, -inf, nil}},
		{"float32 nulls first", arrow.PrimitiveTypes.Float32, ascNullsFirst,
			[]any{f32(1.5), f32(nan), f32(negZero), f32(0), f32(-inf), nil, f32(-3)},
			[]any{nil, f32(-inf), f32(-3), f32(negZero), f32(0), f32(1.5), f32(nan)}},
		{"string asc", arrow.BinaryTypes.String, asc, strs,
			[]any{"", "A", "a", "a\x00", "a\x00\x00", "a\x00b", "a\x01", "ab", "b", "\xff", nil}},
		{"string desc", arrow.BinaryTypes.String, desc, strs,
			[]any{"\xff", "b", "ab", "a\x01", "a\x00b", "a\x00\x00", "a\x00", "a", "A", "", nil}},
		{"string desc nulls first", arrow.BinaryTypes.String, descNullFirst, strs,
			[]any{nil, "\xff", "b", "ab", "a\x01", "a\x00b", "a\x00\x00", "a\x00", "a", "A", ""}},
		{"large string", arrow.BinaryTypes.LargeString, asc,
			[]any{"zz", "z", nil, "", "z\x00"},
			[]any{"", "z", "z\x00", "zz", nil}},
		{"binary", arrow.BinaryTypes.Binary, asc, bins,
			[]any{b(), b(0), b(0, 0), b(1), b(1, 2), nil}},
		{"large binary desc", arrow.BinaryTypes.LargeBinary, desc, bins,
			[]any{b(1, 2), b(1), b(0, 0), b(0), b(), nil}},
		{"fixed size binary", &arrow.FixedSizeBinaryType{ByteWidth: 2}, asc,
			[]any{b(1, 0), b(0, 255), nil, b(0, 1), b(255, 255)},
			[]any{b(0, 1), b(0, 255), b(1, 0), b(255, 255), nil}},
		{"bool", arrow.FixedWidthTypes.Boolean, asc,
			[]any{true, nil, false, true, false},
			[]any{false, false, true, true, nil}},
		{"bool desc nulls first", arrow.FixedWidthTypes.Boolean, descNullFirst,
			[]any{true, nil, false, true, false},
			[]any{nil, true, true, false, false}},
		{"date32", arrow.FixedWidthTypes.Date32, asc,
			[]any{int64(19000), int64(-1), nil, int64(0), int64(20000)},
			[]any{int64(-1), int64(0), int64(19000), int64(20000), nil}},
		{"date64 desc", arrow.FixedWidthTypes.Date64, desc,
			[]any{int64(86400000), int64(-86400000), int64(0), nil},
			[]any{int64(86400000), int64(0), int64(-86400000), nil}},
		{"timestamp", &arrow.TimestampType{Unit: arrow.Nanosecond, TimeZone: "UTC"}, asc,
			[]any{int64(1), int64(-1), int64(math.MaxInt64), int64(math.MinInt64), nil},
			[]any{int64(math.MinInt64), int64(-1), int64(1), int64(math.MaxInt64), nil}},
		{"time32", arrow.FixedWidthTypes.Time32ms, desc,
			[]any{int64(5), nil, int64(86399999), int64(0)},
			[]any{int64(86399999), int64(5), int64(0), nil}},
		{"time64", arrow.FixedWidthTypes.Time64us, asc,
			[]any{int64(5), nil, int64(86399999999), int64(0)},
			[]any{int64(0), int64(5), int64(86399999999), nil}},
		{"duration", arrow.FixedWidthTypes.Duration_s, asc,
			[]any{int64(5), int64(-5), nil, int64(0)},
			[]any{int64(-5), int64(0), int64(5), nil}},
		{"decimal32", &arrow.Decimal32Type{Precision: 9, Scale: 2}, asc,
			[]any{int64(100), int64(-999999999), nil, int64(-1), int64(999999999)},
			[]any{int64(-999999999), int64(-1), int64(100), int64(999999999), nil}},
		{"decimal64", &arrow.Decimal64Type{Precision: 18, Scale: 2}, desc,
			[]any{int64(100), int64(-999999999999), nil, int64(-1), int64(999999999999)},
			[]any{int64(999999999999), int64(100), int64(-1), int64(-999999999999), nil}},
		{"decimal128", &arrow.Decimal128Type{Precision: 38, Scale: 2}, asc,
			[]any{dec128(big.NewInt(1)), dec128(p64), nil, dec128(neg(max38)), dec128(big.NewInt(-1)),
				dec128(sub1(p64)), dec128(neg(p64)), dec128(big.NewInt(0)), dec128(max38), dec128(neg(sub1(p64)))},
			[]any{dec128(neg(max38)), dec128(neg(p64)), dec128(neg(sub1(p64))), dec128(big.NewInt(-1)),
				dec128(big.NewInt(0)), dec128(big.NewInt(1)), dec128(sub1(p64)), dec128(p64), dec128(max38), nil}},
		{"decimal256 desc", &arrow.Decimal256Type{Precision: 76, Scale: 0}, desc,
			[]any{dec256(big.NewInt(1)), dec256(p128), nil, dec256(neg(p128)), dec256(big.NewInt(-1)),
				dec256(sub1(p128)), dec256(p64), dec256(neg(sub1(p128)))},
			[]any{dec256(p128), dec256(sub1(p128)), dec256(p64), dec256(big.NewInt(1)), dec256(big.NewInt(-1)),
				dec256(neg(sub1(p128))), dec256(neg(p128)), nil}},
		{"null type", arrow.Null, desc, []any{nil, nil, nil}, []any{nil, nil, nil}},
	}
}

// layouts returns ways to lay vals out as key columns of batches: one
// batch, one batch per row, and batches sliced out of padded arrays so
// that they start at a non-zero offset.
func layouts(t *testing.T, mem memory.Allocator, dt arrow.DataType, vals []any) map[string][]arrow.Array {
	t.Helper()
	one := exectest.NewArray(t, mem, dt, vals...)
	var rows []arrow.Array
	for i := range vals {
		rows = append(rows, array.NewSlice(one, int64(i), int64(i+1)))
	}
	padded := append(append([]any{vals[len(vals)-1], nil, vals[0]}, vals...), vals[0], nil)
	whole := exectest.NewArray(t, mem, dt, padded...)
	half := len(vals) / 2
	sliced := []arrow.Array{
		array.NewSlice(whole, 3, int64(3+half)),
		array.NewSlice(whole, int64(3+half), int64(3+len(vals))),
	}
	whole.Release()
	return map[string][]arrow.Array{"one batch": {one}, "row batches": rows, "sliced": sliced}
}

// batchesOf wraps key columns into batches with the key as the only
// column, and returns the batches and their keys.
func batchesOf(cols []arrow.Array) ([]arrow.RecordBatch, [][]arrow.Array) {
	schema := arrow.NewSchema([]arrow.Field{{Name: "k", Type: cols[0].DataType(), Nullable: true}}, nil)
	var batches []arrow.RecordBatch
	var keys [][]arrow.Array
	for _, c := range cols {
		batches = append(batches, array.NewRecordBatch(schema, []arrow.Array{c}, int64(c.Len())))
		keys = append(keys, []arrow.Array{c})
	}
	return batches, keys
}

func TestSortSingleKey(t *testing.T) {
	for _, c := range singleKeyCases() {
		t.Run(c.name, func(t *testing.T) {
			mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
			defer mem.AssertSize(t, 0)
			for layout, cols := range layouts(t, mem, c.dt, c.in) {
				batches, keys := batchesOf(cols)
				out, err := Sort(mem, batches, keys, []Key{c.key})
				if err != nil {
					t.Fatalf("%s: %v", layout, err)
				}
				got := exectest.ColumnValues(t, out, 0)
				if len(got) != len(c.want) {
					t.Fatalf("%s: got %d rows, want %d", layout, len(got), len(c.want))
				}
				for i := range got {
					if !exectest.Same(got[i], c.want[i]) {
						t.Errorf("%s: row %d: got %v, want %v (all: %v)", layout, i, got[i], c.want[i], got)
						break
					}
				}
				exectest.ReleaseAll(out)
				exectest.ReleaseAll(batches)
				for _, col := range cols {
					col.Release()
				}
			}
		})
	}
}

// multiKeyBatches returns three batches over the rows
//
//	id: 0    1    2    3    4    5    6
//	a:  1    nil  1    2    1    nil  1
//	b:  "x"  "y"  nil  "a"  "z"  "a"  "x"
//	c:  0.5  0.5  -1   -0   NaN  2    -2
func multiKeyBatches(t *testing.T, mem memory.Allocator) ([]arrow.RecordBatch, *arrow.Schema) {
	schema := arrow.NewSchema([]arrow.Field{
		{Name: "id", Type: arrow.PrimitiveTypes.Int64},
		{Name: "a", Type: arrow.PrimitiveTypes.Int32, Nullable: true},
		{Name: "b", Type: arrow.BinaryTypes.String, Nullable: true},
		{Name: "c", Type: arrow.PrimitiveTypes.Float64, Nullable: true},
	}, nil)
	rows := [][]any{
		{int64(0), int64(1), "x", 0.5},
		{int64(1), nil, "y", 0.5},
		{int64(2), int64(1), nil, -1.0},
		{int64(3), int64(2), "a", math.Copysign(0, -1)},
		{int64(4), int64(1), "z", math.NaN()},
		{int64(5), nil, "a", 2.0},
		{int64(6), int64(1), "x", -2.0},
	}
	var batches []arrow.RecordBatch
	for _, span := range [][2]int{{0, 3}, {3, 4}, {4, 7}} {
		cols := make([]arrow.Array, 4)
		for j := range cols {
			var vals []any
			for _, r := range rows[span[0]:span[1]] {
				vals = append(vals, r[j])
			}
			cols[j] = exectest.NewArray(t, mem, schema.Field(j).Type, vals...)
		}
		batches = append(batches, array.NewRecordBatch(schema, cols, int64(span[1]-span[0])))
		for _, c := range cols {
			c.Release()
		}
	}
	return batches, schema
}

func TestSortMultiKey(t *testing.T) {
	cases := []struct {
		name  string
		cols  []int
		order []Key
		want  []int64
	}{
		{"a asc nulls first, b desc", []int{1, 2}, []Key{ascNullsFirst, desc}, []int64{1, 5, 4, 0, 6, 2, 3}},
		{"b asc nulls first, a desc", []int{2, 1}, []Key{ascNullsFirst, desc}, []int64{2, 3, 5, 0, 6, 1, 4}},
		{"a desc nulls first, c asc", []int{1, 3}, []Key{descNullFirst, asc}, []int64{1, 5, 3, 6, 2, 0, 4}},
		{"a asc, b asc, c desc", []int{1, 2, 3}, []Key{asc, asc, desc}, []int64{0, 6, 4, 2, 3, 5, 1}},
		{"c desc nulls first", []int{3}, []Key{descNullFirst}, []int64{4, 5, 0, 1, 3, 2, 6}},
		{"no keys keeps input order", nil, nil, []int64{0, 1, 2, 3, 4, 5, 6}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
			defer mem.AssertSize(t, 0)
			batches, _ := multiKeyBatches(t, mem)
			defer exectest.ReleaseAll(batches)
			keys := make([][]arrow.Array, len(batches))
			for i, b := range batches {
				for _, j := range c.cols {
					keys[i] = append(keys[i], b.Column(j))
				}
			}
			out, err := Sort(mem, batches, keys, c.order)
			if err != nil {
				t.Fatal(err)
			}
			defer exectest.ReleaseAll(out)
			got := exectest.ColumnValues(t, out, 0)
			if len(got) != len(c.want) {
				t.Fatalf("got %v, want %v", got, c.want)
			}
			for i := range got {
				if got[i] != c.want[i] {
					t.Fatalf("got %v, want %v", got, c.want)
				}
			}
		})
	}
}

func TestSortStable(t *testing.T) {
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)
	schema := arrow.NewSchema([]arrow.Field{
		{Name: "id", Type: arrow.PrimitiveTypes.Int64},
		{Name: "k", Type: arrow.PrimitiveTypes.Int64},
		{Name: "s", Type: arrow.BinaryTypes.String},
	}, nil)
	const n, groups = 200, 3
	var batches []arrow.RecordBatch
	var keys, strKeys [][]arrow.Array
	for lo := 0; lo < n; lo += 40 {
		var ids, ks, ss []any
		for id := lo; id < lo+40; id++ {
			ids = append(ids, int64(id))
			ks = append(ks, int64(id%groups))
			ss = append(ss, []string{"same-long-prefix-0", "same-long-prefix-1", "same-long-prefix-2"}[id%groups])
		}
		cols := []arrow.Array{
			exectest.NewArray(t, mem, schema.Field(0).Type, ids...),
			exectest.NewArray(t, mem, schema.Field(1).Type, ks...),
			exectest.NewArray(t, mem, schema.Field(2).Type, ss...),
		}
		b := array.NewRecordBatch(schema, cols, 40)
		for _, c := range cols {
			c.Release()
		}
		batches = append(batches, b)
		keys = append(keys, []arrow.Array{b.Column(1)})
		strKeys = append(strKeys, []arrow.Array{b.Column(2)})
	}
	defer exectest.ReleaseAll(batches)
	for _, key := range []Key{asc, desc} {
		var want []int64
		for g := range groups {
			if key.Desc {
				g = groups - 1 - g
			}
			for id := range n {
				if id%groups == g {
					want = append(want, int64(id))
				}
			}
		}
		for name, k := range map[string][][]arrow.Array{"int key": keys, "string key": strKeys} {
			out, err := Sort(mem, batches, k, []Key{key})
			if err != nil {
				t.Fatal(err)
			}
			got := exectest.ColumnValues(t, out, 0)
			exectest.ReleaseAll(out)
			for i := range want {
				if got[i] != want[i] {
					t.Fatalf("%s %s: row %d is id %v, want %d", name, key, i, got[i], want[i])
				}
			}
		}
	}
}

func TestSortOutputBatchSize(t *testing.T) {
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)
	const n = 2*BatchRows + 18928
	b := array.NewInt32Builder(mem)
	for i := range n {
		b.Append(int32(n - i))
	}
	col := b.NewArray()
	b.Release()
	defer col.Release()
	batches, keys := batchesOf([]arrow.Array{col})
	defer exectest.ReleaseAll(batches)
	out, err := Sort(mem, batches, keys, []Key{asc})
	if err != nil {
		t.Fatal(err)
	}
	defer exectest.ReleaseAll(out)
	wantLens := []int64{BatchRows, BatchRows, 18928}
	if len(out) != len(wantLens) {
		t.Fatalf("got %d batches, want %d", len(out), len(wantLens))
	}
	next := int32(1)
	for i, o := range out {
		if o.NumRows() != wantLens[i] {
			t.Errorf("batch %d has %d rows, want %d", i, o.NumRows(), wantLens[i])
		}
		for _, v := range o.Column(0).(*array.Int32).Int32Values() {
			if v != next {
				t.Fatalf("got %d, want %d", v, next)
			}
			next++
		}
	}
}

func TestSortErrors(t *testing.T) {
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)
	ints := exectest.NewArray(t, mem, arrow.PrimitiveTypes.Int64, []any{int64(1), int64(2)}...)
	defer ints.Release()
	short := exectest.NewArray(t, mem, arrow.PrimitiveTypes.Int64, []any{int64(1)}...)
	defer short.Release()
	strs := exectest.NewArray(t, mem, arrow.BinaryTypes.String, []any{"a", "b"}...)
	defer strs.Release()
	lb := array.NewListBuilder(mem, arrow.PrimitiveTypes.Int64)
	lb.AppendNull()
	lb.AppendNull()
	list := lb.NewArray()
	lb.Release()
	defer list.Release()
	batches, _ := batchesOf([]arrow.Array{ints, ints})
	defer exectest.ReleaseAll(batches)
	other, _ := batchesOf([]arrow.Array{strs})
	defer exectest.ReleaseAll(other)

	cases := []struct {
		name    string
		batches []arrow.RecordBatch
		keys    [][]arrow.Array
		order   []Key
		want    error
	}{
		{"fewer key sets than batches", batches, [][]arrow.Array{{ints}}, []Key{asc}, errs.ErrInternal},
		{"more keys than order", batches[:1], [][]arrow.Array{{ints, ints}}, []Key{asc}, errs.ErrInternal},
		{"key length", batches[:1], [][]arrow.Array{{short}}, []Key{asc}, errs.ErrInternal},
		{"key type changes", batches, [][]arrow.Array{{ints}, {strs}}, []Key{asc}, errs.ErrInternal},
		{"schemas differ", []arrow.RecordBatch{batches[0], other[0]}, [][]arrow.Array{{ints}, {ints}}, []Key{asc}, errs.ErrInternal},
		{"list key", batches[:1], [][]arrow.Array{{list}}, []Key{asc}, errs.ErrNotImplemented},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			out, err := Sort(mem, c.batches, c.keys, c.order)
			exectest.ReleaseAll(out)
			if !errors.Is(err, c.want) {
				t.Fatalf("got error %v, want %v", err, c.want)
			}
		})
	}
	out, err := Sort(mem, nil, nil, []Key{asc})
	if err != nil || len(out) != 0 {
		t.Fatalf("no batches: got %d batches, error %v", len(out), err)
	}
}
