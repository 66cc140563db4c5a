//go:build cgo

package frame_test

import (
	"context"
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
	shared := ducklaketest.CopySharedCatalog(t)
	cat, err := duckdbcat.Open(context.Background(), shared.CatalogPath, ducklake.Options{DataPath: shared.DataDir})
	if err != nil {
		t.Fatal(err)
	}
	defer cat.Close()
	want := strconv.FormatInt(shared.Count, 10)
	if got := collectLines(t, frame.ReadDuckLake(cat, "test").Count()); len(got) != 1 || got[0] != want {
		t.Errorf("count %v, want %s", got, want)
	}
	// Positions 91..99 are deleted: ids 0..90 remain.
	if got := collectLines(t, frame.ReadDuckLake(cat, "test").Where(expr.Col("id").Ge(85))); strings.Join(got, ",") != "85,86,87,88,89,90" {
		t.Errorf("ids >= 85: %v", got)
	}
}
