package display

import (
	"bytes"
	"errors"
	"strings"
	"testing"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"

	"lakeframe/errs"
)

// column is one test column given as Arrow JSON.
type column struct {
	name string
	typ  arrow.DataType
	json string
}

// makeBatch builds a batch from JSON columns of equal length.
func makeBatch(t *testing.T, mem memory.Allocator, cols ...column) arrow.RecordBatch {
	t.Helper()
	fields := make([]arrow.Field, len(cols))
	arrs := make([]arrow.Array, len(cols))
	for i, c := range cols {
		a, _, err := array.FromJSON(mem, c.typ, strings.NewReader(c.json))
		if err != nil {
			t.Fatalf("column %s: %v", c.name, err)
		}
		defer a.Release()
		fields[i] = arrow.Field{Name: c.name, Type: c.typ, Nullable: true}
		arrs[i] = a
	}
	return array.NewRecordBatch(arrow.NewSchema(fields, nil), arrs, int64(arrs[0].Len()))
}

// The expected tables below were drawn from cell texts worked out by hand
// for each input value.
func TestWriteTableTypes(t *testing.T) {
	dec := &arrow.Decimal128Type{Precision: 5, Scale: 2}
	tests := []struct {
		name string
		cols []column
		want string
	}{
		{
			name: "numbers",
			cols: []column{
				{"b", arrow.FixedWidthTypes.Boolean, `[true, null, false]`},
				{"i8", arrow.PrimitiveTypes.Int8, `[-128, null, 127]`},
				{"u64", arrow.PrimitiveTypes.Uint64, `[18446744073709551615, null, 0]`},
				{"f32", arrow.PrimitiveTypes.Float32, `[0.1, null, 3]`},
				{"f64", arrow.PrimitiveTypes.Float64, `[1234567.125, null, 1e-7]`},
				{"dec", dec, `["-1.50", null, "999.99"]`},
			},
			want: `
╭───────┬──────┬──────────────────────┬─────────┬─────────────┬───────────────╮
│ b     │   i8 │                  u64 │     f32 │         f64 │           dec │
│ bool  │ int8 │               uint64 │ float32 │     float64 │ decimal(5, 2) │
├───────┼──────┼──────────────────────┼─────────┼─────────────┼───────────────┤
│ true  │ -128 │ 18446744073709551615 │     0.1 │ 1234567.125 │         -1.50 │
│ null  │ null │                 null │    null │        null │          null │
│ false │  127 │                    0 │     3.0 │       1e-07 │        999.99 │
╰───────┴──────┴──────────────────────┴─────────┴─────────────┴───────────────╯
(3 rows)
`,
		},
		{
			name: "text and binary",
			cols: []column{
				{"s", arrow.BinaryTypes.String, `["hello", null, "line1\nline2", "\u001b[31mred"]`},
				{"ls", arrow.BinaryTypes.LargeString, `["", null, "日本", "tab\there"]`},
				// Binary JSON is base64: 3q2+7w== is de ad be ef.
				{"bin", arrow.BinaryTypes.Binary, `["3q2+7w==", null, "", "AA=="]`},
				{"fsb", &arrow.FixedSizeBinaryType{ByteWidth: 2}, `["AAE=", null, "//8=", "AAA="]`},
				{"dict", &arrow.DictionaryType{IndexType: arrow.PrimitiveTypes.Int8, ValueType: arrow.BinaryTypes.String}, `["x", null, "y", "x"]`},
			},
			want: `
╭──────────────┬──────────────┬────────────┬──────────────────────┬────────────────────╮
│ s            │ ls           │ bin        │ fsb                  │ dict               │
│ string       │ large_string │ binary     │ fixed_size_binary[2] │ dictionary<string> │
├──────────────┼──────────────┼────────────┼──────────────────────┼────────────────────┤
│ hello        │              │ 0xdeadbeef │ 0x0001               │ x                  │
│ null         │ null         │ null       │ null                 │ null               │
│ line1\nline2 │ 日本         │ 0x         │ 0xffff               │ y                  │
│ \x1b[31mred  │ tab\there    │ 0x00       │ 0x0000               │ x                  │
╰──────────────┴──────────────┴────────────┴──────────────────────┴────────────────────╯
(4 rows)
`,
		},
		{
			name: "temporal",
			cols: []column{
				// Day 18993 is 2022-01-01.
				{"d32", arrow.FixedWidthTypes.Date32, `[19000, null, -1]`},
				{"d64", arrow.FixedWidthTypes.Date64, `[1641600000000, null, 0]`},
				// 1700000000 s is 2023-11-14 22:13:20 UTC.
				{"ts_s", &arrow.TimestampType{Unit: arrow.Second}, `[1700000000, null, 0]`},
				{"ts_ms", &arrow.TimestampType{Unit: arrow.Millisecond, TimeZone: "UTC"}, `[1700000000123, null, -1]`},
				{"ts_us", &arrow.TimestampType{Unit: arrow.Microsecond, TimeZone: "+05:30"}, `[1700000000000001, null, 0]`},
				{"ts_ns", &arrow.TimestampType{Unit: arrow.Nanosecond}, `[1700000000123456789, null, 1]`},
				{"t64", &arrow.Time64Type{Unit: arrow.Microsecond}, `[45296000000, null, 1]`},
				{"dur", &arrow.DurationType{Unit: arrow.Millisecond}, `[90061001, null, -1500]`},
			},
			want: `
╭────────────┬────────────┬─────────────────────┬──────────────────────────┬──────────────────────────────────┬───────────────────────────────┬─────────────────┬──────────────╮
│ d32        │ d64        │ ts_s                │ ts_ms                    │ ts_us                            │ ts_ns                         │ t64             │ dur          │
│ date32     │ date64     │ timestamp[s]        │ timestamp[ms, tz=UTC]    │ timestamp[us, tz=+05:30]         │ timestamp[ns]                 │ time64[us]      │ duration[ms] │
├────────────┼────────────┼─────────────────────┼──────────────────────────┼──────────────────────────────────┼───────────────────────────────┼─────────────────┼──────────────┤
│ 2022-01-08 │ 2022-01-08 │ 2023-11-14 22:13:20 │ 2023-11-14 22:13:20.123Z │ 2023-11-15 03:43:20.000001+05:30 │ 2023-11-14 22:13:20.123456789 │ 12:34:56        │ 25h1m1.001s  │
│ null       │ null       │ null                │ null                     │ null                             │ null                          │ null            │ null         │
│ 1969-12-31 │ 1970-01-01 │ 1970-01-01 00:00:00 │ 1969-12-31 23:59:59.999Z │ 1970-01-01 05:30:00+05:30        │ 1970-01-01 00:00:00.000000001 │ 00:00:00.000001 │ -1.5s        │
╰────────────┴────────────┴─────────────────────┴──────────────────────────┴──────────────────────────────────┴───────────────────────────────┴─────────────────┴──────────────╯
(3 rows)
`,
		},
		{
			name: "nested",
			cols: []column{
				{"l", arrow.ListOf(arrow.PrimitiveTypes.Int64), `[[1, null, 3], null, []]`},
				{"st", arrow.StructOf(
					arrow.Field{Name: "a", Type: arrow.PrimitiveTypes.Int64, Nullable: true},
					arrow.Field{Name: "b", Type: arrow.BinaryTypes.String, Nullable: true},
				), `[{"a": 1, "b": "x, y"}, null, {"a": null, "b": null}]`},
				{"m", arrow.MapOf(arrow.BinaryTypes.String, arrow.PrimitiveTypes.Int64), `[[{"key": "k", "value": 1}], null, []]`},
				{"ls", arrow.ListOf(arrow.BinaryTypes.String), `[["a\"b"], null, [null]]`},
				{"fl", arrow.FixedSizeListOf(2, arrow.PrimitiveTypes.Int32), `[[1, 2], null, [null, 4]]`},
			},
			want: `
╭──────────────┬─────────────────────────────┬────────────────────┬──────────────┬───────────────────────────╮
│ l            │ st                          │ m                  │ ls           │ fl                        │
│ list<int64>  │ struct<a: int64, b: string> │ map<string, int64> │ list<string> │ fixed_size_list<int32>[2] │
├──────────────┼─────────────────────────────┼────────────────────┼──────────────┼───────────────────────────┤
│ [1, null, 3] │ {a: 1, b: "x, y"}           │ {"k": 1}           │ ["a\"b"]     │ [1, 2]                    │
│ null         │ null                        │ null               │ null         │ null                      │
│ []           │ {a: null, b: null}          │ {}                 │ [null]       │ [null, 4]                 │
╰──────────────┴─────────────────────────────┴────────────────────┴──────────────┴───────────────────────────╯
(3 rows)
`,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
			defer mem.AssertSize(t, 0)
			rec := makeBatch(t, mem, tt.cols...)
			defer rec.Release()

			var buf bytes.Buffer
			if err := WriteTable(&buf, rec.Schema(), []arrow.RecordBatch{rec}, TableOptions{MaxRows: AllRows}); err != nil {
				t.Fatal(err)
			}
			if want := strings.TrimPrefix(tt.want, "\n"); buf.String() != want {
				t.Errorf("got\n%s\nwant\n%s", buf.String(), want)
			}
		})
	}
}

