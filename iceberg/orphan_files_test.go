package iceberg_test

import (
	"context"
	"errors"
	"iter"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	iceberg "github.com/apache/iceberg-go"
	iceio "github.com/apache/iceberg-go/io"
	"github.com/apache/iceberg-go/table"

	"lakeframe/errs"
	"lakeframe/frame"
	lfice "lakeframe/iceberg"
	"lakeframe/internal/miniotest"
)

func TestOrphanFilesLocal(t *testing.T) {
	testOrphanFiles(t, "sqlite://"+filepath.Join(t.TempDir(), "cat.db"), nil)
}

func TestOrphanFilesMinio(t *testing.T) {
	s := miniotest.Start(t)
	bucket := s.NewBucket(t)
	testOrphanFiles(t, "sqlite://"+filepath.Join(t.TempDir(), "cat.db"), minioCatalogProps(s, bucket))
}

// testOrphanFiles builds a table with several snapshots (appends, an
// overwrite and a merge-on-read delete, so that old snapshots hold files
// the current one dropped, and delete files exist), plants orphans and
// leaves the data files of a write that never committed. FindOrphanFiles
// must report exactly those, older than the cutoff; after
// RemoveOrphanFiles every snapshot still reads its rows through
// iceberg-go's own scan.
func testOrphanFiles(t *testing.T, uri string, props map[string]string) {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	cat, err := lfice.OpenCatalog(ctx, uri, props)
	if err != nil {
		t.Fatal(err)
	}
	ident := table.Identifier{"lake", "orphans"}
	tbl, err := lfice.CreateTable(ctx, cat, ident, minioSchema,
		lfice.WithPartitioning(lfice.Identity("region")),
		lfice.WithTableProperties(map[string]string{
			table.WriteDeleteModeKey: table.WriteModeMergeOnRead,
		}))
	if err != nil {
		t.Fatal(err)
	}

	// Each snapshot's expected rows, built in Go.
	want := map[int64][]string{}
	var live []minioRow
	write := func(rows []minioRow, opts ...frame.IcebergWriteOption) {
		t.Helper()
		in := minioTable(rows)
		defer in.Release()
		if tbl, err = frame.FromArrow(in).WriteIceberg(ctx, tbl, opts...); err != nil {
			t.Fatal(err)
		}
	}
	record := func() {
		want[tbl.CurrentSnapshot().SnapshotID] = rowStrings(live)
	}
	live = minioRows(0, 60)
	write(live)
	record()
	live = append(live, minioRows(60, 100)...)
	write(minioRows(60, 100))
	record()
	live = minioRows(100, 150)
	write(live, frame.IcebergOverwrite())
	record()
	if tbl, err = tbl.Delete(ctx, iceberg.LessThan(iceberg.Reference("id"), int64(110)), nil); err != nil {
		t.Fatalf("merge-on-read delete: %v", err)
	}
	live = slices.DeleteFunc(live, func(r minioRow) bool { return r.id < 110 })
	record()
	if n := tbl.CurrentSnapshot().Summary.Properties["total-delete-files"]; n == "" || n == "0" {
		t.Fatalf("the merge-on-read delete wrote no delete files (summary %v)", tbl.CurrentSnapshot().Summary.Properties)
	}
	if len(want) != 4 {
		t.Fatalf("%d snapshots, want 4", len(want))
	}

	fsys, err := tbl.FS(ctx)
	if err != nil {
		t.Fatal(err)
	}
	wfs, ok := fsys.(iceio.WriteFileIO)
	if !ok {
		t.Fatalf("file io %T cannot write files", fsys)
	}
	loc := strings.TrimSuffix(tbl.Location(), "/")
	var planted []string
	plant := func(rel string) string {
		t.Helper()
		p := loc + "/" + rel
		if err := wfs.WriteFile(p, []byte("not referenced by anything")); err != nil {
			t.Fatalf("plant %s: %v", p, err)
		}
		return p
	}
	planted = append(planted,
		plant("data/orphan-00000.parquet"),
		plant("data/region=eu/orphan-00001.parquet"),
		plant("metadata/00099-stray.metadata.json"),
		plant("metadata/snap-stray.avro"),
	)
	// Outside data/ and metadata/: not the table's to judge.
	plant("README")
	// The data files of a write that died before committing.
	failed := minioTable(minioRows(1000, 1040))
	for df, err := range table.WriteRecords(ctx, tbl, minioSchema, batchesOf(failed)) {
		if err != nil {
			t.Fatalf("write uncommitted data files: %v", err)
		}
		planted = append(planted, df.FilePath())
	}
	failed.Release()

	// Modification times on object stores have second resolution.
	time.Sleep(1100 * time.Millisecond)
	cutoff := time.Now()
	time.Sleep(1100 * time.Millisecond)
	fresh := plant("data/region=us/in-flight.parquet")

	tbl, err = cat.LoadTable(ctx, ident)
	if err != nil {
		t.Fatal(err)
	}
	orphans, err := lfice.FindOrphanFiles(ctx, tbl, cutoff)
	if err != nil {
		t.Fatal(err)
	}
	if got, want := orphanKeys(orphanPaths(orphans)), orphanKeys(planted); !slices.Equal(got, want) {
		t.Errorf("orphans:\n %s\nwant:\n %s", strings.Join(got, "\n "), strings.Join(want, "\n "))
	}
	for _, o := range orphans {
		if !o.ModTime.Before(cutoff) {
			t.Errorf("orphan %s modified at %s, not before the cutoff %s", o.Path, o.ModTime, cutoff)
		}
	}

	// Everything becomes old enough with a later cutoff: the in-flight
	// file too, still nothing referenced.
	later, err := lfice.FindOrphanFiles(ctx, tbl, time.Now().Add(time.Second))
	if err != nil {
		t.Fatal(err)
	}
	if got, want := orphanKeys(orphanPaths(later)), orphanKeys(append(slices.Clone(planted), fresh)); !slices.Equal(got, want) {
		t.Errorf("orphans with a later cutoff:\n %s\nwant:\n %s", strings.Join(got, "\n "), strings.Join(want, "\n "))
	}

	if err := lfice.RemoveOrphanFiles(ctx, tbl, orphans); err != nil {
		t.Fatal(err)
	}
	again, err := lfice.FindOrphanFiles(ctx, tbl, cutoff)
	if err != nil {
		t.Fatal(err)
	}
	if len(again) != 0 {
		t.Errorf("after removal, still orphans: %v", orphanPaths(again))
	}
	checkSnapshots(ctx, t, tbl, want)

	// A path outside the table's folders is refused, and nothing removed.
	err = lfice.RemoveOrphanFiles(ctx, tbl, []lfice.OrphanFile{{Path: loc + "/README"}, {Path: fresh}})
	if !errors.Is(err, errs.ErrPlan) {
		t.Errorf("removing %s/README: got %v, want ErrPlan", loc, err)
	}
	if st, ok := fsys.(iceio.StatIO); ok {
		if _, err := st.Stat(fresh); err != nil {
			t.Errorf("refused removal deleted %s: %v", fresh, err)
		}
	}
}

