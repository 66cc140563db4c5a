//go:build cgo

package csv

import (
	"compress/gzip"
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/memory"

	"lakeframe/errs"
	st "lakeframe/exec/source/sourcetest"
	"lakeframe/expr"
	"lakeframe/plan"
)

// ints then floats: the first 10 rows of x are ints, later ones floats.
func intsThenFloats() string {
	var sb strings.Builder
	sb.WriteString("x,y\n")
	for i := range 10 {
		fmt.Fprintf(&sb, "%d,a\n", i)
	}
	sb.WriteString("2.5,b\n")
	sb.WriteString("1e3,c\n")
	return sb.String()
}

func TestInference(t *testing.T) {
	cases := []struct {
		name   string
		text   string
		opts   Options
		schema string
	}{
		{"ints then floats", intsThenFloats(), Options{}, "x:float64 y:utf8"},
		{"types", "b,i,f,d,ts,tz,s\ntrue,1,1.5,2024-01-02,2024-01-02 03:04:05,2024-01-02T03:04:05Z,x\nFALSE,-2,3,2024-02-29,2024-01-02T03:04,2024-01-02T03:04:05+01:00,y\n", Options{},
			"b:bool i:int64 f:float64 d:date32 ts:timestamp[us] tz:timestamp[us, tz=UTC] s:utf8"},
		{"nulls do not decide", "a,b,c\n,,\n1,,x\n,2024-01-01,\n", Options{}, "a:int64 b:date32 c:utf8"},
		{"all null is string", "a\n\n\"\"\n", Options{}, "a:utf8"},
		{"dates and timestamps", "a\n2024-01-01\n2024-01-01 10:00:00\n", Options{}, "a:timestamp[us]"},
		{"bad date is string", "a\n2024-01-01\n2024-02-30\n", Options{}, "a:utf8"},
		{"int and bool is string", "a\n1\ntrue\n", Options{}, "a:utf8"},
		{"big int is float", "a\n1\n99999999999999999999\n", Options{}, "a:float64"},
		{"no header", "1,x\n2,y\n", Options{NoHeader: true}, "column0:int64 column1:utf8"},
		{"duplicate and empty names", "a,a,\n1,2,3\n", Options{}, "a:int64 a_1:int64 column2:int64"},
		{"sample limits", intsThenFloats(), Options{SampleRows: 5}, "x:int64 y:utf8"},
		{"null markers", "a,b\nNA,1\n2,NA\n", Options{NullValues: []string{"NA"}}, "a:int64 b:int64"},
		{"semicolons", "a;b\n1,5;x\n", Options{Delimiter: ';'}, "a:utf8 b:utf8"},
		{"bom", "\xEF\xBB\xBFa,b\n1,2\n", Options{}, "a:int64 b:int64"},
		{"crlf", "a,b\r\n1,2\r\n", Options{}, "a:int64 b:int64"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			path := st.WriteFile(t, filepath.Join(t.TempDir(), "f.csv"), c.text)
			src, err := NewSource(context.Background(), []string{path}, c.opts)
			if err != nil {
				t.Fatal(err)
			}
			if got := st.SchemaString(src.Schema()); got != c.schema {
				t.Errorf("schema %s, want %s", got, c.schema)
			}
		})
	}
}

