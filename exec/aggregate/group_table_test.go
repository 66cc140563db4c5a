package aggregate

import (
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"

	"lakeframe/errs"
	"lakeframe/exec/exectest"
)

var (
	tsUTC  = &arrow.TimestampType{Unit: arrow.Microsecond, TimeZone: "UTC"}
	dec102 = &arrow.Decimal128Type{Precision: 10, Scale: 2}
)

func TestGroupTableSmall(t *testing.T) {
	otherNaN := math.Float64frombits(0x7ff8000000000001)
	long := "abcdefghijklmnopqrstuvwxyz"
	type batch struct {
		cols [][]any // one slice of values per key column
		ids  []uint32
	}
	tests := []struct {
		name    string
		types   []arrow.DataType
		batches []batch
		keys    [][]string // per key column, by group id
	}{
		{
			name:  "int64 with nulls over two batches",
			types: []arrow.DataType{arrow.PrimitiveTypes.Int64},
			batches: []batch{
				{[][]any{{5, nil, 5, -1, nil}}, []uint32{0, 1, 0, 2, 1}},
				{[][]any{{-1, 7, 5}}, []uint32{2, 3, 0}},
			},
			keys: [][]string{{"5", "NULL", "-1", "7"}},
		},
		{
			name:    "int32",
			types:   []arrow.DataType{arrow.PrimitiveTypes.Int32},
			batches: []batch{{[][]any{{3, 3, 1, -7}}, []uint32{0, 0, 1, 2}}},
			keys:    [][]string{{"3", "1", "-7"}},
		},
		{
			name:    "int8 extremes and null",
			types:   []arrow.DataType{arrow.PrimitiveTypes.Int8},
			batches: []batch{{[][]any{{-128, 127, nil, -128, 0, -1}}, []uint32{0, 1, 2, 0, 3, 4}}},
			keys:    [][]string{{"-128", "127", "NULL", "0", "-1"}},
		},
		{
			name:    "uint8",
			types:   []arrow.DataType{arrow.PrimitiveTypes.Uint8},
			batches: []batch{{[][]any{{255, 0, 255, nil}}, []uint32{0, 1, 0, 2}}},
			keys:    [][]string{{"255", "0", "NULL"}},
		},
		{
			name:    "int16 and uint16",
			types:   []arrow.DataType{arrow.PrimitiveTypes.Int16, arrow.PrimitiveTypes.Uint16},
			batches: []batch{{[][]any{{-1, -1, 300, -1}, {65535, 65535, 0, 0}}, []uint32{0, 0, 1, 2}}},
			keys:    [][]string{{"-1", "300", "-1"}, {"65535", "0", "0"}},
		},
		{
			name:    "uint32 and uint64",
			types:   []arrow.DataType{arrow.PrimitiveTypes.Uint32, arrow.PrimitiveTypes.Uint64},
			batches: []batch{{[][]any{{4294967295, 4294967295, 1}, {uint64(math.MaxUint64), uint64(math.MaxUint64), nil}}, []uint32{0, 0, 1}}},
			keys:    [][]string{{"4294967295", "1"}, {"18446744073709551615", "NULL"}},
		},
		{
			name:    "bool",
			types:   []arrow.DataType{arrow.FixedWidthTypes.Boolean},
			batches: []batch{{[][]any{{true, nil, false, true, nil}}, []uint32{0, 1, 2, 0, 1}}},
			keys:    [][]string{{"true", "NULL", "false"}},
		},
		{
			name:  "float64 zero signs and NaN payloads",
			types: []arrow.DataType{arrow.PrimitiveTypes.Float64},
			batches: []batch{{[][]any{{0.0, math.Copysign(0, -1), math.NaN(), otherNaN, 1.5, nil, -1.5}},
				[]uint32{0, 0, 1, 1, 2, 3, 4}}},
			keys: [][]string{{"0", "NaN", "1.5", "NULL", "-1.5"}},
		},
		{
			name:    "float32",
			types:   []arrow.DataType{arrow.PrimitiveTypes.Float32},
			batches: []batch{{[][]any{{math.Copysign(0, -1), 0.0, math.NaN(), 2.25, math.NaN()}}, []uint32{0, 0, 1, 2, 1}}},
			keys:    [][]string{{"0", "NaN", "2.25"}},
		},
		{
			name:  "string short, long, empty and null",
			types: []arrow.DataType{arrow.BinaryTypes.String},
			batches: []batch{
				{[][]any{{"", nil, "a", "abcdefgh", "abcdefg", "", "abcdefgh", "a", long, nil}},
					[]uint32{0, 1, 2, 3, 4, 0, 3, 2, 5, 1}},
				{[][]any{{"a\x00", long, "abcdefgh\x00", "a"}}, []uint32{6, 5, 7, 2}},
			},
			keys: [][]string{{"", "NULL", "a", "abcdefgh", "abcdefg", long, "a\x00", "abcdefgh\x00"}},
		},
		{
			name:    "large string",
			types:   []arrow.DataType{arrow.BinaryTypes.LargeString},
			batches: []batch{{[][]any{{long, "x", nil, long, "x"}}, []uint32{0, 1, 2, 0, 1}}},
			keys:    [][]string{{long, "x", "NULL"}},
		},
		{
			name:    "binary",
			types:   []arrow.DataType{arrow.BinaryTypes.Binary},
			batches: []batch{{[][]any{{"x", "\x00\x01", nil, "x", ""}}, []uint32{0, 1, 2, 0, 3}}},
			keys:    [][]string{{"x", "\x00\x01", "NULL", ""}},
		},
		{
			name:    "fixed size binary short",
			types:   []arrow.DataType{&arrow.FixedSizeBinaryType{ByteWidth: 3}},
			batches: []batch{{[][]any{{"abc", "abd", "abc", nil, "\x00\x00\x00"}}, []uint32{0, 1, 0, 2, 3}}},
			keys:    [][]string{{"abc", "abd", "NULL", "\x00\x00\x00"}},
		},
		{
			name:    "fixed size binary long",
			types:   []arrow.DataType{&arrow.FixedSizeBinaryType{ByteWidth: 10}},
			batches: []batch{{[][]any{{"0123456789", nil, "0123456780", "0123456789", nil}}, []uint32{0, 1, 2, 0, 1}}},
			keys:    [][]string{{"0123456789", "NULL", "0123456780"}},
		},
		{
			name:    "date32 and date64",
			types:   []arrow.DataType{arrow.FixedWidthTypes.Date32, arrow.FixedWidthTypes.Date64},
			batches: []batch{{[][]any{{19000, 19000, nil, 19000}, {86400000, 86400000, 0, 0}}, []uint32{0, 0, 1, 2}}},
			keys:    [][]string{{"2022-01-08", "NULL", "2022-01-08"}, {"1970-01-02", "1970-01-01", "1970-01-01"}},
		},
		{
			name:    "timestamp with zone",
			types:   []arrow.DataType{tsUTC},
			batches: []batch{{[][]any{{1_000_000, nil, 1_000_000, 2_000_000}}, []uint32{0, 1, 0, 2}}},
			keys:    [][]string{{"1970-01-01T00:00:01Z", "NULL", "1970-01-01T00:00:02Z"}},
		},
		{
			name:    "decimal128",
			types:   []arrow.DataType{dec102},
			batches: []batch{{[][]any{{12345, -12345, 12345, nil, 0}}, []uint32{0, 1, 0, 2, 3}}},
			keys:    [][]string{{"123.45", "-123.45", "NULL", "0"}},
		},
		{
			name:  "string and int64 with nulls in both",
			types: []arrow.DataType{arrow.BinaryTypes.String, arrow.PrimitiveTypes.Int64},
			batches: []batch{
				{[][]any{{"A", "A", "B", "A", nil, nil, "A", nil}, {1, 2, 1, 1, 1, nil, nil, nil}},
					[]uint32{0, 1, 2, 0, 3, 4, 5, 4}},
				{[][]any{{"B", "A"}, {2, nil}}, []uint32{6, 5}},
			},
			keys: [][]string{{"A", "A", "B", "NULL", "NULL", "A", "B"}, {"1", "2", "1", "1", "NULL", "NULL", "2"}},
		},
		{
			name: "bool, string and float64",
			types: []arrow.DataType{arrow.FixedWidthTypes.Boolean, arrow.BinaryTypes.String,
				arrow.PrimitiveTypes.Float64},
			batches: []batch{{[][]any{
				{true, true, false, true, nil, true},
				{"x", "x", "x", "y", "x", "x"},
				{1.0, 1.0, 1.0, 1.0, 1.0, math.Copysign(0, -1)},
			}, []uint32{0, 0, 1, 2, 3, 4}}},
			keys: [][]string{{"true", "false", "true", "NULL", "true"}, {"x", "x", "y", "x", "x"}, {"1", "1", "1", "1", "0"}},
		},
	}
	for _, tc := range tests {
		for _, sliced := range []bool{false, true} {
			t.Run(fmt.Sprintf("%s/sliced=%v", tc.name, sliced), func(t *testing.T) {
				mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
				defer mem.AssertSize(t, 0)
				gt, err := NewGroupTable(mem, tc.types)
				if err != nil {
					t.Fatal(err)
				}
				defer gt.Release()
				var ids []uint32
				for bi, b := range tc.batches {
					keys := make([]arrow.Array, len(b.cols))
					for c, vals := range b.cols {
						keys[c] = newKeyArray(t, mem, tc.types[c], vals, sliced)
					}
					ids, err = gt.Insert(keys, ids)
					exectest.ReleaseAll(keys)
					if err != nil {
						t.Fatal(err)
					}
					if fmt.Sprint(ids) != fmt.Sprint(b.ids) {
						t.Errorf("batch %d: ids %v, want %v", bi, ids, b.ids)
					}
				}
				if gt.Len() != len(tc.keys[0]) {
					t.Errorf("Len() = %d, want %d", gt.Len(), len(tc.keys[0]))
				}
				keys, err := gt.Keys()
				if err != nil {
					t.Fatal(err)
				}
				defer exectest.ReleaseAll(keys)
				for c, want := range tc.keys {
					if !arrow.TypeEqual(keys[c].DataType(), tc.types[c]) {
						t.Errorf("key %d has type %s, want %s", c, keys[c].DataType(), tc.types[c])
					}
					if got := exectest.Render(keys[c]); !slices.Equal(got, want) {
						t.Errorf("key %d = %q, want %q", c, got, want)
					}
				}
			})
		}
	}
}

