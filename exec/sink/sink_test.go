//go:build cgo

package sink

import (
	"context"
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"

	"lakeframe/errs"
	"lakeframe/exec/source/csv"
	"lakeframe/exec/source/parquet"
	st "lakeframe/exec/source/sourcetest"
	"lakeframe/plan"
)

var testSchema = arrow.NewSchema([]arrow.Field{
	{Name: "id", Type: arrow.PrimitiveTypes.Int64},
	{Name: "region", Type: arrow.BinaryTypes.String, Nullable: true},
	{Name: "year", Type: arrow.PrimitiveTypes.Int32, Nullable: true},
	{Name: "flag", Type: arrow.FixedWidthTypes.Boolean, Nullable: true},
	{Name: "v", Type: arrow.PrimitiveTypes.Float64, Nullable: true},
	{Name: "day", Type: arrow.FixedWidthTypes.Date32, Nullable: true},
	{Name: "ts", Type: &arrow.TimestampType{Unit: arrow.Microsecond}, Nullable: true},
	{Name: "note", Type: arrow.BinaryTypes.String, Nullable: true},
}, nil)

var regions = []string{"EU", "US/East", "a=b:c", ""}
var notes = []string{"plain", "with,comma", "say \"hi\"", "two\nlines", "", " padded "}

// batches builds n batches of size rows with nulls in every nullable
// column; row id i has region regions[i%4] (NULL when i%7 == 0), year
// 2020+i%3 (NULL when i%5 == 0), flag i%2 == 0 (NULL when i%3 == 0).
func batches(mem memory.Allocator, n, size int) []arrow.RecordBatch {
	var out []arrow.RecordBatch
	id := 0
	for range n {
		b := array.NewRecordBuilder(mem, testSchema)
		for range size {
			b.Field(0).(*array.Int64Builder).Append(int64(id))
			if id%7 == 0 {
				b.Field(1).AppendNull()
			} else {
				b.Field(1).(*array.StringBuilder).Append(regions[id%4])
			}
			if id%5 == 0 {
				b.Field(2).AppendNull()
			} else {
				b.Field(2).(*array.Int32Builder).Append(int32(2020 + id%3))
			}
			if id%3 == 0 {
				b.Field(3).AppendNull()
			} else {
				b.Field(3).(*array.BooleanBuilder).Append(id%2 == 0)
			}
			if id%11 == 0 {
				b.Field(4).AppendNull()
			} else {
				b.Field(4).(*array.Float64Builder).Append(float64(id) / 8)
			}
			if id%13 == 0 {
				b.Field(5).AppendNull()
			} else {
				b.Field(5).(*array.Date32Builder).Append(arrow.Date32(18000 + id))
			}
			if id%17 == 0 {
				b.Field(6).AppendNull()
			} else {
				b.Field(6).(*array.TimestampBuilder).Append(arrow.Timestamp(int64(id) * 1_234_567))
			}
			if id%19 == 0 {
				b.Field(7).AppendNull()
			} else {
				b.Field(7).(*array.StringBuilder).Append(notes[id%len(notes)])
			}
			id++
		}
		out = append(out, b.NewRecordBatch())
		b.Release()
	}
	return out
}

// stream yields batches, failing with err after failAfter batches when
// err is set.
type stream struct {
	recs      []arrow.RecordBatch
	next      int
	failAfter int
	err       error
	closed    bool
}

func (s *stream) Schema() *arrow.Schema { return testSchema }
func (s *stream) Next(context.Context) (arrow.RecordBatch, error) {
	if s.err != nil && s.next == s.failAfter {
		return nil, s.err
	}
	if s.next == len(s.recs) {
		return nil, io.EOF
	}
	r := s.recs[s.next]
	r.Retain()
	s.next++
	return r, nil
}
func (s *stream) Close() error { s.closed = true; return nil }

// expected formats the input rows with the given columns moved to the end
// (where a hive-partitioned read puts them).
func expected(recs []arrow.RecordBatch, last ...string) []string {
	var order []int
	for i, f := range testSchema.Fields() {
		if !slices.Contains(last, f.Name) {
			order = append(order, i)
		}
	}
	for _, name := range last {
		order = append(order, testSchema.FieldIndices(name)[0])
	}
	var out []string
	for _, row := range st.Rows(recs) {
		parts := strings.Split(row, "|")
		if len(parts) != testSchema.NumFields() {
			panic("a test value holds the separator")
		}
		reordered := make([]string, len(order))
		for i, j := range order {
			reordered[i] = parts[j]
		}
		out = append(out, strings.Join(reordered, "|"))
	}
	return out
}

