package tpchgen

import (
	"bufio"
	"context"
	"fmt"
	"os"
	"path/filepath"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/parquet"
	"github.com/apache/arrow-go/v18/parquet/compress"
	"github.com/apache/arrow-go/v18/parquet/pqarrow"

	"lakeframe/errs"
)

// tableFiles writes one table's batches into part-N.parquet files in dir,
// on its own goroutine, so Snappy and the encoders run beside the
// generator.
type tableFiles struct {
	table    string
	dir      string
	schema   *arrow.Schema
	props    *parquet.WriterProperties
	arrow    pqarrow.ArrowWriterProperties
	progress func(Progress)
}

func newTableFiles(table, dir string, schema *arrow.Schema, cfg *config) *tableFiles {
	opts := []parquet.WriterProperty{
		parquet.WithAllocator(cfg.mem),
		parquet.WithCompression(compress.Codecs.Snappy),
		parquet.WithStats(true),
		parquet.WithMaxRowGroupLength(cfg.rowGroupSize),
		parquet.WithDictionaryDefault(false),
	}
	for _, c := range tableColumns[table] {
		if c.dict {
			opts = append(opts, parquet.WithDictionaryFor(c.name, true))
		}
	}
	return &tableFiles{
		table:    table,
		dir:      dir,
		schema:   schema,
		props:    parquet.NewWriterProperties(opts...),
		arrow:    pqarrow.NewArrowWriterProperties(pqarrow.WithAllocator(cfg.mem)),
		progress: cfg.progress,
	}
}

// write consumes batches until in is closed. It returns at the first
// error; the caller releases whatever is left in in.
func (t *tableFiles) write(ctx context.Context, in <-chan batch) (err error) {
	var (
		f    *partFile
		next int
	)
	defer func() {
		if f != nil {
			f.abort()
		}
	}()
	for b := range in {
		if f == nil {
			if f, err = t.create(next); err != nil {
				b.rec.Release()
				return err
			}
			next++
		}
		f.rows += b.rec.NumRows()
		err := f.w.WriteBuffered(b.rec)
		b.rec.Release()
		if err != nil {
			return fmt.Errorf("%w: write %s: %w", errs.ErrExec, f.path, err)
		}
		if b.lastInFile {
			if err := t.finish(f); err != nil {
				return err
			}
			f = nil
		}
		if err := ctx.Err(); err != nil {
			return err
		}
	}
	if f != nil {
		err = t.finish(f)
		f = nil
	}
	return err
}

func (t *tableFiles) finish(f *partFile) error {
	if err := f.close(); err != nil {
		return err
	}
	if t.progress != nil {
		t.progress(Progress{Table: t.table, File: filepath.Base(f.path), Rows: f.rows})
	}
	return nil
}

// partFile is one Parquet file being written.
type partFile struct {
	path string
	f    *os.File
	buf  *bufio.Writer
	w    *pqarrow.FileWriter
	rows int64
}

func (t *tableFiles) create(i int) (*partFile, error) {
	path := filepath.Join(t.dir, partName(i))
	f, err := os.Create(path)
	if err != nil {
		return nil, fmt.Errorf("%w: %w", errs.ErrExec, err)
	}
	buf := bufio.NewWriterSize(f, 1<<20)
	w, err := pqarrow.NewFileWriter(t.schema, buf, t.props, t.arrow)
	if err != nil {
		_ = f.Close()
		return nil, fmt.Errorf("%w: create %s: %w", errs.ErrExec, path, err)
	}
	return &partFile{path: path, f: f, buf: buf, w: w}, nil
}

func (p *partFile) close() error {
	err := p.w.Close()
	if err == nil {
		err = p.buf.Flush()
	}
	if cerr := p.f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return fmt.Errorf("%w: close %s: %w", errs.ErrExec, p.path, err)
	}
	return nil
}

// abort drops a file that will not be finished; the caller removes its
// directory.
func (p *partFile) abort() {
	_ = p.w.Close()
	_ = p.f.Close()
}