// newKeyArray builds vals as an array; sliced builds three copies and
// returns a slice of the middle one, so that offsets are exercised.
func newKeyArray(t *testing.T, mem memory.Allocator, dt arrow.DataType, vals []any, sliced bool) arrow.Array {
	if !sliced {
		return exectest.NewArray(t, mem, dt, vals...)
	}
	all := append(append(append([]any{}, vals...), vals...), vals...)
	full := exectest.NewArray(t, mem, dt, all...)
	defer full.Release()
	return array.NewSlice(full, int64(len(vals)), int64(2*len(vals)))
}

func TestGroupTableZeroKeys(t *testing.T) {
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)
	gt, err := NewGroupTable(mem, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer gt.Release()
	if gt.Len() != 1 {
		t.Fatalf("Len() = %d before any row, want 1", gt.Len())
	}
	ids, err := gt.InsertRows(4, nil, []uint32{7, 7})
	if err != nil {
		t.Fatal(err)
	}
	if fmt.Sprint(ids) != "[0 0 0 0]" {
		t.Errorf("InsertRows ids = %v", ids)
	}
	ids, err = gt.Insert(nil, []uint32{9, 9, 9})
	if err != nil {
		t.Fatal(err)
	}
	if fmt.Sprint(ids) != "[0 0 0]" {
		t.Errorf("Insert ids = %v", ids)
	}
	keys, err := gt.Keys()
	if err != nil || len(keys) != 0 {
		t.Errorf("Keys() = %v, %v; want none", keys, err)
	}
}

