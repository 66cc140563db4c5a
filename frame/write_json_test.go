//go:build cgo

package frame_test

import (
	"context"
	"path/filepath"
	"slices"
	"testing"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"

	"lakeframe/frame"
)

// TestWriteJSONReadByDuckDB writes JSON lines and has DuckDB read them
// with the columns typed as in the source: every value, NULLs and awkward
// strings included, must come back as DuckDB reads the source itself.
func TestWriteJSONReadByDuckDB(t *testing.T) {
	dir := t.TempDir()
	writeDiffData(t, dir, 2, 300, 17)
	glob := filepath.Join(dir, "*.parquet")
	out := filepath.Join(t.TempDir(), "rows.jsonl")
	if err := frame.ReadParquet(glob).WriteJSON(context.Background(), out); err != nil {
		t.Fatal(err)
	}
	db := openDuck(t)
	got := duckRows(t, db, "SELECT * FROM read_json('"+out+"', format='newline_delimited', columns={id: 'BIGINT', k: 'INTEGER', n: 'BIGINT', x: 'DOUBLE', s: 'VARCHAR', d: 'DATE', flag: 'BOOLEAN'})")
	want := duckRows(t, db, "SELECT * FROM read_parquet('"+glob+"')")
	slices.Sort(got)
	slices.Sort(want)
	if d := diffRows(got, want); d != "" {
		t.Fatal(d)
	}
}

// TestWriteJSONEscapes checks strings that need escaping, NaN and a
// timestamp against DuckDB's reading of the file.
func TestWriteJSONEscapes(t *testing.T) {
	schema := arrow.NewSchema([]arrow.Field{
		{Name: "s", Type: arrow.BinaryTypes.String, Nullable: true},
		{Name: "f", Type: arrow.PrimitiveTypes.Float64, Nullable: true},
		{Name: "ts", Type: &arrow.TimestampType{Unit: arrow.Microsecond, TimeZone: "UTC"}, Nullable: true},
	}, nil)
	b := array.NewRecordBuilder(memory.DefaultAllocator, schema)
	defer b.Release()
	b.Field(0).(*array.StringBuilder).AppendValues([]string{"quote \" back \\ slash", "tab\tnew\nline\x01", "ünï €", "", "x"}, []bool{true, true, true, true, false})
	b.Field(1).(*array.Float64Builder).AppendValues([]float64{1.5, 0, -2e-300, 3, 4}, nil)
	b.Field(2).(*array.TimestampBuilder).AppendValues([]arrow.Timestamp{1_700_000_000_123_456, 0, -1, 5, 6}, nil)
	rec := b.NewRecordBatch()
	defer rec.Release()
	tbl := array.NewTableFromRecords(schema, []arrow.RecordBatch{rec})
	defer tbl.Release()
	out := filepath.Join(t.TempDir(), "esc.jsonl")
	if err := frame.FromArrow(tbl).WriteJSON(context.Background(), out); err != nil {
		t.Fatal(err)
	}
	db := openDuck(t)
	got := duckRows(t, db, "SELECT s, f, epoch_us(ts) FROM read_json('"+out+"', format='newline_delimited', columns={s: 'VARCHAR', f: 'DOUBLE', ts: 'TIMESTAMPTZ'})")
	want := []string{"quote \" back \\ slash|1.5|1700000000123456", "tab\tnew\nline\x01|0|0", "ünï €|-2e-300|-1", "|3|5", "NULL|4|6"}
	if d := diffRows(got, want); d != "" {
		t.Fatal(d)
	}
	// lakeframe reads its own output back.
	back, err := frame.ReadJSON(out).Select("s").Collect(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	defer back.Release()
	if d := diffRows(tableRows(t, back), []string{"quote \" back \\ slash", "tab\tnew\nline\x01", "ünï €", "", "NULL"}); d != "" {
		t.Fatal(d)
	}
}
