//go:build cgo

package frame_test

import (
	"compress/gzip"
	"context"
	"encoding/json"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"lakeframe/ducklake"
	"lakeframe/ducklake/duckdbcat"
	"lakeframe/ducklake/ducklaketest"
	"lakeframe/expr"
	"lakeframe/frame"
)

// TestReadDuckLakeSharedCatalog counts the table of the catalog DuckDB's
// ducklake extension wrote, which DuckLake's own test expects to hold 91
// rows after its delete file.
func TestReadDuckLakeSharedCatalog(t *testing.T) {
	td := ducklaketest.SharedTestdata(t)
	raw, err := os.ReadFile(filepath.Join(td, "ducklake_cases.json"))
	if err != nil {
		t.Fatal(err)
	}
	var entries []struct {
		Catalog  string `json:"catalog"`
		DataPath string `json:"data_path"`
		Cases    []struct {
			Expected struct {
				Count *int64 `json:"count"`
			} `json:"expected"`
		} `json:"cases"`
	}
	if err := json.Unmarshal(raw, &entries); err != nil {
		t.Fatal(err)
	}
	if len(entries) == 0 || len(entries[0].Cases) == 0 || entries[0].Cases[0].Expected.Count == nil {
		t.Fatal("ducklake_cases.json has no count case")
	}
	e := entries[0]
	dir := t.TempDir()
	in, err := os.Open(filepath.Join(td, e.Catalog))
	if err != nil {
		t.Fatal(err)
	}
	defer in.Close()
	zr, err := gzip.NewReader(in)
	if err != nil {
		t.Fatal(err)
	}
	catPath := filepath.Join(dir, strings.TrimSuffix(filepath.Base(e.Catalog), ".gz"))
	out, err := os.Create(catPath)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := io.Copy(out, zr); err != nil {
		t.Fatal(err)
	}
	out.Close()
	cat, err := duckdbcat.Open(context.Background(), catPath, ducklake.Options{DataPath: filepath.Join(td, e.DataPath)})
	if err != nil {
		t.Fatal(err)
	}
	defer cat.Close()
	want := strconv.FormatInt(*e.Cases[0].Expected.Count, 10)
	if got := collectLines(t, frame.ReadDuckLake(cat, "test").Count()); len(got) != 1 || got[0] != want {
		t.Errorf("count %v, want %s", got, want)
	}
	// Positions 91..99 are deleted: ids 0..90 remain.
	if got := collectLines(t, frame.ReadDuckLake(cat, "test").Where(expr.Col("id").Ge(85))); strings.Join(got, ",") != "85,86,87,88,89,90" {
		t.Errorf("ids >= 85: %v", got)
	}
}