func TestGroupTableErrors(t *testing.T) {
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)
	if _, err := NewGroupTable(mem, []arrow.DataType{arrow.ListOf(arrow.PrimitiveTypes.Int64)}); !errors.Is(err, errs.ErrNotImplemented) {
		t.Errorf("list key: err = %v, want ErrNotImplemented", err)
	}
	gt, err := NewGroupTable(mem, []arrow.DataType{arrow.PrimitiveTypes.Int64, arrow.BinaryTypes.String})
	if err != nil {
		t.Fatal(err)
	}
	defer gt.Release()
	i32 := exectest.NewArray(t, mem, arrow.PrimitiveTypes.Int32, 1, 2)
	i64 := exectest.NewArray(t, mem, arrow.PrimitiveTypes.Int64, 1, 2)
	i64short := exectest.NewArray(t, mem, arrow.PrimitiveTypes.Int64, 1)
	str := exectest.NewArray(t, mem, arrow.BinaryTypes.String, "a", "b")
	defer exectest.ReleaseAll([]arrow.Array{i32, i64, i64short, str})
	for name, keys := range map[string][]arrow.Array{
		"wrong type":    {i32, str},
		"wrong count":   {i64},
		"wrong lengths": {i64short, str},
	} {
		if _, err := gt.Insert(keys, nil); !errors.Is(err, errs.ErrInternal) {
			t.Errorf("%s: err = %v, want ErrInternal", name, err)
		}
	}
}