func TestWriteTableTruncates(t *testing.T) {
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)
	rec := makeBatch(t, mem,
		column{"a_long_name", arrow.BinaryTypes.String, `["abcdefgh", "abcdef", "日本語", "日本語x"]`},
		column{"bin", arrow.BinaryTypes.Binary, `["3q2+7w==", "AA==", null, ""]`},
		column{"l", arrow.ListOf(arrow.PrimitiveTypes.Int64), `[[1, 2, 3, 4, 5], [], null, [null]]`},
	)
	defer rec.Release()

	var buf bytes.Buffer
	opts := TableOptions{MaxRows: AllRows, MaxColWidth: 6, TotalRows: 10}
	if err := WriteTable(&buf, rec.Schema(), []arrow.RecordBatch{rec}, opts); err != nil {
		t.Fatal(err)
	}
	want := strings.TrimPrefix(`
╭────────┬────────┬────────╮
│ a_lon… │ bin    │ l      │
│ string │ binary │ list<… │
├────────┼────────┼────────┤
│ abcde… │ 0xdea… │ [1, 2… │
│ abcdef │ 0x00   │ []     │
│ 日本語 │ null   │ null   │
│ 日本…  │ 0x     │ [null] │
╰────────┴────────┴────────╯
(showing first 4 of 10 rows)
`, "\n")
	if buf.String() != want {
		t.Errorf("got\n%s\nwant\n%s", buf.String(), want)
	}
}

