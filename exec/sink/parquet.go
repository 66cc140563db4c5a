package sink

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/compute"
	"github.com/apache/arrow-go/v18/arrow/memory"
	pq "github.com/apache/arrow-go/v18/parquet"
	"github.com/apache/arrow-go/v18/parquet/compress"
	"github.com/apache/arrow-go/v18/parquet/pqarrow"

	"lakeframe/errs"
	"lakeframe/exec"
	"lakeframe/exec/source/files"
)

// ParquetOptions configure WriteParquet.
type ParquetOptions struct {
	// PartitionBy writes a hive-style tree key=value/part-N.parquet with
	// these columns taken out of the files.
	PartitionBy []string
	// Compression is "snappy" (the default), "zstd", "gzip", "lz4",
	// "brotli" or "none".
	Compression string
	// RowGroupSize is the most rows per row group; 0 means 122880.
	RowGroupSize int64
	// MaxOpenFiles bounds the files a partitioned write keeps open; when
	// more partitions are active, the least recently written file is
	// finished and the partition continues in a new part file. 0 means 64.
	MaxOpenFiles int
	// Overwrite replaces an existing output; without it an existing path
	// is an error.
	Overwrite bool
	// Mem allocates the writer's buffers; nil means the Go allocator.
	Mem memory.Allocator
	// S3 configures the object store for s3:// paths; nil means the AWS
	// environment variables.
	S3 *files.S3Config
}

var codecs = map[string]compress.Compression{
	"": compress.Codecs.Snappy, "snappy": compress.Codecs.Snappy, "zstd": compress.Codecs.Zstd,
	"gzip": compress.Codecs.Gzip, "lz4": compress.Codecs.Lz4Raw, "brotli": compress.Codecs.Brotli,
	"none": compress.Codecs.Uncompressed, "uncompressed": compress.Codecs.Uncompressed,
}

// WriteParquet writes every batch of in to path and closes in. Without
// PartitionBy, a path ending in ".parquet" is written as one file and any
// other path as a directory holding part-0.parquet. With PartitionBy, path
// is a directory of key=value subdirectories, values escaped as hive
// escapes them and NULL written as __HIVE_DEFAULT_PARTITION__.
//
// An s3://bucket/key path is written locally and uploaded (see writeS3).
func WriteParquet(ctx context.Context, in exec.Stream, path string, opts ParquetOptions) (*Result, error) {
	if files.IsS3Path(path) {
		return writeS3(ctx, in, path, opts.S3, opts.Overwrite, func(local string) (*Result, error) {
			o := opts
			o.Overwrite, o.S3 = false, nil
			return WriteParquet(ctx, in, local, o)
		})
	}
	defer in.Close()
	codec, ok := codecs[strings.ToLower(opts.Compression)]
	if !ok {
		return nil, fmt.Errorf("%w: unknown parquet compression %q", errs.ErrPlan, opts.Compression)
	}
	w := &parquetWriter{opts: opts, mem: opts.Mem, open: map[string]*partFile{}, seq: map[string]int{}}
	if w.mem == nil {
		w.mem = memory.DefaultAllocator
	}
	if w.opts.RowGroupSize <= 0 {
		w.opts.RowGroupSize = 122880
	}
	if w.opts.MaxOpenFiles <= 0 {
		w.opts.MaxOpenFiles = 64
	}
	w.props = pq.NewWriterProperties(pq.WithCompression(codec), pq.WithMaxRowGroupLength(w.opts.RowGroupSize),
		pq.WithAllocator(w.mem), pq.WithStats(true))
	schema := in.Schema()
	w.dataSchema = schema
	if len(opts.PartitionBy) > 0 {
		var err error
		if w.parts, err = newPartitioner(schema, opts.PartitionBy); err != nil {
			return nil, err
		}
		var fields []arrow.Field
		for i, f := range schema.Fields() {
			if !w.isPartitionCol(i) {
				fields = append(fields, f)
				w.dataCols = append(w.dataCols, i)
			}
		}
		w.dataSchema = arrow.NewSchema(fields, nil)
	}
	single := len(opts.PartitionBy) == 0 && strings.HasSuffix(strings.ToLower(path), ".parquet")
	st, err := stage(path, !single, opts.Overwrite)
	if err != nil {
		return nil, err
	}
	w.stage = st
	if err := w.run(ctx, in, single); err != nil {
		w.closeAll()
		st.abort()
		return nil, err
	}
	if err := w.closeAll(); err != nil {
		st.abort()
		return nil, err
	}
	if err := st.commit(); err != nil {
		return nil, err
	}
	return &w.result, nil
}

type parquetWriter struct {
	opts       ParquetOptions
	mem        memory.Allocator
	props      *pq.WriterProperties
	stage      *staging
	parts      *partitioner
	dataSchema *arrow.Schema
	dataCols   []int
	open       map[string]*partFile // by partition directory
	seq        map[string]int       // next part number per directory
	clock      int64
	result     Result
}

type partFile struct {
	path    string
	w       *ParquetFile
	lastUse int64
}

func (w *parquetWriter) isPartitionCol(i int) bool {
	for _, c := range w.parts.cols {
		if c == i {
			return true
		}
	}
	return false
}

