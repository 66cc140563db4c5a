package iceberg_test

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/compute"
	"github.com/apache/arrow-go/v18/arrow/memory"
	iceio "github.com/apache/iceberg-go/io"
	"github.com/apache/iceberg-go/table"

	lfice "lakeframe/iceberg"
)

// failingIO is a table's FileIO that fails one data file: its Create, a
// write into it, or its Close (an upload that fails at the end).
type failingIO struct {
	iceio.WriteFileIO
	mode string // "create", "write" or "close"
	nth  int    // the data file that fails, from 1

	mu      sync.Mutex
	created int
}

var errInjected = errors.New("injected failure")

func (f *failingIO) Create(name string) (iceio.FileWriter, error) {
	if !strings.HasSuffix(name, ".parquet") {
		return f.WriteFileIO.Create(name)
	}
	f.mu.Lock()
	f.created++
	n := f.created
	f.mu.Unlock()
	if n == f.nth && f.mode == "create" {
		return nil, fmt.Errorf("create %s: %w", name, errInjected)
	}
	w, err := f.WriteFileIO.Create(name)
	if err != nil || n != f.nth {
		return w, err
	}
	return &failingWriter{FileWriter: w, mode: f.mode}, nil
}

type failingWriter struct {
	iceio.FileWriter
	mode    string
	written int
}

func (w *failingWriter) Write(p []byte) (int, error) {
	if w.mode == "write" && w.written > 0 {
		return 0, errInjected
	}
	n, err := w.FileWriter.Write(p)
	w.written += n
	return n, err
}

func (w *failingWriter) Close() error {
	err := w.FileWriter.Close()
	if w.mode == "close" {
		return errors.Join(err, errInjected)
	}
	return err
}

// TestWriteFailingFile: whichever data file fails, and however (its
// creation, a write, its close), Write returns the error, commits
// nothing and leaves no data file behind, with the other partitions'
// files already finished or still open. No Arrow memory leaks (but see
// the write case).
func TestWriteFailingFile(t *testing.T) {
	for _, mode := range []string{"create", "write", "close"} {
		for _, nth := range []int{1, 3, 7} {
			t.Run(fmt.Sprintf("%s_%d", mode, nth), func(t *testing.T) {
				mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
				if mode != "write" {
					// When the output fails while a row group is flushed,
					// arrow-go's pqarrow.FileWriter.Close returns before it
					// releases its encoding buffer (v18.8.0): that buffer is
					// left to the garbage collector, out of lakeframe's reach.
					defer mem.AssertSize(t, 0)
				}
				ctx := compute.WithAllocator(context.Background(), mem)
				dir := t.TempDir()
				cat, err := lfice.OpenCatalog(ctx, "sqlite://"+filepath.Join(dir, "cat.db"), map[string]string{"warehouse": "file://" + dir})
				if err != nil {
					t.Fatal(err)
				}
				ident := table.Identifier{"lake", "fail"}
				tbl, err := lfice.CreateTable(ctx, cat, ident, minioSchema, lfice.WithPartitioning(lfice.Bucket("id", 8)),
					lfice.WithTableProperties(map[string]string{table.ParquetRowGroupLimitKey: "100"}))
				if err != nil {
					t.Fatal(err)
				}
				// Some rows first, so there is a snapshot to keep.
				rec := minioRecord(minioRows(0, 10))
				if tbl, err = lfice.Write(ctx, tbl, minioSchema, batchesOfRecords(rec), lfice.WriteOptions{}); err != nil {
					t.Fatal(err)
				}
				before := tbl.CurrentSnapshot().SnapshotID
				kept := dataFiles(t, dir)

				fsys, err := tbl.FS(ctx)
				if err != nil {
					t.Fatal(err)
				}
				fio := &failingIO{WriteFileIO: fsys.(iceio.WriteFileIO), mode: mode, nth: nth}
				bad := table.New(tbl.Identifier(), tbl.Metadata(), tbl.MetadataLocation(),
					func(context.Context) (iceio.IO, error) { return fio, nil }, cat.(table.CatalogIO))
				var recs []arrow.RecordBatch
				for from := int64(100); from < 5100; from += 500 {
					recs = append(recs, checkedRecord(mem, minioRows(from, from+500)))
				}
				_, err = lfice.Write(ctx, bad, minioSchema, batchesOfRecords(recs...), lfice.WriteOptions{})
				if !errors.Is(err, errInjected) {
					t.Fatalf("write with a failing data file: %v", err)
				}
				if fio.created < nth {
					t.Fatalf("only %d data files created, the test wants %d", fio.created, nth)
				}
				fresh, err := cat.LoadTable(ctx, ident)
				if err != nil {
					t.Fatal(err)
				}
				if got := fresh.CurrentSnapshot().SnapshotID; got != before {
					t.Errorf("a failed write committed snapshot %d", got)
				}
				if left := dataFiles(t, dir); len(left) != len(kept) {
					t.Errorf("%d data files left behind: %v", len(left)-len(kept), left)
				}
			})
		}
	}
}

// batchesOfRecords yields recs to a consumer that releases them.
func batchesOfRecords(recs ...arrow.RecordBatch) func(yield func(arrow.RecordBatch, error) bool) {
	return func(yield func(arrow.RecordBatch, error) bool) {
		for i, r := range recs {
			if !yield(r, nil) {
				for _, rest := range recs[i+1:] {
					rest.Release()
				}
				return
			}
		}
	}
}

// checkedRecord is rows as one batch of minioSchema allocated in mem.
func checkedRecord(mem memory.Allocator, rows []minioRow) arrow.RecordBatch {
	b := array.NewRecordBuilder(mem, minioSchema)
	defer b.Release()
	for _, r := range rows {
		b.Field(0).(*array.Int64Builder).Append(r.id)
		if r.region == "" {
			b.Field(1).AppendNull()
		} else {
			b.Field(1).(*array.StringBuilder).Append(r.region)
		}
		if r.amount < 0 {
			b.Field(2).AppendNull()
		} else {
			b.Field(2).(*array.Float64Builder).Append(r.amount)
		}
	}
	return b.NewRecordBatch()
}

// dataFiles lists the Parquet files under dir.
func dataFiles(t *testing.T, dir string) []string {
	t.Helper()
	var out []string
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if !d.IsDir() && strings.HasSuffix(p, ".parquet") {
			out = append(out, p)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}
