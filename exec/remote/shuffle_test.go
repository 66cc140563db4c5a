package remote

import (
	"bytes"
	"context"
	"math"
	"os"
	"slices"
	"testing"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"

	"lakeframe/expr"
)

func hashesOf(t *testing.T, cols ...arrow.Array) []uint64 {
	t.Helper()
	out := make([]uint64, cols[0].Len())
	if err := shuffleHash(cols, len(out), out); err != nil {
		t.Fatal(err)
	}
	return out
}

// TestShuffleHashEqualKeysAgree: equal values hash alike wherever they
// sit in their buffers, NULLs hash alike whatever their slot holds, and
// -0/0 and NaNs meet as the join matches them.
func TestShuffleHashEqualKeysAgree(t *testing.T) {
	mem := memory.NewCheckedAllocator(memory.DefaultAllocator)
	defer mem.AssertSize(t, 0)

	ib := array.NewInt64Builder(mem)
	ib.AppendValues([]int64{99, 98, 1, 2, 3, 77}, []bool{true, true, true, true, true, false})
	wide := ib.NewInt64Array()
	defer wide.Release()
	sliced := array.NewSlice(wide, 2, 6)
	defer sliced.Release()
	ib.AppendValues([]int64{1, 2, 3, 55}, []bool{true, true, true, false})
	plain := ib.NewInt64Array()
	defer plain.Release()
	if a, b := hashesOf(t, sliced), hashesOf(t, plain); !slices.Equal(a, b) {
		t.Fatalf("int64 hashes differ with an offset or under NULLs: %v vs %v", a, b)
	}

	fb := array.NewFloat64Builder(mem)
	fb.AppendValues([]float64{0, math.NaN(), 1.5}, nil)
	f1 := fb.NewFloat64Array()
	defer f1.Release()
	fb.AppendValues([]float64{math.Copysign(0, -1), math.Float64frombits(0x7ff8000000000abc), 1.5}, nil)
	f2 := fb.NewFloat64Array()
	defer f2.Release()
	if a, b := hashesOf(t, f1), hashesOf(t, f2); !slices.Equal(a, b) {
		t.Fatalf("float hashes differ for -0/0 or NaNs: %v vs %v", a, b)
	}

	sb := array.NewStringBuilder(mem)
	sb.AppendValues([]string{"zz", "a", "", "bc"}, []bool{true, true, true, false})
	s1 := sb.NewStringArray()
	defer s1.Release()
	s1s := array.NewSlice(s1, 1, 4)
	defer s1s.Release()
	sb.AppendValues([]string{"a", "", "other"}, []bool{true, true, false})
	s2 := sb.NewStringArray()
	defer s2.Release()
	i1 := array.NewSlice(sliced, 0, 3)
	defer i1.Release()
	i2 := array.NewSlice(plain, 0, 3)
	defer i2.Release()
	if a, b := hashesOf(t, s1s, i1), hashesOf(t, s2, i2); !slices.Equal(a, b) {
		t.Fatalf("two-column hashes differ: %v vs %v", a, b)
	}
}

func TestShuffleHashSpreadsKeys(t *testing.T) {
	mem := memory.NewCheckedAllocator(memory.DefaultAllocator)
	defer mem.AssertSize(t, 0)
	ib := array.NewInt64Builder(mem)
	for i := range 1000 {
		ib.Append(int64(i))
	}
	a := ib.NewInt64Array()
	defer a.Release()
	counts := make([]int, 8)
	for _, h := range hashesOf(t, a) {
		counts[h%8]++
	}
	for p, c := range counts {
		if c < 60 {
			t.Fatalf("partition %d got %d of 1000 keys: %v", p, c, counts)
		}
	}
}