// keyGen produces random key columns and, independently, the text of each
// row's key tuple for the reference.
type keyGen struct {
	dt  arrow.DataType
	gen func(r *rand.Rand) any // nil for NULL
}

func TestGroupTableManyGroups(t *testing.T) {
	const rows, batchSize = 300_000, 4096
	words := make([]string, 2000)
	for i := range words {
		words[i] = strings.Repeat(string(rune('a'+i%26)), 1+i%13) + fmt.Sprint(i)
	}
	nullable := func(p float64, g func(r *rand.Rand) any) func(r *rand.Rand) any {
		return func(r *rand.Rand) any {
			if r.Float64() < p {
				return nil
			}
			return g(r)
		}
	}
	tests := []struct {
		name string
		gens []keyGen
	}{
		{"int64", []keyGen{{arrow.PrimitiveTypes.Int64, nullable(0.01, func(r *rand.Rand) any { return r.Int64N(100_000) - 50_000 })}}},
		{"timestamp", []keyGen{{tsUTC, func(r *rand.Rand) any { return int(r.Int64N(100_000) * 1_000_000_000) }}}},
		{"string", []keyGen{{arrow.BinaryTypes.String, nullable(0.01, func(r *rand.Rand) any { return fmt.Sprintf("k%d", r.IntN(100_000)) })}}},
		{"string, int32, float64", []keyGen{
			{arrow.BinaryTypes.String, nullable(0.05, func(r *rand.Rand) any { return words[r.IntN(len(words))] })},
			{arrow.PrimitiveTypes.Int32, nullable(0.05, func(r *rand.Rand) any { return r.IntN(50) })},
			{arrow.PrimitiveTypes.Float64, func(r *rand.Rand) any { return float64(r.IntN(4)) / 2 }},
		}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
			defer mem.AssertSize(t, 0)
			r := rand.New(rand.NewPCG(1, 2))
			types := make([]arrow.DataType, len(tc.gens))
			for i, g := range tc.gens {
				types[i] = g.dt
			}
			gt, err := NewGroupTable(mem, types)
			if err != nil {
				t.Fatal(err)
			}
			defer gt.Release()
			// The reference numbers tuples by first appearance in a map.
			ref := map[string]uint32{}
			var refKeys []string
			var ids []uint32
			for start := 0; start < rows; start += batchSize {
				n := min(batchSize, rows-start)
				cols := make([][]any, len(tc.gens))
				tuples := make([]string, n)
				for i := range n {
					for c, g := range tc.gens {
						v := g.gen(r)
						cols[c] = append(cols[c], v)
						if v == nil {
							tuples[i] += "NULL|"
						} else {
							tuples[i] += fmt.Sprint(v) + "|"
						}
					}
				}
				keys := make([]arrow.Array, len(cols))
				for c := range cols {
					keys[c] = exectest.NewArray(t, mem, types[c], cols[c]...)
				}
				ids, err = gt.Insert(keys, ids)
				exectest.ReleaseAll(keys)
				if err != nil {
					t.Fatal(err)
				}
				for i, tup := range tuples {
					want, ok := ref[tup]
					if !ok {
						want = uint32(len(refKeys))
						ref[tup] = want
						refKeys = append(refKeys, tup)
					}
					if ids[i] != want {
						t.Fatalf("row %d (%s): id %d, want %d", start+i, tup, ids[i], want)
					}
				}
			}
			if gt.Len() != len(refKeys) {
				t.Fatalf("Len() = %d, want %d", gt.Len(), len(refKeys))
			}
			keys, err := gt.Keys()
			if err != nil {
				t.Fatal(err)
			}
			defer exectest.ReleaseAll(keys)
			for g, want := range refKeys {
				got := ""
				for c, k := range keys {
					switch {
					case k.IsNull(g):
						got += "NULL|"
					case types[c].ID() == arrow.TIMESTAMP:
						got += fmt.Sprint(k.(*array.Timestamp).Value(g)) + "|"
					default:
						got += k.ValueStr(g) + "|"
					}
				}
				if got != want {
					t.Fatalf("group %d key %q, want %q", g, got, want)
				}
			}
		})
	}
}