// TestValuesMatchDuckDB reads tricky files and compares with DuckDB's
// read_csv given the same column types and options.
func TestValuesMatchDuckDB(t *testing.T) {
	cases := []struct {
		name string
		text string
		opts Options
		duck string // read_csv options besides columns
	}{
		{"quoting", "id,s,n\n1,\"a,b\",2\n2,\"say \"\"hi\"\"\",\n3,\"multi\nline\",4\n4,,5\n5,\"\",6\n6,plain,7\n",
			Options{}, "header = true, quote = '\"', escape = '\"', allow_quoted_nulls = false"},
		{"types and nulls", "b,i,f,d,ts\ntrue,1,1.5,2024-01-02,2024-01-02 03:04:05.123456\n,,,,\nfalse,-7,-0.25,1969-12-31,1969-12-31 23:59:59\n",
			Options{}, "header = true"},
		{"tabs and markers", "a\tb\n1\tNA\nNA\tx y\n3\t\n", Options{Delimiter: '\t', NullValues: []string{"NA"}},
			"header = true, delim = '\t', nullstr = 'NA'"},
		{"ints then floats", intsThenFloats(), Options{}, "header = true"},
		// Lines ended by a bare carriage return, one inside a quoted field.
		{"bare carriage returns", "a,b\r1,x\r2,\"y\rz\"\r3,\r", Options{}, "header = true, new_line = '\\r'"},
	}
	db := st.OpenDB(t)
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			path := st.WriteFile(t, filepath.Join(t.TempDir(), "f.csv"), c.text)
			src, err := NewSource(context.Background(), []string{path}, c.opts)
			if err != nil {
				t.Fatal(err)
			}
			for _, bs := range []int{1, 2, 1000} {
				got := st.ReadRows(t, src, plan.Pushdown{Limit: -1}, bs)
				if len(got) == 0 {
					t.Fatal("no rows read")
				}
				want := st.Query(t, db, fmt.Sprintf("SELECT * FROM read_csv('%s', %s, columns = %s)", path, c.duck, duckColumns(src.Schema())))
				st.SameRows(t, got, want)
			}
		})
	}
}

func duckColumns(s *arrow.Schema) string {
	names := map[arrow.Type]string{arrow.BOOL: "BOOLEAN", arrow.INT64: "BIGINT", arrow.FLOAT64: "DOUBLE",
		arrow.DATE32: "DATE", arrow.TIMESTAMP: "TIMESTAMP", arrow.STRING: "VARCHAR"}
	parts := make([]string, s.NumFields())
	for i, f := range s.Fields() {
		parts[i] = fmt.Sprintf("'%s': '%s'", f.Name, names[f.Type.ID()])
	}
	return "{" + strings.Join(parts, ", ") + "}"
}

func TestErrorsNameFileAndLine(t *testing.T) {
	dir := t.TempDir()
	ctx := context.Background()
	// Line 4 holds a quoted line break, so the bad value is on line 6.
	bad := st.WriteFile(t, filepath.Join(dir, "bad.csv"), "a,b\n1,x\n2,\"two\nlines\"\n3,y\nfour,z\n")
	src, err := NewSource(ctx, []string{bad}, Options{SampleRows: 2})
	if err != nil {
		t.Fatal(err)
	}
	err = st.ScanError(t, src, plan.Pushdown{Limit: -1}, 100)
	if !errors.Is(err, errs.ErrExec) || !strings.Contains(err.Error(), bad+":6") || !strings.Contains(err.Error(), `"four"`) {
		t.Errorf("want an error naming %s:6 and the value, got %v", bad, err)
	}

	ragged := st.WriteFile(t, filepath.Join(dir, "ragged.csv"), "a,b\n1,2\n3\n")
	src, err = NewSource(ctx, []string{ragged}, Options{SampleRows: 1})
	if err != nil {
		t.Fatal(err)
	}
	_, _, err = st.Scan(t, src, plan.Pushdown{Limit: -1}, memory.DefaultAllocator, 100)
	if !errors.Is(err, errs.ErrExec) || !strings.Contains(err.Error(), ragged+":3") {
		t.Errorf("ragged row: %v", err)
	}

	// Text columns must be UTF-8, as DuckDB requires.
	latin1 := st.WriteFile(t, filepath.Join(dir, "latin1.csv"), "id,s\n1,ok\n2,caf\xe9\n")
	src, err = NewSource(ctx, []string{latin1}, Options{})
	if err != nil {
		t.Fatal(err)
	}
	err = st.ScanError(t, src, plan.Pushdown{Limit: -1}, 100)
	if !errors.Is(err, errs.ErrExec) || !strings.Contains(err.Error(), latin1+":3") || !strings.Contains(err.Error(), "UTF-8") {
		t.Errorf("invalid UTF-8: %v", err)
	}

	unclosed := st.WriteFile(t, filepath.Join(dir, "unclosed.csv"), "a\n\"x\n")
	_, err = NewSource(ctx, []string{unclosed}, Options{})
	if !errors.Is(err, errs.ErrExec) || !strings.Contains(err.Error(), unclosed) || !strings.Contains(err.Error(), "line 2") {
		t.Errorf("unclosed quote: %v", err)
	}

	missing := filepath.Join(dir, "missing.csv")
	_, err = NewSource(ctx, []string{missing}, Options{})
	if !errors.Is(err, errs.ErrPlan) || !strings.Contains(err.Error(), missing) {
		t.Errorf("missing: %v", err)
	}

	other := st.WriteFile(t, filepath.Join(dir, "hdr", "a.csv"), "a,b\n1,2\n")
	st.WriteFile(t, filepath.Join(dir, "hdr", "b.csv"), "a,c\n1,2\n")
	src, err = NewSource(ctx, []string{filepath.Dir(other)}, Options{})
	if err != nil {
		t.Fatal(err)
	}
	_, err = src.Plan(ctx, plan.Pushdown{Limit: -1})
	if err == nil || !strings.Contains(err.Error(), "a.csv") || !strings.Contains(err.Error(), "b.csv") {
		t.Errorf("header mismatch: %v", err)
	}
}

