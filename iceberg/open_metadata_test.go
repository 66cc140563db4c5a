package iceberg

import (
	"compress/gzip"
	"context"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/memory"
	"github.com/apache/iceberg-go/table"

	"lakeframe/plan"
)

// readRows plans a full scan of tbl and counts the rows its tasks read.
func readRows(t *testing.T, tbl *table.Table) int {
	t.Helper()
	src, err := NewSource(tbl, ScanOptions{})
	if err != nil {
		t.Fatal(err)
	}
	p, err := src.Plan(context.Background(), plan.Pushdown{Limit: -1})
	if err != nil {
		t.Fatal(err)
	}
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)
	n := 0
	scanTasks(context.Background(), t, src, p.Tasks, mem, func(rec arrow.RecordBatch) {
		n += int(rec.NumRows())
	})
	return n
}

func copyFile(t *testing.T, from, to string, gz bool) {
	t.Helper()
	b, err := os.ReadFile(from)
	if err != nil {
		t.Fatal(err)
	}
	f, err := os.Create(to)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var w io.Writer = f
	if gz {
		zw := gzip.NewWriter(f)
		defer zw.Close()
		w = zw
	}
	if _, err := w.Write(b); err != nil {
		t.Fatal(err)
	}
}

// TestOpenMetadataVersionHint opens a table written through the SQLite
// catalog (three metadata files: created, first append, second append)
// straight from its files: a metadata file, gzip-compressed ones, and
// the table folder through version-hint.text holding a version number
// or a file stem.
func TestOpenMetadataVersionHint(t *testing.T) {
	l := layout{days: 2, regions: 2, ids: 10, buckets: 2}
	tbl := createGenerated(t, l)
	ctx := context.Background()
	loc := strings.TrimPrefix(tbl.Location(), "file://")
	metaDir := filepath.Join(loc, "metadata")
	written, err := filepath.Glob(filepath.Join(metaDir, "*.metadata.json"))
	if err != nil {
		t.Fatal(err)
	}
	slices.Sort(written) // 00000-..., 00001-...
	if len(written) != 2 {
		t.Fatalf("metadata files %v, want 2 (created, appended)", written)
	}
	created, current := written[0], written[1]
	if filepath.Base(current) != filepath.Base(tbl.MetadataLocation()) {
		t.Fatalf("latest metadata %s, table's %s", current, tbl.MetadataLocation())
	}
	copyFile(t, current, filepath.Join(metaDir, "v3.metadata.json"), false)
	copyFile(t, current, filepath.Join(metaDir, "v4.gz.metadata.json"), true)
	copyFile(t, current, filepath.Join(metaDir, "v5.metadata.json.gz"), true)
	hint := func(s string) {
		if err := os.WriteFile(filepath.Join(metaDir, "version-hint.text"), []byte(s), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	stem := strings.TrimSuffix(filepath.Base(created), ".metadata.json")

	cases := []struct {
		name, hint, path string
		want             string // base name of the metadata file opened
		snapshots, rows  int
		err              string
	}{
		{name: "metadata file", path: current, want: filepath.Base(current), snapshots: 1, rows: l.rows()},
		{name: "file uri", path: "file://" + current, want: filepath.Base(current), snapshots: 1, rows: l.rows()},
		{name: "gzip file", path: filepath.Join(metaDir, "v5.metadata.json.gz"), want: "v5.metadata.json.gz", snapshots: 1, rows: l.rows()},
		{name: "hint number, table folder", hint: "3\n", path: loc, want: "v3.metadata.json", snapshots: 1, rows: l.rows()},
		{name: "hint number, metadata folder", hint: "3", path: metaDir, want: "v3.metadata.json", snapshots: 1, rows: l.rows()},
		{name: "hint number, folder uri", hint: "3", path: "file://" + loc, want: "v3.metadata.json", snapshots: 1, rows: l.rows()},
		{name: "hint number, gzip", hint: "4", path: loc, want: "v4.gz.metadata.json", snapshots: 1, rows: l.rows()},
		{name: "hint stem", hint: stem + "\n", path: loc, want: filepath.Base(created), snapshots: 0, rows: 0},
		{name: "hint file name", hint: filepath.Base(created), path: loc, want: filepath.Base(created), snapshots: 0, rows: 0},
		{name: "hint to a missing version", hint: "9", path: loc, err: `version hint "9"`},
		{name: "hint to a missing stem", hint: "00009-nope", path: loc, err: "names no metadata file"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if c.hint != "" {
				hint(c.hint)
			}
			got, err := OpenMetadata(ctx, c.path)
			if c.err != "" {
				if err == nil || !strings.Contains(err.Error(), c.err) {
					t.Fatalf("err = %v, want one containing %q", err, c.err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if base := filepath.Base(got.MetadataLocation()); base != c.want {
				t.Errorf("opened %s, want %s", base, c.want)
			}
			if n := len(got.Metadata().Snapshots()); n != c.snapshots {
				t.Errorf("%d snapshots, want %d", n, c.snapshots)
			}
			if got.Identifier()[0] != "events" {
				t.Errorf("table named %v, want events (its folder)", got.Identifier())
			}
			if n := readRows(t, got); n != c.rows {
				t.Errorf("read %d rows, want %d", n, c.rows)
			}
		})
	}

	t.Run("folder without hint", func(t *testing.T) {
		if err := os.Remove(filepath.Join(metaDir, "version-hint.text")); err != nil {
			t.Fatal(err)
		}
		_, err := OpenMetadata(ctx, loc)
		if err == nil || !strings.Contains(err.Error(), "version-hint.text") {
			t.Fatalf("err = %v, want one naming version-hint.text", err)
		}
	})

	// The table's folder moved: the hint is read where the folder is now,
	// and the paths inside the metadata are remapped.
	t.Run("moved table", func(t *testing.T) {
		moved := filepath.Join(t.TempDir(), "moved")
		if err := os.Rename(loc, moved); err != nil {
			t.Fatal(err)
		}
		defer os.Rename(moved, loc)
		if err := os.WriteFile(filepath.Join(moved, "metadata", "version-hint.text"), []byte("3"), 0o644); err != nil {
			t.Fatal(err)
		}
		got, err := OpenMetadata(ctx, moved, WithLocationRemap(tbl.Location(), moved))
		if err != nil {
			t.Fatal(err)
		}
		if n := readRows(t, got); n != l.rows() {
			t.Errorf("read %d rows, want %d", n, l.rows())
		}
	})
}