// TestShuffleStoreSpillsAndCleansUp: past the budget chunks go to a file,
// read back in order; a discarded attempt is never read; close removes
// the file.
func TestShuffleStoreSpillsAndCleansUp(t *testing.T) {
	dir := t.TempDir()
	var stats Stats
	s := newShuffleStore(2, 8, dir, &stats)
	a := s.begin()
	for _, c := range []string{"hello", "world", "!"} {
		if err := a.add(0, []byte(c)); err != nil {
			t.Fatal(err)
		}
	}
	if err := a.add(1, []byte("p1")); err != nil {
		t.Fatal(err)
	}
	bad := s.begin()
	if err := bad.add(0, []byte("lost output")); err != nil {
		t.Fatal(err)
	}
	bad.discard()
	a.commit()
	read := func(p int) string {
		var buf bytes.Buffer
		for _, st := range s.streams(p) {
			if err := s.read(st, func(b []byte) error { buf.Write(b); return nil }); err != nil {
				t.Fatal(err)
			}
		}
		return buf.String()
	}
	if got := read(0); got != "helloworld!" {
		t.Fatalf("partition 0 reads %q", got)
	}
	if got := read(1); got != "p1" {
		t.Fatalf("partition 1 reads %q", got)
	}
	if stats.SpilledBytes() == 0 {
		t.Fatalf("nothing spilled past an 8-byte budget")
	}
	files, _ := os.ReadDir(dir)
	if len(files) != 1 {
		t.Fatalf("want one spill file, got %v", files)
	}
	s.release(0)
	if len(s.streams(0)) != 0 {
		t.Fatalf("partition 0 still held after release")
	}
	if err := s.close(); err != nil {
		t.Fatal(err)
	}
	if files, _ := os.ReadDir(dir); len(files) != 0 {
		t.Fatalf("spill files left after close: %v", files)
	}
	if err := s.begin().add(0, []byte("late")); err == nil {
		t.Fatalf("a closed store took data")
	}
}

// TestShuffleWriterPartitionsRows: every row comes out of exactly one
// partition's IPC stream, and all rows of a key in the same one.
func TestShuffleWriterPartitionsRows(t *testing.T) {
	mem := memory.NewCheckedAllocator(memory.DefaultAllocator)
	defer mem.AssertSize(t, 0)
	schema := arrow.NewSchema([]arrow.Field{
		{Name: "k", Type: arrow.BinaryTypes.String, Nullable: true},
		{Name: "n", Type: arrow.PrimitiveTypes.Int64},
	}, nil)
	b := array.NewRecordBuilder(mem, schema)
	defer b.Release()
	var want []int64
	const parts = 5
	streams := make([]bytes.Buffer, parts)
	w, err := newShuffleWriter(mem, schema, []expr.Node{&expr.Column{Name: "k"}}, parts, "lz4", func(p int, data []byte) error {
		streams[p].Write(data)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	for batch := range 3 {
		for i := range 500 {
			n := int64(batch*500 + i)
			if n%9 == 0 {
				b.Field(0).AppendNull()
			} else {
				b.Field(0).(*array.StringBuilder).Append(string(rune('a' + n%26)))
			}
			b.Field(1).(*array.Int64Builder).Append(n)
			want = append(want, n)
		}
		rec := b.NewRecordBatch()
		err := w.write(context.Background(), rec)
		rec.Release()
		if err != nil {
			t.Fatal(err)
		}
	}
	if err := w.close(); err != nil {
		t.Fatal(err)
	}
	var got []int64
	home := map[string]int{}
	for p := range streams {
		if streams[p].Len() == 0 {
			continue
		}
		batches, err := readIPC(mem, schema, &streams[p])
		if err != nil {
			t.Fatal(err)
		}
		for _, rec := range batches {
			k, n := rec.Column(0).(*array.String), rec.Column(1).(*array.Int64)
			for i := range int(rec.NumRows()) {
				key := "NULL"
				if k.IsValid(i) {
					key = k.Value(i)
				}
				if q, ok := home[key]; ok && q != p {
					t.Fatalf("key %s in partitions %d and %d", key, q, p)
				}
				home[key] = p
				got = append(got, n.Value(i))
			}
			rec.Release()
		}
	}
	slices.Sort(got)
	if !slices.Equal(got, want) {
		t.Fatalf("got %d rows back, wrote %d", len(got), len(want))
	}
	used := map[int]bool{}
	for _, p := range home {
		used[p] = true
	}
	if len(used) < 3 {
		t.Fatalf("27 keys landed in %d of %d partitions", len(used), parts)
	}
}