func (w *parquetWriter) run(ctx context.Context, in exec.Stream, single bool) error {
	if single {
		if _, err := w.file("", w.stage.temp); err != nil {
			return err
		}
	} else if w.parts == nil {
		if _, err := w.file("", filepath.Join(w.stage.temp, "part-0.parquet")); err != nil {
			return err
		}
	}
	for {
		rec, err := in.Next(ctx)
		if errors.Is(err, io.EOF) {
			return nil
		}
		if err != nil {
			return err
		}
		err = w.write(ctx, rec)
		rec.Release()
		if err != nil {
			return err
		}
	}
}

func (w *parquetWriter) write(ctx context.Context, rec arrow.RecordBatch) error {
	if rec.NumRows() == 0 {
		return nil
	}
	w.result.Rows += rec.NumRows()
	if w.parts == nil {
		return w.append(w.open[""], rec)
	}
	data := w.project(rec)
	defer data.Release()
	for _, g := range w.parts.split(rec) {
		pf, err := w.partition(g.dir)
		if err != nil {
			return err
		}
		if len(g.rows) == int(rec.NumRows()) {
			if err := w.append(pf, data); err != nil {
				return err
			}
			continue
		}
		sub, err := TakeRows(ctx, w.mem, data, g.rows)
		if err != nil {
			return err
		}
		err = w.append(pf, sub)
		sub.Release()
		if err != nil {
			return err
		}
	}
	return nil
}

func (w *parquetWriter) append(pf *partFile, rec arrow.RecordBatch) error {
	w.clock++
	pf.lastUse = w.clock
	if err := pf.w.Write(rec); err != nil {
		return fmt.Errorf("%w: write parquet %s: %w", errs.ErrExec, w.stage.finalPath(pf.path), err)
	}
	return nil
}

// project drops the partition columns.
func (w *parquetWriter) project(rec arrow.RecordBatch) arrow.RecordBatch {
	cols := make([]arrow.Array, len(w.dataCols))
	for i, c := range w.dataCols {
		cols[i] = rec.Column(c)
	}
	return array.NewRecordBatch(w.dataSchema, cols, rec.NumRows())
}

// partition returns the open file of a partition directory, finishing the
// least recently used file when too many are open.
func (w *parquetWriter) partition(dir string) (*partFile, error) {
	if pf, ok := w.open[dir]; ok {
		return pf, nil
	}
	if len(w.open) >= w.opts.MaxOpenFiles {
		var oldest string
		var at int64 = -1
		for d, pf := range w.open {
			if at < 0 || pf.lastUse < at {
				oldest, at = d, pf.lastUse
			}
		}
		if err := w.finish(oldest); err != nil {
			return nil, err
		}
	}
	n := w.seq[dir]
	w.seq[dir] = n + 1
	return w.file(dir, filepath.Join(w.stage.temp, filepath.FromSlash(dir), fmt.Sprintf("part-%d.parquet", n)))
}

// file creates a file and its writer.
func (w *parquetWriter) file(dir, path string) (*partFile, error) {
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return nil, fmt.Errorf("%w: create %s: %w", errs.ErrExec, filepath.Dir(path), err)
	}
	f, err := os.Create(path)
	if err != nil {
		return nil, fmt.Errorf("%w: create %s: %w", errs.ErrExec, path, err)
	}
	fw, err := NewParquetFile(f, w.dataSchema, w.props, pqarrow.NewArrowWriterProperties(pqarrow.WithStoreSchema(), pqarrow.WithAllocator(w.mem)), 0)
	if err != nil {
		return nil, fmt.Errorf("%w: write parquet %s: %w", errs.ErrExec, w.stage.finalPath(path), err)
	}
	pf := &partFile{path: path, w: fw}
	w.open[dir] = pf
	w.result.Files = append(w.result.Files, w.stage.finalPath(path))
	return pf, nil
}

// finish closes the file of one partition directory.
func (w *parquetWriter) finish(dir string) error {
	pf := w.open[dir]
	delete(w.open, dir)
	if _, _, err := pf.w.Close(); err != nil { // also closes the file
		return fmt.Errorf("%w: finish parquet %s: %w", errs.ErrExec, w.stage.finalPath(pf.path), err)
	}
	return nil
}

func (w *parquetWriter) closeAll() error {
	var errList []error
	for dir := range w.open {
		errList = append(errList, w.finish(dir))
	}
	return errors.Join(errList...)
}

// TakeRows gathers rows of rec into a new batch.
func TakeRows(ctx context.Context, mem memory.Allocator, rec arrow.RecordBatch, rows []int32) (arrow.RecordBatch, error) {
	idx := array.NewInt32Data(array.NewData(arrow.PrimitiveTypes.Int32, len(rows),
		[]*memory.Buffer{nil, memory.NewBufferBytes(arrow.Int32Traits.CastToBytes(rows))}, nil, 0, 0))
	defer idx.Release()
	cols := make([]arrow.Array, rec.NumCols())
	defer func() {
		for _, c := range cols {
			if c != nil {
				c.Release()
			}
		}
	}()
	for i, c := range rec.Columns() {
		t, err := compute.TakeArray(compute.WithAllocator(ctx, mem), c, idx)
		if err != nil {
			return nil, fmt.Errorf("%w: take: %w", errs.ErrInternal, err)
		}
		cols[i] = t
	}
	return array.NewRecordBatch(rec.Schema(), cols, int64(len(rows))), nil
}