func readParquet(t *testing.T, path string, cols []string) []string {
	t.Helper()
	src, err := parquet.NewSource(context.Background(), []string{path}, parquet.Options{})
	if err != nil {
		t.Fatal(err)
	}
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)
	recs, _, err := st.Scan(t, src, plan.Pushdown{Columns: cols, Limit: -1}, mem, 1000)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Release(recs)
	return st.Rows(recs)
}

func TestWriteParquetRoundTrip(t *testing.T) {
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)
	recs := batches(mem, 5, 97)
	defer st.Release(recs)
	db := st.OpenDB(t)
	dir := t.TempDir()

	t.Run("file", func(t *testing.T) {
		path := filepath.Join(dir, "out.parquet")
		res, err := WriteParquet(context.Background(), &stream{recs: recs}, path, ParquetOptions{RowGroupSize: 100, Mem: mem})
		if err != nil {
			t.Fatal(err)
		}
		if res.Rows != 485 || len(res.Files) != 1 || res.Files[0] != path {
			t.Errorf("result %+v", res)
		}
		want := expected(recs)
		st.SameRows(t, readParquet(t, path, nil), want)
		st.SameRows(t, st.Query(t, db, fmt.Sprintf("SELECT * FROM read_parquet('%s')", path)), want)
		groups := st.Query(t, db, fmt.Sprintf("SELECT count(DISTINCT row_group_id) FROM parquet_metadata('%s')", path))
		if groups[0] != "5" {
			t.Errorf("row groups %s, want 5 of at most 100 rows", groups[0])
		}
	})

	t.Run("partitioned", func(t *testing.T) {
		path := filepath.Join(dir, "tree")
		res, err := WriteParquet(context.Background(), &stream{recs: recs}, path,
			ParquetOptions{PartitionBy: []string{"region", "flag"}, Compression: "zstd", Mem: mem})
		if err != nil {
			t.Fatal(err)
		}
		// Even ids have regions EU or a=b:c and flag true or NULL; odd ids
		// US/East or "" and flag false or NULL; "" and NULL share the
		// default partition, which has every flag: 2+2+2+3 directories.
		if res.Rows != 485 || len(res.Files) != 9 {
			t.Errorf("%d rows in %d files", res.Rows, len(res.Files))
		}
		for _, f := range res.Files {
			if _, err := os.Stat(f); err != nil {
				t.Errorf("reported file: %v", err)
			}
		}
		want := expected(recs, "region", "flag")
		// Hive cannot tell "" from NULL: both read back as NULL.
		for i, r := range want {
			parts := strings.Split(r, "|")
			if parts[len(parts)-2] == `""` {
				parts[len(parts)-2] = "NULL"
			}
			want[i] = strings.Join(parts, "|")
		}
		for _, name := range []string{"region=US%2FEast/flag=false", "region=a%3Db%3Ac/flag=true",
			"region=__HIVE_DEFAULT_PARTITION__/flag=__HIVE_DEFAULT_PARTITION__"} {
			if _, err := os.Stat(filepath.Join(path, name, "part-0.parquet")); err != nil {
				t.Errorf("missing escaped directory: %v", err)
			}
		}
		got := readParquet(t, path, nil)
		// flag reads back as a string column ("true"/"false"); format it
		// as the boolean it was.
		for i, r := range got {
			got[i] = strings.NewReplacer(`|"true"`, "|true", `|"false"`, "|false").Replace(r)
		}
		st.SameRows(t, got, want)
		duck := st.Query(t, db, fmt.Sprintf(`SELECT id, year, v, day, ts, note, region, flag
			FROM read_parquet('%s/**/*.parquet', hive_partitioning = true, hive_types = {'region': VARCHAR, 'flag': BOOLEAN})`, path))
		st.SameRows(t, duck, want)
	})

	t.Run("rollover", func(t *testing.T) {
		path := filepath.Join(dir, "roll")
		res, err := WriteParquet(context.Background(), &stream{recs: recs}, path,
			ParquetOptions{PartitionBy: []string{"year"}, MaxOpenFiles: 1, Mem: mem})
		if err != nil {
			t.Fatal(err)
		}
		if len(res.Files) <= 4 {
			t.Errorf("with one open file, want more files than partitions, got %d", len(res.Files))
		}
		// Rows are split with a gather (take) of every column, including
		// the boolean flag with its nulls. year comes back as int64, which
		// prints the same.
		got := readParquet(t, path, []string{"id", "region", "year", "flag", "v", "day", "ts", "note"})
		st.SameRows(t, got, st.Rows(recs))
	})
}

