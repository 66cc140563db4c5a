package iceberg

import (
	"context"
	"fmt"
	"math/rand/v2"
	"path/filepath"
	"testing"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"
	"github.com/apache/arrow-go/v18/parquet/pqarrow"
	"github.com/apache/iceberg-go/table"
)

// TestPartitionFanoutBound: with more partitions than open files allowed
// (NULL, the empty string and "null" among them, as distinct partitions),
// the fan-out never holds more files open than the bound, rolls evicted
// partitions into new files, and every file holds exactly the rows of its
// partition, as counted, with no Arrow memory left.
func TestPartitionFanoutBound(t *testing.T) {
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)
	ctx := context.Background()
	dir := t.TempDir()
	cat, err := OpenCatalog(ctx, "sqlite://"+filepath.Join(dir, "cat.db"), map[string]string{"warehouse": "file://" + dir})
	if err != nil {
		t.Fatal(err)
	}
	sc := arrow.NewSchema([]arrow.Field{
		{Name: "id", Type: arrow.PrimitiveTypes.Int64},
		{Name: "s", Type: arrow.BinaryTypes.String, Nullable: true},
	}, nil)
	tbl, err := CreateTable(ctx, cat, table.Identifier{"lake", "fan"}, sc, WithPartitioning(Identity("s")))
	if err != nil {
		t.Fatal(err)
	}
	s, err := newDataFileSettings(ctx, tbl, 0, 0, mem)
	if err != nil {
		t.Fatal(err)
	}
	s.maxOpen = 3
	fan, err := newPartitionFanout(s, 1000)
	if err != nil {
		t.Fatal(err)
	}
	conv, err := newToFileSchema(tbl, s, sc)
	if err != nil {
		t.Fatal(err)
	}
	// Partition keys: NULL is nil, the others their string.
	keys := []*string{nil, ptrTo(""), ptrTo("null"), ptrTo("a"), ptrTo("b"), ptrTo("c"), ptrTo("d/e f")}
	want := map[string]int64{}
	keyName := func(k *string) string {
		if k == nil {
			return "<NULL>"
		}
		return fmt.Sprintf("%q", *k)
	}
	rng := rand.New(rand.NewPCG(3, 4))
	id := int64(0)
	for range 20 {
		b := array.NewRecordBuilder(mem, sc)
		for range 50 {
			k := keys[rng.IntN(len(keys))]
			b.Field(0).(*array.Int64Builder).Append(id)
			id++
			if k == nil {
				b.Field(1).AppendNull()
			} else {
				b.Field(1).(*array.StringBuilder).Append(*k)
			}
			want[keyName(k)]++
		}
		rec := b.NewRecordBatch()
		b.Release()
		frec, err := conv.convert(ctx, rec)
		rec.Release()
		if err != nil {
			t.Fatal(err)
		}
		err = fan.write(ctx, frec)
		frec.Release()
		if err != nil {
			t.Fatal(err)
		}
		if len(fan.open) > s.maxOpen {
			t.Fatalf("%d files open, bound %d", len(fan.open), s.maxOpen)
		}
	}
	files, err := fan.close()
	if err != nil {
		t.Fatal(err)
	}
	if len(files) <= len(keys) {
		t.Errorf("%d files for %d partitions with 3 open at most: evicted partitions did not roll", len(files), len(keys))
	}
	got := map[string]int64{}
	fsys, err := tbl.FS(ctx)
	if err != nil {
		t.Fatal(err)
	}
	spec := tbl.Spec()
	fieldID := spec.Field(0).FieldID
	for _, df := range files {
		v := df.Partition()[fieldID]
		var k *string
		if v != nil {
			str := v.(string)
			k = &str
		}
		// The file's rows all belong to its partition.
		path := df.FilePath()
		f, err := fsys.Open(path)
		if err != nil {
			t.Fatal(err)
		}
		rows, err := pqarrow.ReadTable(ctx, f, nil, pqarrow.ArrowReadProperties{}, mem)
		f.Close()
		if err != nil {
			t.Fatal(err)
		}
		if rows.NumRows() != df.Count() {
			t.Errorf("%s: %d rows, record_count %d", path, rows.NumRows(), df.Count())
		}
		col := rows.Column(1).Data()
		for _, chunk := range col.Chunks() {
			strs := chunk.(*array.String)
			for i := range strs.Len() {
				if strs.IsNull(i) != (k == nil) || (k != nil && strs.Value(i) != *k) {
					t.Errorf("%s (partition %s) holds %q", path, keyName(k), strs.ValueStr(i))
					break
				}
			}
		}
		rows.Release()
		got[keyName(k)] += df.Count()
	}
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("rows per partition %v, want %v", got, want)
	}
}
