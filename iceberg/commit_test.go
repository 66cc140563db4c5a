package iceberg_test

import (
	"context"
	"errors"
	"io/fs"
	"net/url"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"
	"github.com/apache/iceberg-go/table"

	"lakeframe/iceberg"
	"lakeframe/internal/pgtest"
)

var batchSchema = arrow.NewSchema([]arrow.Field{
	{Name: "batch", Type: arrow.PrimitiveTypes.Int64},
	{Name: "row", Type: arrow.PrimitiveTypes.Int64},
}, nil)

// batchRows is batch b: rows rows of (b, 0..rows-1), as one record.
func batchRows(b int64, rows int) func(yield func(arrow.RecordBatch, error) bool) {
	return func(yield func(arrow.RecordBatch, error) bool) {
		bld := array.NewRecordBuilder(memory.DefaultAllocator, batchSchema)
		defer bld.Release()
		for r := range rows {
			bld.Field(0).(*array.Int64Builder).Append(b)
			bld.Field(1).(*array.Int64Builder).Append(int64(r))
		}
		yield(bld.NewRecordBatch(), nil)
	}
}

// batchCounts reads the table through iceberg-go's own scan and counts
// rows per batch id.
func batchCounts(t *testing.T, ctx context.Context, tbl *table.Table) map[int64]int {
	t.Helper()
	got, err := tbl.Scan().ToArrowTable(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer got.Release()
	counts := map[int64]int{}
	rdr := array.NewTableReader(got, 1024)
	defer rdr.Release()
	for rdr.Next() {
		col := rdr.RecordBatch().Column(0).(*array.Int64)
		for i := range col.Len() {
			counts[col.Value(i)]++
		}
	}
	return counts
}

func postgresCatalog(t *testing.T) (context.Context, string) {
	t.Helper()
	dsn := pgtest.Start(t)
	return context.Background(), dsn
}

func TestConcurrentAppendsPostgres(t *testing.T) {
	ctx, dsn := postgresCatalog(t)
	warehouse := "file://" + t.TempDir()
	cat, err := iceberg.OpenCatalog(ctx, dsn, map[string]string{"warehouse": warehouse})
	if err != nil {
		t.Fatal(err)
	}
	ident := table.Identifier{"lake", "batches"}
	if _, err := iceberg.CreateTable(ctx, cat, ident, batchSchema); err != nil {
		t.Fatal(err)
	}
	const writers, appends, rows = 8, 10, 3
	var wg sync.WaitGroup
	errs := make(chan error, writers*appends)
	for w := range writers {
		wg.Go(func() {
			// Each writer has its own catalog connection and table handle,
			// as separate processes would.
			cat, err := iceberg.OpenCatalog(ctx, dsn, map[string]string{"warehouse": warehouse})
			if err != nil {
				errs <- err
				return
			}
			tbl, err := cat.LoadTable(ctx, ident)
			if err != nil {
				errs <- err
				return
			}
			for a := range appends {
				out, err := iceberg.Write(ctx, tbl, batchSchema, batchRows(int64(w*appends+a), rows), iceberg.WriteOptions{})
				if err != nil {
					errs <- err
					return
				}
				tbl = out
			}
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	tbl, err := cat.LoadTable(ctx, ident)
	if err != nil {
		t.Fatal(err)
	}
	counts := batchCounts(t, ctx, tbl)
	if len(counts) != writers*appends {
		t.Errorf("%d distinct batches, want %d", len(counts), writers*appends)
	}
	for b, n := range counts {
		if n != rows {
			t.Errorf("batch %d has %d rows, want %d", b, n, rows)
		}
	}
	if n := len(tbl.Metadata().Snapshots()); n != writers*appends {
		t.Errorf("%d snapshots, want %d", n, writers*appends)
	}
	// Data files were written once per batch: no file of a lost attempt.
	if n := countFiles(t, tbl.Location(), ".parquet"); n != writers*appends {
		t.Errorf("%d data files on disk, want %d", n, writers*appends)
	}
}

// TestStaleWriterRetriesWithSameFiles commits through a table handle that
// another writer has moved past: with retries the write lands once, from
// the files it wrote once; without retries it fails naming the table, and
// neither its data files nor its manifests are left behind.
func TestStaleWriterRetriesWithSameFiles(t *testing.T) {
	ctx := context.Background()
	for _, tc := range []struct {
		name    string
		retries string
		wantErr bool
	}{
		{"retried", "3", false},
		{"no retries", "0", true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			cat, err := iceberg.OpenCatalog(ctx, "sqlite://"+filepath.Join(t.TempDir(), "cat.db"), nil)
			if err != nil {
				t.Fatal(err)
			}
			stale, err := iceberg.CreateTable(ctx, cat, table.Identifier{"ns", "t"}, batchSchema,
				iceberg.WithTableProperties(map[string]string{table.CommitNumRetriesKey: tc.retries}))
			if err != nil {
				t.Fatal(err)
			}
			winner, err := iceberg.Write(ctx, stale, batchSchema, batchRows(1, 2), iceberg.WriteOptions{})
			if err != nil {
				t.Fatal(err)
			}
			before := countFiles(t, stale.Location(), "")
			_, err = iceberg.Write(ctx, stale, batchSchema, batchRows(2, 5), iceberg.WriteOptions{})
			tbl, lerr := cat.LoadTable(ctx, table.Identifier{"ns", "t"})
			if lerr != nil {
				t.Fatal(lerr)
			}
			counts := batchCounts(t, ctx, tbl)
			if tc.wantErr {
				if !errors.Is(err, iceberg.ErrCommitConflict) || !strings.Contains(err.Error(), "ns.t") || !strings.Contains(err.Error(), "1 attempts") {
					t.Fatalf("err = %v, want a commit conflict naming ns.t and 1 attempts", err)
				}
				if tbl.CurrentSnapshot().SnapshotID != winner.CurrentSnapshot().SnapshotID || len(counts) != 1 || counts[1] != 2 {
					t.Errorf("table changed by a failed write: %v", counts)
				}
				if after := countFiles(t, stale.Location(), ""); after != before {
					t.Errorf("failed write left files: %d before, %d after", before, after)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if len(counts) != 2 || counts[1] != 2 || counts[2] != 5 {
				t.Errorf("rows per batch %v, want 1:2 2:5", counts)
			}
			if n := countFiles(t, stale.Location(), ".parquet"); n != 2 {
				t.Errorf("%d data files, want 2 (the retry reuses its file)", n)
			}
			// The lost attempt's manifest list and manifest are gone:
			// what is left is referenced by the two snapshots.
			if n := countFiles(t, stale.Location(), ".avro"); n != 4 {
				t.Errorf("%d avro files, want 4 (2 manifest lists, 2 manifests)", n)
			}
		})
	}
}

// countFiles counts files under a file:// location whose names end in
// suffix, metadata.json files excluded.
func countFiles(t *testing.T, location, suffix string) int {
	t.Helper()
	u, err := url.Parse(location)
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	err = filepath.WalkDir(u.Path, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if !d.IsDir() && strings.HasSuffix(p, suffix) && !strings.HasSuffix(p, ".metadata.json") {
			n++
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return n
}
