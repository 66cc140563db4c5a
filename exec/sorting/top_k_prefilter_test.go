package sorting

import (
	"encoding/binary"
	"math/rand/v2"
	"testing"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/memory"

	"lakeframe/exec/exectest"
)

// TestPrefilterMatchesEncoding checks that the prefilter's 8-byte prefixes
// and key lengths agree with the bytes the encoder writes, for each
// direction, with nulls, 0x00 bytes and values shorter and longer than a
// chunk.
func TestPrefilterMatchesEncoding(t *testing.T) {
	r := rand.New(rand.NewPCG(9, 9))
	cols := randColumns()
	types := []arrow.DataType{
		arrow.BinaryTypes.String, arrow.BinaryTypes.LargeBinary, arrow.PrimitiveTypes.Int8,
		arrow.PrimitiveTypes.Int32, arrow.PrimitiveTypes.Uint64, arrow.PrimitiveTypes.Float64,
		arrow.FixedWidthTypes.Boolean,
	}
	gens := map[arrow.Type]func() any{
		arrow.STRING: func() any { return string(randBytes(r)) + pick(r, "", "\x00", "0123456789\x00x") },
		arrow.LARGE_BINARY: func() any {
			return append(randBytes(r), pick(r, []byte{}, []byte{0, 0, 0, 0, 0, 0, 0, 0}, []byte("abcdefgh"))...)
		},
	}
	for _, c := range cols {
		if _, ok := gens[c.dt.ID()]; !ok {
			gens[c.dt.ID()] = func() any { return c.gen(r, 0) }
		}
	}
	for _, dt := range types {
		var vals []any
		for range 300 {
			if r.IntN(5) == 0 {
				vals = append(vals, nil)
			} else {
				vals = append(vals, gens[dt.ID()]())
			}
		}
		arr := exectest.NewArray(t, memory.DefaultAllocator, dt, vals...)
		for _, k := range []Key{asc, desc, ascNullsFirst, descNullFirst} {
			enc, err := newRowEncoder([]Key{k}, []arrow.DataType{dt})
			if err != nil {
				t.Fatal(err)
			}
			rows := newEncodedRows()
			enc.appendRows(rows, []arrow.Array{arr}, arr.Len(), nil)
			p := newPrefilter(dt, k, enc.cols[0])
			prefixes := make([]uint64, arr.Len())
			p.prefix(arr, k, prefixes, p)
			for i := range arr.Len() {
				row := rows.row(uint32(i))
				if n := enc.cols[0].keyLen(row, k); n != len(row) {
					t.Fatalf("%s %s row %d (%q): key length %d, encoded %d bytes", dt, k, i, vals[i], n, len(row))
				}
				var want [8]byte
				copy(want[:], row)
				if prefixes[i] != binary.BigEndian.Uint64(want[:]) {
					t.Fatalf("%s %s row %d (%q): prefix %x, encoding starts %x", dt, k, i, vals[i], prefixes[i], want)
				}
			}
		}
		arr.Release()
	}
}