// checkSnapshots reads every snapshot of tbl through iceberg-go's scan
// and compares its rows with want.
func checkSnapshots(ctx context.Context, t *testing.T, tbl *table.Table, want map[int64][]string) {
	t.Helper()
	for id, rows := range want {
		got, err := tbl.Scan(table.WithSnapshotID(id)).ToArrowTable(ctx)
		if err != nil {
			t.Errorf("snapshot %d: %v", id, err)
			continue
		}
		if g := minioTableRows(t, got); !slices.Equal(g, rows) {
			t.Errorf("snapshot %d: %d rows, want %d", id, len(g), len(rows))
		}
		got.Release()
	}
}

func orphanPaths(files []lfice.OrphanFile) []string {
	out := make([]string, len(files))
	for i, f := range files {
		out[i] = f.Path
	}
	return out
}

// orphanKeys spells paths without a file:// scheme, which listings drop,
// sorted.
func orphanKeys(paths []string) []string {
	out := make([]string, len(paths))
	for i, p := range paths {
		out[i] = strings.TrimPrefix(p, "file://")
	}
	slices.Sort(out)
	return out
}

// batchesOf yields tbl's batches for a consumer that releases them.
func batchesOf(tbl arrow.Table) iter.Seq2[arrow.RecordBatch, error] {
	return func(yield func(arrow.RecordBatch, error) bool) {
		rdr := array.NewTableReader(tbl, 16)
		defer rdr.Release()
		for rdr.Next() {
			rec := rdr.RecordBatch()
			rec.Retain()
			if !yield(rec, nil) {
				return
			}
		}
	}
}

func TestOrphanFilesNilTable(t *testing.T) {
	ctx := context.Background()
	if _, err := lfice.FindOrphanFiles(ctx, nil, time.Now()); !errors.Is(err, errs.ErrPlan) {
		t.Errorf("FindOrphanFiles(nil): got %v, want ErrPlan", err)
	}
	if err := lfice.RemoveOrphanFiles(ctx, nil, nil); !errors.Is(err, errs.ErrPlan) {
		t.Errorf("RemoveOrphanFiles(nil): got %v, want ErrPlan", err)
	}
}
