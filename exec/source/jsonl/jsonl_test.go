//go:build cgo

package jsonl

import (
	"bytes"
	"compress/gzip"
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"strings"
	"testing"

	"lakeframe/errs"
	st "lakeframe/exec/source/sourcetest"
	"lakeframe/expr"
	"lakeframe/plan"
)

func TestInference(t *testing.T) {
	var intsThenFloats strings.Builder
	for i := range 10 {
		fmt.Fprintf(&intsThenFloats, "{\"x\": %d}\n", i)
	}
	intsThenFloats.WriteString("{\"x\": 2.5}\n")
	cases := []struct {
		name, text, schema string
		sample             int
	}{
		{"scalars", `{"b": true, "i": 1, "f": 1.5, "s": "x", "d": "2024-01-01", "ts": "2024-01-01T10:00:00", "tz": "2024-01-01T10:00:00Z"}`,
			"b:bool i:int64 f:float64 s:utf8 d:date32 ts:timestamp[us] tz:timestamp[us, tz=UTC]", 0},
		{"ints then floats", intsThenFloats.String(), "x:float64", 0},
		{"sample limits", intsThenFloats.String(), "x:int64", 5},
		{"missing keys and nulls", "{\"a\": 1}\n{\"b\": null}\n{\"a\": null, \"c\": \"x\"}\n", "a:int64 b:utf8 c:utf8", 0},
		{"mixed kinds", "{\"a\": 1}\n{\"a\": \"one\"}\n", "a:utf8", 0},
		{"nested", `{"p": {"x": 1, "y": [1.5, 2]}, "l": [{"k": "a"}, {"k": null}], "e": []}`,
			"p:struct<x: int64 nullable, y: list<item: float64, nullable> nullable> l:list<item: struct<k: utf8 nullable>, nullable> e:list<item: utf8, nullable>", 0},
		{"blank lines", "\n{\"a\": true}\n\n", "a:bool", 0},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			path := st.WriteFile(t, filepath.Join(t.TempDir(), "f.jsonl"), c.text)
			src, err := NewSource(context.Background(), []string{path}, Options{SampleRows: c.sample})
			if err != nil {
				t.Fatal(err)
			}
			if got := st.SchemaString(src.Schema()); got != c.schema {
				t.Errorf("schema %s, want %s", got, c.schema)
			}
		})
	}
}

func TestValuesMatchDuckDB(t *testing.T) {
	text := `{"id": 1, "name": "plain", "v": 1.5, "ok": true, "day": "2024-01-02", "at": "2024-01-02 03:04:05.25", "tags": ["a", "b"], "p": {"x": 1, "y": "u"}}
{"id": 2, "name": "esc \"q\" \\ \u00e9 \ud83d\ude00 \n", "v": -2, "ok": false, "day": null, "at": null, "tags": [], "p": null}
{"id": 3, "extra": {"ignored": [1, 2, {"deep": true}]}, "tags": null, "p": {"x": null}}

{"name": null, "id": 4, "v": 1e3, "tags": ["c", null]}
`
	path := st.WriteFile(t, filepath.Join(t.TempDir(), "f.jsonl"), text)
	src, err := NewSource(context.Background(), []string{path}, Options{})
	if err != nil {
		t.Fatal(err)
	}
	want := "id:int64 name:utf8 v:float64 ok:bool day:date32 at:timestamp[us] tags:list<item: utf8, nullable> p:struct<x: int64 nullable, y: utf8 nullable> extra:struct<ignored: list<item: utf8, nullable> nullable>"
	if got := st.SchemaString(src.Schema()); got != want {
		t.Fatalf("schema %s, want %s", got, want)
	}
	db := st.OpenDB(t)
	cols := []string{"id", "name", "v", "ok", "day", "at", "tags", "p"}
	duck := st.Query(t, db, fmt.Sprintf(`SELECT %s FROM read_json('%s', format = 'newline_delimited', columns = {
		id: 'BIGINT', name: 'VARCHAR', v: 'DOUBLE', ok: 'BOOLEAN', day: 'DATE', "at": 'TIMESTAMP', tags: 'VARCHAR[]', p: 'STRUCT(x BIGINT, y VARCHAR)'})`,
		`"`+strings.Join(cols, `", "`)+`"`, path))
	for _, bs := range []int{1, 3, 100} {
		got := st.ReadRows(t, src, plan.Pushdown{Columns: cols, Limit: -1}, bs)
		st.SameRows(t, got, duck)
	}
	// Values of several kinds keep their JSON text.
	rows := st.ReadRows(t, src, plan.Pushdown{Columns: []string{"extra"}, Limit: -1}, 10)
	if rows[2] != `{ignored:["1","2","{\"deep\": true}"]}` || rows[0] != "NULL" {
		t.Errorf("extra: %q", rows)
	}
}

