package ducklake

import (
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"
	pq "github.com/apache/arrow-go/v18/parquet"
	"github.com/apache/arrow-go/v18/parquet/compress"
	"github.com/apache/arrow-go/v18/parquet/pqarrow"
	"github.com/google/uuid"

	"lakeframe/errs"
	"lakeframe/exec/sink"
)

// writtenFile is a Parquet file written for a table, before the catalog
// knows it: its id is given at commit.
type writtenFile struct {
	name       string // relative to the table directory
	path       string // absolute
	rows       int64
	size       int64
	footerSize int64
	stats      []*columnStats // per table column; nil for delete files
	// For delete files: the data file the positions are of.
	dataFileID int64
	// partition holds, for files of a partitioned table, the text of each
	// partition key (nil: NULL).
	partition []*string
}

// dataFileWriter writes a table's rows into Parquet data files under the
// table directory, rolled at a target size, with field ids equal to the
// column ids, and keeps each file's column statistics.
type dataFileWriter struct {
	dir     string
	prefix  string        // subdirectory of dir, "" or ending in "/"
	schema  *arrow.Schema // the table's columns, with field ids
	target  int64
	mem     memory.Allocator
	cur     *sink.ParquetFile
	curFile *writtenFile
	done    []*writtenFile
}

// newDataFileWriter writes files of cols into dir, a local directory.
func newDataFileWriter(dir string, cols []Column, opts WriteOptions) (*dataFileWriter, error) {
	fields := make([]arrow.Field, len(cols))
	for i := range cols {
		f, err := fieldWithIDs(&cols[i])
		if err != nil {
			return nil, err
		}
		fields[i] = f
	}
	return &dataFileWriter{dir: dir, schema: arrow.NewSchema(fields, nil), target: opts.targetFileSize(), mem: opts.mem()}, nil
}

// parquetProps are the writer settings of data and delete files: Snappy
// (DuckDB's default) and statistics for row-group pruning.
func parquetProps(mem memory.Allocator) *pq.WriterProperties {
	return pq.NewWriterProperties(pq.WithAllocator(mem), pq.WithCompression(compress.Codecs.Snappy),
		pq.WithStats(true), pq.WithMaxRowGroupLength(rowGroupRows))
}

// write appends a batch whose columns are the table's, in order and of
// its types.
func (w *dataFileWriter) write(rec arrow.RecordBatch) error {
	if rec.NumRows() == 0 {
		return nil
	}
	if w.cur == nil {
		if err := w.open(); err != nil {
			return err
		}
	}
	// Nested columns take the types that carry the field ids.
	cols := make([]arrow.Array, rec.NumCols())
	for i, col := range rec.Columns() {
		if to := w.schema.Field(i).Type; arrow.IsNested(to.ID()) {
			d := retype(col.Data(), to)
			cols[i] = array.MakeFromData(d)
			d.Release()
		} else {
			col.Retain()
			cols[i] = col
		}
	}
	out := array.NewRecordBatch(w.schema, cols, rec.NumRows())
	releaseAll(cols)
	defer out.Release()
	for i, col := range out.Columns() {
		w.curFile.stats[i].add(col)
	}
	if err := w.cur.Write(out); err != nil {
		return fmt.Errorf("%w: write data file %s: %w", errs.ErrExec, w.curFile.path, err)
	}
	w.curFile.rows += out.NumRows()
	if w.cur.Size() >= w.target {
		return w.finish()
	}
	return nil
}

func (w *dataFileWriter) open() error {
	name := w.prefix + "ducklake-" + uuid.Must(uuid.NewV7()).String() + ".parquet"
	f := &writtenFile{name: name, path: filepath.Join(w.dir, name), stats: make([]*columnStats, w.schema.NumFields())}
	for i, fld := range w.schema.Fields() {
		f.stats[i] = newColumnStats(fld.Type)
	}
	pf, err := createParquet(f.path, w.schema, w.mem)
	if err != nil {
		return err
	}
	w.cur, w.curFile = pf, f
	return nil
}

// createParquet creates a local Parquet file, and its directory.
func createParquet(path string, schema *arrow.Schema, mem memory.Allocator) (*sink.ParquetFile, error) {
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return nil, fmt.Errorf("%w: create directory for %s: %w", errs.ErrExec, path, err)
	}
	out, err := os.Create(path)
	if err != nil {
		return nil, fmt.Errorf("%w: create %s: %w", errs.ErrExec, path, err)
	}
	pf, err := sink.NewParquetFile(out, schema, parquetProps(mem), pqarrow.DefaultWriterProps(), 0)
	if err != nil {
		os.Remove(path)
		return nil, fmt.Errorf("%w: write %s: %w", errs.ErrExec, path, err)
	}
	return pf, nil
}

// finish closes the open file and keeps it.
func (w *dataFileWriter) finish() error {
	if w.cur == nil {
		return nil
	}
	pf, f := w.cur, w.curFile
	w.cur, w.curFile = nil, nil
	if err := closeParquet(pf, f); err != nil {
		os.Remove(f.path)
		return err
	}
	w.done = append(w.done, f)
	return nil
}

// closeParquet writes the footer and records the file's size, footer size
// and per-column compressed sizes.
func closeParquet(pf *sink.ParquetFile, f *writtenFile) error {
	meta, size, err := pf.Close()
	if err != nil {
		return fmt.Errorf("%w: finish %s: %w", errs.ErrExec, f.path, err)
	}
	if meta.NumRows != f.rows {
		return fmt.Errorf("%w: finish %s: footer says %d rows, %d were written", errs.ErrInternal, f.path, meta.NumRows, f.rows)
	}
	f.size = size
	for rg := 0; rg < meta.NumRowGroups(); rg++ {
		g := meta.RowGroup(rg)
		for i := range f.stats {
			if i < g.NumColumns() {
				if cc, err := g.ColumnChunk(i); err == nil {
					f.stats[i].compressedSize += cc.TotalCompressedSize()
				}
			}
		}
	}
	f.footerSize, err = footerSize(f.path, size)
	return err
}

// footerSize reads the length of a Parquet file's footer from its tail.
func footerSize(path string, size int64) (int64, error) {
	fh, err := os.Open(path)
	if err != nil {
		return 0, fmt.Errorf("%w: read back %s: %w", errs.ErrExec, path, err)
	}
	defer fh.Close()
	var tail [8]byte
	if _, err := fh.ReadAt(tail[:], size-8); err != nil && !errors.Is(err, io.EOF) {
		return 0, fmt.Errorf("%w: read back %s: %w", errs.ErrExec, path, err)
	}
	return int64(binary.LittleEndian.Uint32(tail[:4])), nil
}

// close finishes the last file and returns every file written.
func (w *dataFileWriter) close() ([]*writtenFile, error) {
	if err := w.finish(); err != nil {
		w.abort()
		return nil, err
	}
	return w.done, nil
}

// abort gives up the open file and removes every file written.
func (w *dataFileWriter) abort() {
	if w.cur != nil {
		_ = w.cur.Abort()
		os.Remove(w.curFile.path)
		w.cur, w.curFile = nil, nil
	}
	removeFiles(w.done)
	w.done = nil
}

// removeFiles deletes files a change gives up, best effort.
func removeFiles(fs []*writtenFile) {
	for _, f := range fs {
		os.Remove(f.path)
	}
}