// Huge values are cut before they are fully rendered; a negative width
// keeps them whole.
func TestWriteTableLongValues(t *testing.T) {
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)

	long := strings.Repeat("a", 10000)
	sb := array.NewStringBuilder(mem)
	defer sb.Release()
	sb.Append(long)
	strs := sb.NewArray()
	defer strs.Release()

	lb := array.NewListBuilder(mem, arrow.PrimitiveTypes.Int64)
	defer lb.Release()
	lb.Append(true)
	for range 10000 {
		lb.ValueBuilder().(*array.Int64Builder).Append(0)
	}
	lists := lb.NewArray()
	defer lists.Release()

	schema := arrow.NewSchema([]arrow.Field{
		{Name: "s", Type: arrow.BinaryTypes.String},
		{Name: "l", Type: arrow.ListOf(arrow.PrimitiveTypes.Int64)},
	}, nil)
	rec := array.NewRecordBatch(schema, []arrow.Array{strs, lists}, 1)
	defer rec.Release()

	var buf bytes.Buffer
	if err := WriteTable(&buf, schema, []arrow.RecordBatch{rec}, TableOptions{MaxRows: AllRows, MaxColWidth: 6}); err != nil {
		t.Fatal(err)
	}
	if want := "│ aaaaa… │ [0, 0… │\n"; !strings.Contains(buf.String(), want) {
		t.Errorf("got\n%s\nwant a row %q", buf.String(), want)
	}

	buf.Reset()
	if err := WriteTable(&buf, schema, []arrow.RecordBatch{rec}, TableOptions{MaxRows: AllRows, MaxColWidth: -1}); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(buf.String(), "│ "+long+" │") {
		t.Errorf("unlimited width cut the string")
	}
	if got := strings.Count(buf.String(), "0, "); got != 9999 {
		t.Errorf("unlimited width shows %d list separators, want 9999", got)
	}
}