// TestGroupTableTightBuffers uses string arrays whose data buffer ends
// right after the last value (as imported buffers may), so the short values
// near the end cannot be loaded eight bytes at a time and take the other
// path; they must still join the groups of the same values seen earlier.
func TestGroupTableTightBuffers(t *testing.T) {
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)
	tight := func(vals ...string) arrow.Array {
		var data []byte
		offs := []int32{0}
		for _, v := range vals {
			data = append(data, v...)
			offs = append(offs, int32(len(data)))
		}
		data = data[:len(data):len(data)]
		db := memory.NewBufferBytes(data)
		ob := memory.NewBufferBytes(arrow.GetBytes(offs))
		d := array.NewData(arrow.BinaryTypes.String, len(vals), []*memory.Buffer{nil, ob, db}, nil, 0, 0)
		defer d.Release()
		return array.MakeFromData(d)
	}
	gt, err := NewGroupTable(mem, []arrow.DataType{arrow.BinaryTypes.String})
	if err != nil {
		t.Fatal(err)
	}
	defer gt.Release()
	for _, batch := range [][]string{
		{"a", "bc", "a long value", "", "a", "bc"},
		{"a long value", "a", "", "bc", "a"},
	} {
		arr := tight(batch...)
		ids, err := gt.Insert([]arrow.Array{arr}, nil)
		arr.Release()
		if err != nil {
			t.Fatal(err)
		}
		want := map[string]uint32{"a": 0, "bc": 1, "a long value": 2, "": 3}
		for i, v := range batch {
			if ids[i] != want[v] {
				t.Errorf("%q: id %d, want %d", v, ids[i], want[v])
			}
		}
	}
	if gt.Len() != 4 {
		t.Errorf("%d groups, want 4", gt.Len())
	}
}
