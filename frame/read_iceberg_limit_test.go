package frame_test

import (
	"context"
	"path/filepath"
	"strings"
	"testing"

	ice "github.com/apache/iceberg-go"
	"github.com/apache/iceberg-go/table"

	"lakeframe/expr"
	"lakeframe/frame"
	"lakeframe/iceberg"
)

// TestIcebergLimit: a limit over exact (partition) filters goes into the
// Iceberg scan, which keeps only the files that reach it; over other
// filters it stays above. Files with delete files never count toward it.
func TestIcebergLimit(t *testing.T) {
	ctx := context.Background()
	cat, err := iceberg.OpenCatalog(ctx, "sqlite://"+filepath.Join(t.TempDir(), "catalog.db"), nil)
	if err != nil {
		t.Fatal(err)
	}
	// Eight files: parts 0-3 with 25 rows each, then 37 or 38 each.
	tbl, _ := writeCatalogTable(t, cat, [2]int{0, 100}, [2]int{100, 250})
	// del: four files of 25 rows, each with a positional delete file (one
	// of k = 48..51 in each partition).
	del := createCatalogTable(t, cat, "del", true, ice.Properties{table.WriteDeleteModeKey: table.WriteModeMergeOnRead})
	del = appendCatalogRows(t, del, 0, 100)
	tx := del.NewTransaction()
	if err := tx.Delete(ctx, ice.IsIn(ice.Reference("k"), int64(48), int64(49), int64(50), int64(51)), nil); err != nil {
		t.Fatal(err)
	}
	if del, err = tx.Commit(ctx); err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		name      string
		df        *frame.DataFrame
		scanLimit bool // the limit is in the scan
		files     int  // files the scan keeps
		rows      int
		keep      func(catalogRow) bool
	}{
		{"no filter", frame.ReadIceberg(tbl).Limit(3), true, 1, 3, func(catalogRow) bool { return true }},
		// Either file of part 2 holds 20 rows.
		{"partition filter", frame.ReadIceberg(tbl).Where(expr.Col("part").Eq(2)).Limit(20), true, 1, 20,
			func(r catalogRow) bool { return r.part == 2 }},
		{"row filter", frame.ReadIceberg(tbl).Where(expr.Col("k").Ge(240)).Limit(3), false, 4, 3,
			func(r catalogRow) bool { return r.k >= 240 }},
		{"deletes", frame.ReadIceberg(del).Limit(3), true, 4, 3, func(r catalogRow) bool { return r.k < 48 || r.k > 51 }},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			var reports []frame.ScanReport
			rows := collectCatalogRowsWith(t, c.df, frame.WithScanReport(func(r frame.ScanReport) { reports = append(reports, r) }))
			if len(rows) != c.rows {
				t.Errorf("%d rows, want %d", len(rows), c.rows)
			}
			for _, r := range rows {
				if !c.keep(r) || r != wantCatalogRow(int(r.k)) {
					t.Errorf("row %+v should not be read", r)
				}
			}
			if len(reports) != 1 || reports[0].Stats.FilesKept != c.files {
				t.Errorf("scan reports %+v, want one keeping %d files", reports, c.files)
			}
			plan, err := c.df.Explain(ctx)
			if err != nil {
				t.Fatal(err)
			}
			scan := ""
			for l := range strings.Lines(plan) {
				if strings.Contains(l, "ScanExec iceberg") {
					scan = l
				}
			}
			if got := strings.Contains(scan, " limit="); got != c.scanLimit {
				t.Errorf("limit in scan = %v, want %v: %s", got, c.scanLimit, scan)
			}
		})
	}
}
