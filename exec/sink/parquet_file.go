package sink

import (
	"errors"
	"fmt"
	"io"

	"github.com/apache/arrow-go/v18/arrow"
	pq "github.com/apache/arrow-go/v18/parquet"
	"github.com/apache/arrow-go/v18/parquet/metadata"
	"github.com/apache/arrow-go/v18/parquet/pqarrow"
)

// ParquetFile writes Arrow batches into one Parquet file on any writer: a
// local file for WriteParquet, an object-store upload for table formats.
// It buffers a row group in memory, so its memory is one row group.
type ParquetFile struct {
	w      *pqarrow.FileWriter
	out    *countingWriteCloser
	rows   int64
	closed bool
	// groupBytes starts a new row group once the current one holds this
	// many encoded bytes; 0 leaves row groups to the row limit alone.
	groupBytes int64
}

// NewParquetFile starts a Parquet file on out with schema. The file owns
// out: Close and Abort close it. groupBytes > 0 also cuts row groups by
// their encoded size.
func NewParquetFile(out io.WriteCloser, schema *arrow.Schema, props *pq.WriterProperties, arrowProps pqarrow.ArrowWriterProperties, groupBytes int64) (*ParquetFile, error) {
	cw := &countingWriteCloser{w: out}
	fw, err := pqarrow.NewFileWriter(schema, cw, props, arrowProps)
	if err != nil {
		return nil, errors.Join(err, out.Close())
	}
	return &ParquetFile{w: fw, out: cw, groupBytes: groupBytes}, nil
}

// Write appends rec's rows to the current row group, starting a new one
// first when the row group has reached its byte size.
func (f *ParquetFile) Write(rec arrow.RecordBatch) error {
	if rec.NumRows() == 0 {
		return nil
	}
	if f.groupBytes > 0 && f.w.RowGroupTotalBytesWritten() >= f.groupBytes {
		if err := f.w.NewBufferedRowGroupChecked(); err != nil {
			return err
		}
	}
	if err := f.w.WriteBuffered(rec); err != nil {
		return err
	}
	f.rows += rec.NumRows()
	return nil
}

// Rows is the number of rows written so far.
func (f *ParquetFile) Rows() int64 { return f.rows }

// Size estimates the file's size: the bytes already written plus the
// encoded bytes of the row group being buffered.
func (f *ParquetFile) Size() int64 { return f.out.n + f.w.RowGroupTotalBytesWritten() }

// Close writes the footer and closes the output. It returns the footer
// and the file's size in bytes.
func (f *ParquetFile) Close() (*metadata.FileMetaData, int64, error) {
	f.closed = true
	if err := f.w.Close(); err != nil { // closes out too
		return nil, 0, err
	}
	meta, err := f.w.FileMetadata()
	if err != nil {
		return nil, 0, fmt.Errorf("parquet footer: %w", err)
	}
	return meta, f.out.n, nil
}

// Abort gives the file up and closes the output; the caller removes what
// was written. Closing the Parquet writer is what frees the row group it
// buffers; its error is moot.
func (f *ParquetFile) Abort() error {
	if f.closed {
		return nil
	}
	f.closed = true
	_ = f.w.Close()
	return f.out.Close()
}

// countingWriteCloser counts the bytes written through it and closes
// the underlying writer once.
type countingWriteCloser struct {
	w      io.WriteCloser
	n      int64
	closed bool
}

func (c *countingWriteCloser) Write(p []byte) (int, error) {
	n, err := c.w.Write(p)
	c.n += int64(n)
	return n, err
}

func (c *countingWriteCloser) Close() error {
	if c.closed {
		return nil
	}
	c.closed = true
	return c.w.Close()
}
