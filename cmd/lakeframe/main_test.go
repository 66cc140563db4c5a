//go:build cgo

package main

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"
	"github.com/apache/iceberg-go/table"

	"lakeframe/frame"
	"lakeframe/iceberg"
)

// TestSQLOverFilesAndCatalog runs `lakeframe sql` on a CSV file joined
// with a table of an Iceberg catalog (SQLite, in a temporary directory)
// and checks the printed rows, worked out by hand from the inputs.
func TestSQLOverFilesAndCatalog(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	kinds := filepath.Join(dir, "kinds.csv")
	if err := os.WriteFile(kinds, []byte("kind,label\n1,click\n2,view\n3,buy\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	uri := "sqlite://" + filepath.Join(dir, "catalog.db")
	cat, err := iceberg.OpenCatalog(ctx, uri, nil)
	if err != nil {
		t.Fatal(err)
	}
	schema := arrow.NewSchema([]arrow.Field{{Name: "kind", Type: arrow.PrimitiveTypes.Int64, Nullable: true}}, nil)
	tbl, err := iceberg.CreateTable(ctx, cat, table.Identifier{"db", "events"}, schema)
	if err != nil {
		t.Fatal(err)
	}
	bld := array.NewInt64Builder(memory.DefaultAllocator)
	bld.AppendValues([]int64{1, 2, 2, 1, 2, 3, 2}, nil)
	col := bld.NewArray()
	defer col.Release()
	rec := array.NewRecordBatch(schema, []arrow.Array{col}, int64(col.Len()))
	defer rec.Release()
	events := array.NewTableFromRecords(schema, []arrow.RecordBatch{rec})
	defer events.Release()
	if _, err := frame.FromArrow(events).WriteIceberg(ctx, tbl); err != nil {
		t.Fatal(err)
	}

	var out bytes.Buffer
	err = run(ctx, []string{"sql", "-catalog", uri, "-c",
		`SELECT k.label, count(*) AS n FROM db.events e JOIN kinds k ON e.kind = k.kind GROUP BY k.label ORDER BY n DESC, 1`,
		kinds}, nil, &out)
	if err != nil {
		t.Fatal(err)
	}
	text := out.String()
	var rows []string
	for _, line := range strings.Split(text, "\n") {
		f := strings.FieldsFunc(line, func(r rune) bool { return r == '│' || r == ' ' })
		if strings.HasPrefix(line, "│") && len(f) == 2 && f[0] != "label" && f[0] != "string" {
			rows = append(rows, f[0]+"="+f[1])
		}
	}
	want := []string{"view=4", "click=2", "buy=1"}
	if strings.Join(rows, ",") != strings.Join(want, ",") {
		t.Errorf("got rows %v, want %v; output:\n%s", rows, want, text)
	}

	if err := run(ctx, []string{"sql", "-c", "SELECT nope FROM kinds", kinds}, nil, &out); err == nil || !strings.Contains(err.Error(), "42703") {
		t.Errorf("unknown column: got %v, want SQLSTATE 42703", err)
	}
	if err := run(ctx, []string{"serve"}, nil, &out); err == nil {
		t.Error("an unknown command must fail")
	}
}

// TestShell reads statements from standard input: a statement may span
// lines, a mistake is reported and the next statement still runs.
func TestShell(t *testing.T) {
	in := strings.NewReader("CREATE TABLE t(a INTEGER);\nINSERT INTO t VALUES (4),\n  (38);\nSELECT nope FROM t;\nSELECT sum(a) AS total\nFROM t;\n")
	var out bytes.Buffer
	err := run(context.Background(), []string{"sql"}, in, &out)
	if err == nil || !strings.Contains(err.Error(), "1 statement(s) failed") {
		t.Errorf("got %v, want one failed statement", err)
	}
	text := out.String()
	if !strings.Contains(text, "ERROR: sql 42703") {
		t.Errorf("the unknown column is not reported:\n%s", text)
	}
	if !strings.Contains(text, "│    42 │") {
		t.Errorf("the sum 4 + 38 is not printed:\n%s", text)
	}
}
