//go:build cgo

package parquet

import (
	"bytes"
	"context"
	"encoding/binary"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"
	"github.com/apache/arrow-go/v18/parquet/pqarrow"

	"lakeframe/errs"
	st "lakeframe/exec/source/sourcetest"
	"lakeframe/plan"
)

// TestFooterMiscountingRows: a file whose footer says its row group holds
// 127 rows when its pages hold 100 must not answer count(*) one way and a
// scan another: the scan fails naming the file.
func TestFooterMiscountingRows(t *testing.T) {
	path := filepath.Join(t.TempDir(), "miscount.parquet")
	schema := arrow.NewSchema([]arrow.Field{{Name: "x", Type: arrow.PrimitiveTypes.Int64}}, nil)
	b := array.NewInt64Builder(memory.DefaultAllocator)
	for i := range 100 {
		b.Append(int64(i) * 1000)
	}
	col := b.NewArray()
	b.Release()
	tbl := array.NewTableFromSlice(schema, [][]arrow.Array{{col}})
	col.Release()
	var buf bytes.Buffer
	if err := pqarrow.WriteTable(tbl, &buf, 1000, nil, pqarrow.DefaultWriterProps()); err != nil {
		t.Fatal(err)
	}
	tbl.Release()
	data := buf.Bytes()
	// The footer's num_rows fields (thrift compact i64 field 3 after field
	// 2: header 0x16) hold 100 (zigzag varint C8 01); make them 127.
	footerLen := int(binary.LittleEndian.Uint32(data[len(data)-8:]))
	footer := data[len(data)-8-footerLen : len(data)-8]
	if n := bytes.Count(footer, []byte{0x16, 0xC8, 0x01}); n == 0 {
		t.Fatal("found no num_rows field to corrupt")
	}
	copy(footer, bytes.ReplaceAll(footer, []byte{0x16, 0xC8, 0x01}, []byte{0x16, 0xFE, 0x01}))
	if err := os.WriteFile(path, data, 0o644); err != nil {
		t.Fatal(err)
	}

	src, err := NewSource(context.Background(), []string{path}, Options{})
	if err != nil {
		t.Fatal(err)
	}
	count, ok, err := src.CountRows(context.Background(), plan.Pushdown{Limit: -1})
	if err != nil || !ok {
		t.Fatalf("count from footer: %d %v %v", count, ok, err)
	}
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)
	recs, _, err := st.Scan(t, src, plan.Pushdown{Columns: []string{"x"}, Limit: -1}, mem, 64)
	defer st.Release(recs)
	if err == nil {
		var n int64
		for _, r := range recs {
			n += r.NumRows()
		}
		if n != count {
			t.Fatalf("count(*) from the footer says %d, a scan returns %d rows without error", count, n)
		}
		return
	}
	if !errors.Is(err, errs.ErrExec) || !strings.Contains(err.Error(), path) {
		t.Errorf("scan error %v, want an execution error naming %s", err, path)
	}
}