func TestProjectionLimitPartitionsGzip(t *testing.T) {
	dir := t.TempDir()
	var sb strings.Builder
	sb.WriteString("id,name,v\n")
	for i := range 100 {
		fmt.Fprintf(&sb, "%d,n%d,%d.5\n", i, i, i)
	}
	st.WriteFile(t, filepath.Join(dir, "k=1", "a.csv"), sb.String())
	f, err := os.Create(filepath.Join(dir, "k=2", "b.csv.gz"))
	if err != nil {
		os.MkdirAll(filepath.Join(dir, "k=2"), 0o755)
		if f, err = os.Create(filepath.Join(dir, "k=2", "b.csv.gz")); err != nil {
			t.Fatal(err)
		}
	}
	gz := gzip.NewWriter(f)
	gz.Write([]byte(sb.String()))
	gz.Close()
	f.Close()

	src, err := NewSource(context.Background(), []string{dir}, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if got := st.SchemaString(src.Schema()); got != "id:int64 name:utf8 v:float64 k:int64" {
		t.Fatalf("schema %s", got)
	}
	rows := st.ReadRows(t, src, plan.Pushdown{Columns: []string{"k", "name"}, Limit: -1}, 7)
	if len(rows) != 200 || rows[0] != `1|"n0"` || rows[199] != `2|"n99"` {
		t.Errorf("got %d rows: first %q last %q", len(rows), rows[0], rows[len(rows)-1])
	}
	pred, err := expr.Resolve(expr.Col("k").Eq(2).Node(), src.Schema())
	if err != nil {
		t.Fatal(err)
	}
	if src.SupportsFilter(pred) != plan.FilterExact {
		t.Errorf("partition filter not exact")
	}
	rows = st.ReadRows(t, src, plan.Pushdown{Columns: []string{"id", "k"}, Filters: []expr.Node{pred}, Limit: 15}, 4)
	if len(rows) != 15 || rows[0] != "0|2" || rows[14] != "14|2" {
		t.Errorf("limit with partition filter: %v", rows)
	}
	rows = st.ReadRows(t, src, plan.Pushdown{Columns: []string{}, Limit: -1}, 64)
	if len(rows) != 200 {
		t.Errorf("count only: %d rows", len(rows))
	}
	other, _ := expr.Resolve(expr.Col("id").Eq(2).Node(), src.Schema())
	if src.SupportsFilter(other) != plan.FilterUnsupported {
		t.Errorf("file column filter should be unsupported")
	}
}

func TestExplicitSchema(t *testing.T) {
	path := st.WriteFile(t, filepath.Join(t.TempDir(), "f.csv"), "a,b,c\n1,2,x\n,300,y\n")
	schema := arrow.NewSchema([]arrow.Field{
		{Name: "x", Type: arrow.PrimitiveTypes.Int32},
		{Name: "y", Type: arrow.PrimitiveTypes.Int16},
		{Name: "z", Type: arrow.BinaryTypes.LargeString},
	}, nil)
	src, err := NewSource(context.Background(), []string{path}, Options{Schema: schema})
	if err != nil {
		t.Fatal(err)
	}
	rows := st.ReadRows(t, src, plan.Pushdown{Limit: -1}, 10)
	if strings.Join(rows, ";") != `1|2|"x";NULL|300|"y"` {
		t.Errorf("rows %v", rows)
	}
	small := arrow.NewSchema([]arrow.Field{
		{Name: "x", Type: arrow.PrimitiveTypes.Int32},
		{Name: "y", Type: arrow.PrimitiveTypes.Int8},
		{Name: "z", Type: arrow.BinaryTypes.String},
	}, nil)
	src, err = NewSource(context.Background(), []string{path}, Options{Schema: small})
	if err != nil {
		t.Fatal(err)
	}
	_, _, err = st.Scan(t, src, plan.Pushdown{Limit: -1}, memory.DefaultAllocator, 10)
	if err == nil || !strings.Contains(err.Error(), path+":3") {
		t.Errorf("300 as int8: %v", err)
	}
}

// TestNarrowTypes reads the numeric types only an explicit schema asks
// for, at the edges of their ranges and one step past them.
func TestNarrowTypes(t *testing.T) {
	dir := t.TempDir()
	cases := []struct {
		typ           arrow.DataType
		lo, hi, wrong string
	}{
		{arrow.PrimitiveTypes.Int8, "-128", "127", "128"},
		{arrow.PrimitiveTypes.Int16, "-32768", "32767", "-32769"},
		{arrow.PrimitiveTypes.Int32, "-2147483648", "2147483647", "2147483648"},
		{arrow.PrimitiveTypes.Uint8, "0", "255", "-1"},
		{arrow.PrimitiveTypes.Uint16, "0", "65535", "65536"},
		{arrow.PrimitiveTypes.Uint32, "0", "4294967295", "4294967296"},
		{arrow.PrimitiveTypes.Uint64, "0", "18446744073709551615", "18446744073709551616"},
		{arrow.PrimitiveTypes.Float32, "-0.25", "1.5", "one"},
	}
	for _, c := range cases {
		t.Run(c.typ.String(), func(t *testing.T) {
			schema := arrow.NewSchema([]arrow.Field{{Name: "a", Type: c.typ}, {Name: "b", Type: arrow.BinaryTypes.String}}, nil)
			path := st.WriteFile(t, filepath.Join(dir, c.typ.String()+".csv"), fmt.Sprintf("a,b\n%s,x\n,y\n%s,z\n", c.lo, c.hi))
			src, err := NewSource(context.Background(), []string{path}, Options{Schema: schema})
			if err != nil {
				t.Fatal(err)
			}
			rows := st.ReadRows(t, src, plan.Pushdown{Limit: -1}, 10)
			if want := c.lo + `|"x";NULL|"y";` + c.hi + `|"z"`; strings.Join(rows, ";") != want {
				t.Errorf("rows %v, want %s", rows, want)
			}
			bad := st.WriteFile(t, filepath.Join(dir, c.typ.String()+"_bad.csv"), fmt.Sprintf("a,b\n%s,x\n%s,y\n", c.hi, c.wrong))
			if src, err = NewSource(context.Background(), []string{bad}, Options{Schema: schema}); err != nil {
				t.Fatal(err)
			}
			err = st.ScanError(t, src, plan.Pushdown{Limit: -1}, 10)
			if !errors.Is(err, errs.ErrExec) || !strings.Contains(err.Error(), bad+":3") || !strings.Contains(err.Error(), c.wrong) {
				t.Errorf("%s as %s: %v", c.wrong, c.typ, err)
			}
		})
	}
}