func TestWriteFailureLeavesNothing(t *testing.T) {
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)
	recs := batches(mem, 4, 50)
	defer st.Release(recs)
	boom := errors.New("boom")
	for _, c := range []struct {
		name  string
		path  string
		write func(*stream, string) error
	}{
		{"parquet file", "out.parquet", func(s *stream, p string) error {
			_, err := WriteParquet(context.Background(), s, p, ParquetOptions{Mem: mem})
			return err
		}},
		{"parquet tree", "tree", func(s *stream, p string) error {
			_, err := WriteParquet(context.Background(), s, p, ParquetOptions{PartitionBy: []string{"year"}, Mem: mem})
			return err
		}},
		{"csv", "out.csv", func(s *stream, p string) error {
			_, err := WriteCSV(context.Background(), s, p, CSVOptions{})
			return err
		}},
	} {
		t.Run(c.name, func(t *testing.T) {
			dir := t.TempDir()
			s := &stream{recs: recs, failAfter: 2, err: boom}
			err := c.write(s, filepath.Join(dir, c.path))
			if !errors.Is(err, boom) {
				t.Fatalf("want the stream's error, got %v", err)
			}
			if !s.closed {
				t.Error("input stream not closed")
			}
			left, _ := os.ReadDir(dir)
			if len(left) != 0 {
				t.Errorf("failed write left %v", left)
			}
		})
	}
}

func TestExistingOutput(t *testing.T) {
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)
	recs := batches(mem, 1, 10)
	defer st.Release(recs)
	dir := t.TempDir()
	path := filepath.Join(dir, "tree")
	if _, err := WriteParquet(context.Background(), &stream{recs: recs}, path, ParquetOptions{PartitionBy: []string{"year"}, Mem: mem}); err != nil {
		t.Fatal(err)
	}
	_, err := WriteParquet(context.Background(), &stream{recs: recs}, path, ParquetOptions{Mem: mem})
	if !errors.Is(err, errs.ErrPlan) || !strings.Contains(err.Error(), path) {
		t.Errorf("existing output: %v", err)
	}
	if _, err := WriteParquet(context.Background(), &stream{recs: recs}, path, ParquetOptions{Overwrite: true, Mem: mem}); err != nil {
		t.Fatal(err)
	}
	entries, _ := os.ReadDir(path)
	if len(entries) != 1 || entries[0].Name() != "part-0.parquet" {
		t.Errorf("overwritten directory holds %v", entries)
	}
	if left, _ := os.ReadDir(dir); len(left) != 1 {
		t.Errorf("parent holds %v", left)
	}
	_, err = WriteParquet(context.Background(), &stream{recs: recs}, path, ParquetOptions{PartitionBy: []string{"nope"}, Overwrite: true, Mem: mem})
	if !errors.Is(err, errs.ErrPlan) || !strings.Contains(err.Error(), "nope") {
		t.Errorf("unknown partition column: %v", err)
	}
}

func TestWriteCSVRoundTrip(t *testing.T) {
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)
	recs := batches(mem, 3, 40)
	defer st.Release(recs)
	db := st.OpenDB(t)
	for _, c := range []struct {
		name string
		opts CSVOptions
		read csv.Options
		duck string
	}{
		{"defaults", CSVOptions{}, csv.Options{}, "header = true, allow_quoted_nulls = false"},
		{"tabs and NA", CSVOptions{Delimiter: '\t', NullString: "NA"}, csv.Options{Delimiter: '\t', NullValues: []string{"NA"}},
			"header = true, delim = '\t', nullstr = 'NA', allow_quoted_nulls = false"},
	} {
		t.Run(c.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "out.csv")
			res, err := WriteCSV(context.Background(), &stream{recs: recs}, path, c.opts)
			if err != nil {
				t.Fatal(err)
			}
			if res.Rows != 120 {
				t.Errorf("rows %d", res.Rows)
			}
			want := st.Rows(recs)
			src, err := csv.NewSource(context.Background(), []string{path}, c.read)
			if err != nil {
				t.Fatal(err)
			}
			// Inference reads year as int64, which prints the same.
			wantTypes := "int64 utf8 int64 bool float64 date32 timestamp[us] utf8"
			var got []string
			for _, f := range src.Schema().Fields() {
				got = append(got, f.Type.String())
			}
			if strings.Join(got, " ") != wantTypes {
				t.Errorf("read back types %v, want %s", got, wantTypes)
			}
			rmem := memory.NewCheckedAllocator(memory.NewGoAllocator())
			back, _, err := st.Scan(t, src, plan.Pushdown{Limit: -1}, rmem, 1000)
			if err != nil {
				t.Fatal(err)
			}
			st.SameRows(t, st.Rows(back), want)
			st.Release(back)
			rmem.AssertSize(t, 0)
			duck := st.Query(t, db, fmt.Sprintf(`SELECT * FROM read_csv('%s', %s, columns = {'id': 'BIGINT', 'region': 'VARCHAR',
				'year': 'INTEGER', 'flag': 'BOOLEAN', 'v': 'DOUBLE', 'day': 'DATE', 'ts': 'TIMESTAMP', 'note': 'VARCHAR'})`, path, c.duck))
			st.SameRows(t, duck, want)
		})
	}
}

