package frame_test

import (
	"context"
	"fmt"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/apache/iceberg-go/table"

	"lakeframe/expr"
	"lakeframe/frame"
	"lakeframe/iceberg"
)

// TestIcebergScanReport reads a two-append table (four files per append,
// one per partition; two manifests) with filters and checks what
// WithScanReport and Explain show: the figures of that plan, with the
// source described by table and snapshot only.
func TestIcebergScanReport(t *testing.T) {
	ctx := context.Background()
	cat, err := iceberg.OpenCatalog(ctx, "sqlite://"+filepath.Join(t.TempDir(), "catalog.db"), nil)
	if err != nil {
		t.Fatal(err)
	}
	tbl, snaps := writeCatalogTable(t, cat, [2]int{0, 100}, [2]int{100, 250})

	// Sizes and record counts of the files each append wrote, from
	// iceberg-go's own planning.
	type file struct {
		size, rows int64
		part       int32
	}
	filesOf := func(snap int64) map[string]file {
		scan := tbl.Scan(table.WithSnapshotID(snap))
		defer scan.Close()
		tasks, err := scan.PlanFiles(ctx)
		if err != nil {
			t.Fatal(err)
		}
		out := map[string]file{}
		for _, ft := range tasks {
			out[ft.File.FilePath()] = file{ft.File.FileSizeBytes(), ft.File.Count(), ft.File.Partition()[1000].(int32)}
		}
		return out
	}
	first, all := filesOf(snaps[0]), filesOf(snaps[1])
	if len(first) != 4 || len(all) != 8 {
		t.Fatalf("appends wrote %d and %d files, want 4 and 8", len(first), len(all))
	}
	sum := func(keep func(path string, f file) bool) (n int, bytes, rows int64) {
		for p, f := range all {
			if keep(p, f) {
				n++
				bytes += f.size
				rows += f.rows
			}
		}
		return n, bytes, rows
	}
	second := func(p string, _ file) bool { _, ok := first[p]; return !ok }

	cases := []struct {
		name    string
		df      *frame.DataFrame
		snap    int64
		total   int
		keep    func(string, file) bool
		details []string // besides snapshot and delete_files=0
		absent  []string
	}{
		// Only the second append's files hold k in [120, 130); the
		// manifests summarize partitions only, so both are read. Rows are
		// checked again.
		{"metrics", frame.ReadIceberg(tbl).Where(expr.Col("k").Ge(120).And(expr.Col("k").Lt(130))), snaps[1], 8, second,
			[]string{"manifests=2/2", "pushed=[(k >= 120), (k < 130)]", "residual=[(k >= 120), (k < 130)]"}, nil},
		{"partition", frame.ReadIceberg(tbl).Where(expr.Col("part").Eq(2)), snaps[1], 8,
			func(_ string, f file) bool { return f.part == 2 },
			[]string{"manifests=2/2", "pushed=[(part = 2)]"}, []string{"residual="}},
		// k % 2 says nothing statistics can use: it is not pushed, nothing
		// is pruned.
		{"not pushed", frame.ReadIceberg(tbl).Where(expr.Col("k").Mod(2).Eq(0)), snaps[1], 8,
			func(string, file) bool { return true },
			[]string{"manifests=2/2"}, []string{"pushed=", "residual="}},
		// Each side of the OR has a part statistics cannot use: the rest
		// prunes, and the whole predicate is checked on rows.
		{"partly pushed", frame.ReadIceberg(tbl).Where(expr.Col("part").Eq(2).And(expr.Col("k").Mod(2).Eq(0)).Or(
			expr.Col("part").Eq(3).And(expr.Col("k").Mod(3).Eq(0)))), snaps[1], 8,
			func(_ string, f file) bool { return f.part == 2 || f.part == 3 },
			[]string{"manifests=2/2", "pushed=[(((part = 2) AND ((k % 2) = 0)) OR", "residual=[(((part = 2) AND ((k % 2) = 0)) OR"}, nil},
		{"time travel", frame.ReadIceberg(tbl, frame.AtSnapshot(snaps[0])), snaps[0], 4,
			func(p string, _ file) bool { _, ok := first[p]; return ok },
			[]string{"manifests=1/1"}, []string{"pushed=", "residual="}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			var reports []frame.ScanReport
			out, err := c.df.Collect(ctx, frame.WithScanReport(func(r frame.ScanReport) { reports = append(reports, r) }))
			if err != nil {
				t.Fatal(err)
			}
			out.Release()
			if len(reports) != 1 {
				t.Fatalf("%d scan reports, want 1", len(reports))
			}
			r := reports[0]
			if r.Kind != "iceberg" || r.Source != fmt.Sprintf("ns.t snapshot=%d", c.snap) {
				t.Errorf("report names %s %q, want iceberg \"ns.t snapshot=%d\"", r.Kind, r.Source, c.snap)
			}
			n, bytes, rows := sum(c.keep)
			st := r.Stats
			if st.FilesKept != n || st.FilesTotal != c.total || st.BytesToRead != bytes || st.RowsEstimate != rows {
				t.Errorf("files %d/%d bytes %d rows %d, want %d/%d bytes %d rows %d",
					st.FilesKept, st.FilesTotal, st.BytesToRead, st.RowsEstimate, n, c.total, bytes, rows)
			}
			want := append([]string{fmt.Sprintf("snapshot=%d", c.snap), "delete_files=0"}, c.details...)
			details := strings.Join(st.Details, " ")
			for _, w := range want {
				if !strings.Contains(details, w) {
					t.Errorf("details %q lack %q", details, w)
				}
			}
			for _, a := range c.absent {
				if strings.Contains(details, a) {
					t.Errorf("details %q have %q", details, a)
				}
			}

			plan, err := c.df.Explain(ctx)
			if err != nil {
				t.Fatal(err)
			}
			line := ""
			for l := range strings.Lines(plan) {
				if strings.Contains(l, "ScanExec iceberg") {
					line = l
				}
			}
			figures := st.String()
			if !strings.Contains(line, figures) {
				t.Errorf("explain's scan line %q lacks the report's figures %q", line, figures)
			}
			if !strings.Contains(line, fmt.Sprintf("files=%d/%d", n, c.total)) {
				t.Errorf("explain's scan line %q lacks files=%d/%d", line, n, c.total)
			}
		})
	}

	// The partition filter is exact: the scan applies it, no Filter stays.
	plan, err := frame.ReadIceberg(tbl).Where(expr.Col("part").Eq(2)).Explain(ctx)
	if err != nil {
		t.Fatal(err)
	}
	opt := plan[strings.Index(plan, "== Optimized plan =="):strings.Index(plan, "== Physical plan ==")]
	if strings.Contains(opt, "Filter") {
		t.Errorf("exact partition filter left a Filter:\n%s", plan)
	}
	if !slices.Contains(strings.Fields(opt), "filters=[(part") {
		t.Errorf("partition filter not in the scan:\n%s", plan)
	}
}
