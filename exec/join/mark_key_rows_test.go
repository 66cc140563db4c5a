package join

import (
	"slices"
	"testing"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/memory"

	"lakeframe/exec/exectest"
)

// TestMarkKeyRows probes a table, marks the key ids of the probe rows that
// matched and checks which build rows MarkKeyRows marks; the expected rows
// are read off the data by hand.
func TestMarkKeyRows(t *testing.T) {
	i64 := arrow.PrimitiveTypes.Int64
	cases := []struct {
		name  string
		build []any
		probe []any
		want  []int // build rows with a matching probe row
	}{
		{"duplicates and nulls", []any{int64(1), nil, int64(2), int64(1), int64(3), nil, int64(2)}, []any{int64(2), nil, int64(9), int64(2)}, []int{2, 6}},
		{"unique with nulls", []any{nil, int64(5), int64(7), nil, int64(8)}, []any{int64(8), int64(5), nil}, []int{1, 4}},
		{"unique identity", []any{int64(10), int64(11), int64(12)}, []any{int64(12), int64(10)}, []int{0, 2}},
		{"no match", []any{int64(1), int64(1)}, []any{int64(2), nil}, nil},
		{"all keys null", []any{nil, nil}, []any{int64(1)}, nil},
		{"empty probe", []any{int64(1), int64(2)}, nil, nil},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
			defer mem.AssertSize(t, 0)
			b := exectest.NewArray(t, mem, i64, c.build...)
			defer b.Release()
			p := exectest.NewArray(t, mem, i64, c.probe...)
			defer p.Release()
			tbl, err := Build(mem, []arrow.DataType{i64}, [][]arrow.Array{{b}})
			if err != nil {
				t.Fatal(err)
			}
			defer tbl.Release()
			ids, err := tbl.NewProber().Lookup([]arrow.Array{p}, p.Len())
			if err != nil {
				t.Fatal(err)
			}
			keys := make([]uint64, (tbl.Keys()+63)/64)
			for _, id := range ids {
				if id != NoMatch {
					keys[id>>6] |= 1 << (id & 63)
				}
			}
			rows := make([]uint64, (tbl.Rows()+63)/64)
			tbl.MarkKeyRows(keys, rows)
			var got []int
			for r := range tbl.Rows() {
				if rows[r>>6]&(1<<(r&63)) != 0 {
					got = append(got, r)
				}
			}
			if !slices.Equal(got, c.want) {
				t.Errorf("marked rows %v, want %v", got, c.want)
			}
		})
	}
}

// TestMarkKeyRowsCross marks the one key of a table without keys: every
// build row.
func TestMarkKeyRowsCross(t *testing.T) {
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)
	tbl, err := BuildCross(mem, 70)
	if err != nil {
		t.Fatal(err)
	}
	defer tbl.Release()
	rows := make([]uint64, 2)
	tbl.MarkKeyRows([]uint64{1}, rows)
	if rows[0] != ^uint64(0) || rows[1] != 1<<6-1 {
		t.Errorf("marked words %x, want all 70 rows", rows)
	}
}