func TestEmptyAndSpecialValues(t *testing.T) {
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)
	dir := t.TempDir()
	ctx := context.Background()

	// An empty result still makes a readable file with the schema.
	path := filepath.Join(dir, "empty.parquet")
	if _, err := WriteParquet(ctx, &stream{}, path, ParquetOptions{Mem: mem}); err != nil {
		t.Fatal(err)
	}
	src, err := parquet.NewSource(ctx, []string{path}, parquet.Options{})
	if err != nil {
		t.Fatal(err)
	}
	if !src.Schema().Equal(testSchema) {
		t.Errorf("schema %s", src.Schema())
	}
	if rows := readParquet(t, path, nil); len(rows) != 0 {
		t.Errorf("rows %v", rows)
	}

	// Infinities, NaN and zoned timestamps survive a CSV round trip.
	schema := arrow.NewSchema([]arrow.Field{
		{Name: "f", Type: arrow.PrimitiveTypes.Float64, Nullable: true},
		{Name: "tz", Type: &arrow.TimestampType{Unit: arrow.Millisecond, TimeZone: "Europe/Paris"}, Nullable: true},
	}, nil)
	b := array.NewRecordBuilder(mem, schema)
	defer b.Release()
	fb := b.Field(0).(*array.Float64Builder)
	fb.AppendValues([]float64{1.5, inf(1), inf(-1), nan(), 1e21}, nil)
	fb.AppendNull()
	tb := b.Field(1).(*array.TimestampBuilder)
	tb.AppendValues([]arrow.Timestamp{0, 1_700_000_000_123, -1, 86_400_000, 5}, nil)
	tb.AppendNull()
	rec := b.NewRecordBatch()
	defer rec.Release()
	csvPath := filepath.Join(dir, "special.csv")
	if _, err := WriteCSV(ctx, &recStream{schema: schema, recs: []arrow.RecordBatch{rec}}, csvPath, CSVOptions{}); err != nil {
		t.Fatal(err)
	}
	text, _ := os.ReadFile(csvPath)
	want := "f,tz\n1.5,1970-01-01 00:00:00Z\ninf,2023-11-14 22:13:20.123Z\n-inf,1969-12-31 23:59:59.999Z\nnan,1970-01-02 00:00:00Z\n1e+21,1970-01-01 00:00:00.005Z\n,\n"
	if string(text) != want {
		t.Errorf("csv text\n%s\nwant\n%s", text, want)
	}
	back, err := csv.NewSource(ctx, []string{csvPath}, csv.Options{})
	if err != nil {
		t.Fatal(err)
	}
	if got := back.Schema().Field(1).Type.String(); got != "timestamp[us, tz=UTC]" {
		t.Errorf("zoned timestamps read back as %s", got)
	}
	rmem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	recs, _, err := st.Scan(t, back, plan.Pushdown{Limit: -1}, rmem, 100)
	if err != nil {
		t.Fatal(err)
	}
	got := strings.Join(st.Rows(recs), ";")
	st.Release(recs)
	rmem.AssertSize(t, 0)
	if got != "1.5|1970-01-01 00:00:00;+Inf|2023-11-14 22:13:20.123;-Inf|1969-12-31 23:59:59.999;NaN|1970-01-02 00:00:00;1e+21|1970-01-01 00:00:00.005;NULL|NULL" {
		t.Errorf("read back %s", got)
	}
}

func inf(sign int) float64 { return math.Inf(sign) }
func nan() float64         { return math.NaN() }

// recStream yields records of any schema.
type recStream struct {
	schema *arrow.Schema
	recs   []arrow.RecordBatch
}

func (s *recStream) Schema() *arrow.Schema { return s.schema }
func (s *recStream) Next(context.Context) (arrow.RecordBatch, error) {
	if len(s.recs) == 0 {
		return nil, io.EOF
	}
	r := s.recs[0]
	s.recs = s.recs[1:]
	r.Retain()
	return r, nil
}
func (s *recStream) Close() error { return nil }