func TestErrorsNameFileAndLine(t *testing.T) {
	dir := t.TempDir()
	ctx := context.Background()
	cases := []struct {
		name, text, want string
		sample           int
	}{
		{"bad int", "{\"a\": 1}\n{\"a\": 2}\n\n{\"a\": \"x\"}\n", ":4", 1},
		{"float in int", "{\"a\": 1}\n{\"a\": 2.5}\n", ":2", 1},
		{"bad json", "{\"a\": 1}\n{\"a\": 1,}\n", ":2", 1},
		{"not an object", "{\"a\": 1}\n[1]\n", ":2", 1},
		{"trailing text", "{\"a\": 1}\n{\"a\": 1} x\n", ":2", 1},
		{"bad date", "{\"a\": \"2024-01-01\"}\n{\"a\": \"2024-13-01\"}\n", ":2", 1},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			path := st.WriteFile(t, filepath.Join(dir, c.name+".jsonl"), c.text)
			src, err := NewSource(ctx, []string{path}, Options{SampleRows: c.sample})
			if err != nil {
				t.Fatal(err)
			}
			err = st.ScanError(t, src, plan.Pushdown{Limit: -1}, 100)
			if !errors.Is(err, errs.ErrExec) || !strings.Contains(err.Error(), path+c.want) {
				t.Errorf("want an error naming %s%s, got %v", path, c.want, err)
			}
		})
	}
	bad := st.WriteFile(t, filepath.Join(dir, "sample.jsonl"), "{\"a\": 1}\n{oops}\n")
	_, err := NewSource(ctx, []string{bad}, Options{})
	if !errors.Is(err, errs.ErrExec) || !strings.Contains(err.Error(), bad+":2") {
		t.Errorf("bad sample: %v", err)
	}
}

func TestPartitionsAndLimit(t *testing.T) {
	dir := t.TempDir()
	for _, k := range []string{"a", "b"} {
		var sb strings.Builder
		for i := range 50 {
			fmt.Fprintf(&sb, "{\"i\": %d}\n", i)
		}
		st.WriteFile(t, filepath.Join(dir, "k="+k, "part.jsonl"), sb.String())
	}
	src, err := NewSource(context.Background(), []string{dir + "/*/*.jsonl"}, Options{})
	if err != nil {
		t.Fatal(err)
	}
	pred, err := expr.Resolve(expr.Col("k").Eq("b").Node(), src.Schema())
	if err != nil {
		t.Fatal(err)
	}
	if src.SupportsFilter(pred) != plan.FilterExact {
		t.Fatal("partition filter is not exact")
	}
	rows := st.ReadRows(t, src, plan.Pushdown{Columns: []string{"k", "i"}, Filters: []expr.Node{pred}, Limit: 7}, 3)
	if strings.Join(rows, ";") != `"b"|0;"b"|1;"b"|2;"b"|3;"b"|4;"b"|5;"b"|6` {
		t.Errorf("rows %v", rows)
	}
	rows = st.ReadRows(t, src, plan.Pushdown{Columns: []string{}, Limit: -1}, 8)
	if len(rows) != 100 {
		t.Errorf("count: %d", len(rows))
	}
}

func TestGzip(t *testing.T) {
	var buf bytes.Buffer
	w := gzip.NewWriter(&buf)
	w.Write([]byte("{\"a\": 1}\n{\"a\": null}\n{\"a\": 3}\n"))
	w.Close()
	path := st.WriteFile(t, filepath.Join(t.TempDir(), "f.jsonl.gz"), buf.String())
	src, err := NewSource(context.Background(), []string{path}, Options{})
	if err != nil {
		t.Fatal(err)
	}
	for _, limit := range []int64{-1, 1} {
		rows := st.ReadRows(t, src, plan.Pushdown{Limit: limit}, 2)
		want := "1;NULL;3"
		if limit == 1 {
			want = "1"
		}
		if strings.Join(rows, ";") != want {
			t.Errorf("limit %d: rows %v, want %s", limit, rows, want)
		}
	}
}