func TestWriteTableFooter(t *testing.T) {
	tests := []struct {
		name  string
		rows  int // rows in the batch: 1, 2, ..., rows
		opts  TableOptions
		want  string
		shown int
	}{
		{"all rows", 3, TableOptions{MaxRows: AllRows}, "(3 rows)", 3},
		{"one row", 1, TableOptions{MaxRows: AllRows}, "(1 row)", 1},
		{"no rows", 0, TableOptions{MaxRows: AllRows}, "(0 rows)", 0},
		{"unknown total, more rows", 3, TableOptions{MaxRows: 2, TotalRows: -1}, "(showing first 2 rows)", 2},
		{"unknown total, one shown", 3, TableOptions{MaxRows: 1, TotalRows: -1}, "(showing first 1 row)", 1},
		{"unknown total, all shown", 3, TableOptions{MaxRows: 3, TotalRows: -1}, "(3 rows)", 3},
		{"header only, more rows", 3, TableOptions{MaxRows: 0, TotalRows: -1}, "(showing first 0 rows)", 0},
		{"known total", 3, TableOptions{MaxRows: 2, TotalRows: 1234567}, "(showing first 2 of 1,234,567 rows)", 2},
		{"known total, all shown", 3, TableOptions{MaxRows: 5, TotalRows: 3}, "(3 rows)", 3},
		{"total beyond batches", 3, TableOptions{MaxRows: AllRows, TotalRows: 10}, "(showing first 3 of 10 rows)", 3},
		{"total below batches", 3, TableOptions{MaxRows: 2, TotalRows: 1}, "(showing first 2 of 3 rows)", 2},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
			defer mem.AssertSize(t, 0)
			vals := make([]string, tt.rows)
			for i := range vals {
				vals[i] = string(rune('1' + i))
			}
			rec := makeBatch(t, mem, column{"n", arrow.PrimitiveTypes.Int64, "[" + strings.Join(vals, ",") + "]"})
			defer rec.Release()

			var buf bytes.Buffer
			if err := WriteTable(&buf, rec.Schema(), []arrow.RecordBatch{rec}, tt.opts); err != nil {
				t.Fatal(err)
			}
			lines := strings.Split(strings.TrimSuffix(buf.String(), "\n"), "\n")
			if got := lines[len(lines)-1]; got != tt.want {
				t.Errorf("footer %q, want %q", got, tt.want)
			}
			// Border, names, types, separator and bottom border around the rows.
			if got := len(lines) - 6; got != tt.shown {
				t.Errorf("%d rows drawn, want %d:\n%s", got, tt.shown, buf.String())
			}
		})
	}
}

func TestWriteTableSpansBatches(t *testing.T) {
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)
	first := makeBatch(t, mem, column{"n", arrow.PrimitiveTypes.Int32, `[1, 2]`})
	defer first.Release()
	second := makeBatch(t, mem, column{"n", arrow.PrimitiveTypes.Int32, `[3, 4, 5]`})
	defer second.Release()

	var buf bytes.Buffer
	opts := TableOptions{MaxRows: 4, TotalRows: -1}
	if err := WriteTable(&buf, first.Schema(), []arrow.RecordBatch{first, second}, opts); err != nil {
		t.Fatal(err)
	}
	want := strings.TrimPrefix(`
╭───────╮
│     n │
│ int32 │
├───────┤
│     1 │
│     2 │
│     3 │
│     4 │
╰───────╯
(showing first 4 rows)
`, "\n")
	if buf.String() != want {
		t.Errorf("got\n%s\nwant\n%s", buf.String(), want)
	}
}

func TestWriteTableNoColumns(t *testing.T) {
	var buf bytes.Buffer
	if err := WriteTable(&buf, arrow.NewSchema(nil, nil), nil, TableOptions{MaxRows: AllRows}); err != nil {
		t.Fatal(err)
	}
	if got, want := buf.String(), "(0 rows)\n"; got != want {
		t.Errorf("got %q, want %q", got, want)
	}
}

func TestWriteTableRejectsMismatchedBatch(t *testing.T) {
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)
	rec := makeBatch(t, mem, column{"n", arrow.PrimitiveTypes.Int32, `[1]`})
	defer rec.Release()

	tests := []struct {
		name   string
		schema *arrow.Schema
	}{
		{"nil schema", nil},
		{"other type", arrow.NewSchema([]arrow.Field{{Name: "n", Type: arrow.PrimitiveTypes.Int64}}, nil)},
		{"more columns", arrow.NewSchema([]arrow.Field{
			{Name: "n", Type: arrow.PrimitiveTypes.Int32},
			{Name: "m", Type: arrow.PrimitiveTypes.Int32},
		}, nil)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var buf bytes.Buffer
			err := WriteTable(&buf, tt.schema, []arrow.RecordBatch{rec}, TableOptions{MaxRows: AllRows})
			if !errors.Is(err, errs.ErrInternal) {
				t.Errorf("error %v, want ErrInternal", err)
			}
			if buf.Len() != 0 {
				t.Errorf("wrote %q before failing", buf.String())
			}
		})
	}
}

type failingWriter struct{}

func (failingWriter) Write([]byte) (int, error) { return 0, errors.New("disk full") }

func TestWriteTableWriteError(t *testing.T) {
	err := WriteTable(failingWriter{}, arrow.NewSchema(nil, nil), nil, TableOptions{MaxRows: AllRows})
	if err == nil || !strings.Contains(err.Error(), "disk full") {
		t.Errorf("error %v, want the writer's error", err)
	}
}
