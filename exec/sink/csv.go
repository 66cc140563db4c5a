package sink

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"strconv"
	"time"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/bitutil"

	"lakeframe/errs"
	"lakeframe/exec"
	"lakeframe/exec/source/files"
)

// CSVOptions configure WriteCSV. The zero value writes a header, commas,
// and NULL as an empty field.
type CSVOptions struct {
	// NoHeader leaves out the row of column names.
	NoHeader bool
	// Delimiter separates fields; 0 means ','.
	Delimiter byte
	// NullString is written for NULL. A string value equal to it is quoted
	// so that it reads back as itself.
	NullString string
	// Overwrite replaces an existing file.
	Overwrite bool
	// S3 configures the object store for s3:// paths; nil means the AWS
	// environment variables.
	S3 *files.S3Config
}

// WriteCSV writes every batch of in to the file path and closes in.
// Fields holding the delimiter, quotes, line breaks, or the null string
// are quoted (quotes doubled). Dates are YYYY-MM-DD; timestamps are
// "YYYY-MM-DD HH:MM:SS.ffffff", in UTC with a Z when the type has a zone.
//
// An s3://bucket/key path is written locally and uploaded (see writeS3).
func WriteCSV(ctx context.Context, in exec.Stream, path string, opts CSVOptions) (*Result, error) {
	if opts.Delimiter == 0 {
		opts.Delimiter = ','
	}
	if opts.Delimiter == '"' || opts.Delimiter == '\n' || opts.Delimiter == '\r' {
		in.Close()
		return nil, fmt.Errorf("%w: csv delimiter %q", errs.ErrPlan, opts.Delimiter)
	}
	for _, f := range in.Schema().Fields() {
		if !csvWritable(f.Type) {
			in.Close()
			return nil, fmt.Errorf("%w: writing column %s of type %s to CSV", errs.ErrNotImplemented, f.Name, f.Type)
		}
	}
	return writeOneFile(ctx, in, path, opts.S3, opts.Overwrite, func(st *staging) (*Result, error) {
		return writeCSV(ctx, in, st, opts)
	})
}

// writeOneFile writes one file through a staging name renamed into place
// when write succeeds; an s3:// path is written locally and uploaded (see
// writeS3). It closes in.
func writeOneFile(ctx context.Context, in exec.Stream, path string, s3 *files.S3Config, overwrite bool, write func(*staging) (*Result, error)) (*Result, error) {
	if files.IsS3Path(path) {
		return writeS3(ctx, in, path, s3, overwrite, func(local string) (*Result, error) {
			return writeOneFile(ctx, in, local, nil, false, write)
		})
	}
	defer in.Close()
	st, err := stage(path, false, overwrite)
	if err != nil {
		return nil, err
	}
	res, err := write(st)
	if err != nil {
		st.abort()
		return nil, err
	}
	if err := st.commit(); err != nil {
		return nil, err
	}
	return res, nil
}

func writeCSV(ctx context.Context, in exec.Stream, st *staging, opts CSVOptions) (*Result, error) {
	f, err := os.Create(st.temp)
	if err != nil {
		return nil, fmt.Errorf("%w: create %s: %w", errs.ErrExec, st.temp, err)
	}
	bw := bufio.NewWriterSize(f, 1<<20)
	cw := &csvWriter{delim: opts.Delimiter, null: []byte(opts.NullString)}
	res := &Result{Files: []string{st.final}}
	werr := func() error {
		schema := in.Schema()
		if !opts.NoHeader {
			for i, fld := range schema.Fields() {
				if i > 0 {
					cw.buf = append(cw.buf, cw.delim)
				}
				cw.str(fld.Name)
			}
			cw.buf = append(cw.buf, '\n')
		}
		for {
			rec, err := in.Next(ctx)
			if errors.Is(err, io.EOF) {
				break
			}
			if err != nil {
				return err
			}
			cw.batch(rec)
			res.Rows += rec.NumRows()
			rec.Release()
			if _, err := bw.Write(cw.buf); err != nil {
				return err
			}
			cw.buf = cw.buf[:0]
		}
		if _, err := bw.Write(cw.buf); err != nil {
			return err
		}
		return bw.Flush()
	}()
	if cerr := f.Close(); werr == nil {
		werr = cerr
	}
	if werr != nil {
		if errors.Is(werr, context.Canceled) || errors.Is(werr, context.DeadlineExceeded) {
			return nil, werr
		}
		return nil, fmt.Errorf("write csv %s: %w", st.final, werr)
	}
	return res, nil
}

func csvWritable(t arrow.DataType) bool {
	switch t.ID() {
	case arrow.INT8, arrow.INT16, arrow.INT32, arrow.INT64, arrow.UINT8, arrow.UINT16, arrow.UINT32, arrow.UINT64,
		arrow.FLOAT32, arrow.FLOAT64, arrow.BOOL, arrow.STRING, arrow.LARGE_STRING, arrow.DATE32, arrow.TIMESTAMP,
		arrow.DECIMAL128, arrow.DECIMAL256:
		return true
	}
	return false
}

// csvWriter formats batches row by row into buf.
type csvWriter struct {
	delim byte
	null  []byte
	buf   []byte
	cols  []csvColumn
}

type ckind uint8

const (
	cInt ckind = iota
	cUint
	cFloat
	cBool
	cString
	cDate
	cTimestamp
	cText // other types, through ValueStr
)

// csvColumn holds one column of the current batch as a concrete array, so
// that formatting a value is a switch and a direct call.
type csvColumn struct {
	kind  ckind
	arr   arrow.Array
	valid []byte // nil without nulls
	off   int
	i64   func(int) int64
	u64   func(int) uint64
	f64   func(int) float64
	bits  int
	bools *array.Boolean
	strs  *array.String
	lstrs *array.LargeString
	d32   *array.Date32
	ts    *array.Timestamp
	unit  arrow.TimeUnit
	zoned bool
}

func (w *csvWriter) batch(rec arrow.RecordBatch) {
	w.cols = w.cols[:0]
	for _, a := range rec.Columns() {
		w.cols = append(w.cols, bindColumn(a))
	}
	for r := range int(rec.NumRows()) {
		for j := range w.cols {
			if j > 0 {
				w.buf = append(w.buf, w.delim)
			}
			w.value(&w.cols[j], r)
		}
		w.buf = append(w.buf, '\n')
	}
}

func bindColumn(a arrow.Array) csvColumn {
	c := csvColumn{arr: a, kind: cText, off: a.Data().Offset()}
	if a.NullN() > 0 {
		c.valid = a.NullBitmapBytes()
	}
	switch x := a.(type) {
	case *array.Int8:
		c.kind, c.i64 = cInt, func(i int) int64 { return int64(x.Value(i)) }
	case *array.Int16:
		c.kind, c.i64 = cInt, func(i int) int64 { return int64(x.Value(i)) }
	case *array.Int32:
		c.kind, c.i64 = cInt, func(i int) int64 { return int64(x.Value(i)) }
	case *array.Int64:
		c.kind, c.i64 = cInt, x.Value
	case *array.Uint8:
		c.kind, c.u64 = cUint, func(i int) uint64 { return uint64(x.Value(i)) }
	case *array.Uint16:
		c.kind, c.u64 = cUint, func(i int) uint64 { return uint64(x.Value(i)) }
	case *array.Uint32:
		c.kind, c.u64 = cUint, func(i int) uint64 { return uint64(x.Value(i)) }
	case *array.Uint64:
		c.kind, c.u64 = cUint, x.Value
	case *array.Float32:
		c.kind, c.bits, c.f64 = cFloat, 32, func(i int) float64 { return float64(x.Value(i)) }
	case *array.Float64:
		c.kind, c.bits, c.f64 = cFloat, 64, x.Value
	case *array.Boolean:
		c.kind, c.bools = cBool, x
	case *array.String:
		c.kind, c.strs = cString, x
	case *array.LargeString:
		c.kind, c.lstrs = cString, x
	case *array.Date32:
		c.kind, c.d32 = cDate, x
	case *array.Timestamp:
		tt := x.DataType().(*arrow.TimestampType)
		c.kind, c.ts, c.unit, c.zoned = cTimestamp, x, tt.Unit, tt.TimeZone != ""
	}
	return c
}

func (w *csvWriter) value(c *csvColumn, r int) {
	if c.valid != nil && !bitutil.BitIsSet(c.valid, c.off+r) {
		w.buf = append(w.buf, w.null...)
		return
	}
	switch c.kind {
	case cInt:
		w.buf = strconv.AppendInt(w.buf, c.i64(r), 10)
	case cUint:
		w.buf = strconv.AppendUint(w.buf, c.u64(r), 10)
	case cFloat:
		switch v := c.f64(r); {
		case math.IsInf(v, 1):
			w.buf = append(w.buf, "inf"...)
		case math.IsInf(v, -1):
			w.buf = append(w.buf, "-inf"...)
		case math.IsNaN(v):
			w.buf = append(w.buf, "nan"...)
		default:
			w.buf = strconv.AppendFloat(w.buf, v, 'g', -1, c.bits)
		}
	case cBool:
		w.buf = strconv.AppendBool(w.buf, c.bools.Value(r))
	case cString:
		if c.strs != nil {
			w.str(c.strs.Value(r))
		} else {
			w.str(c.lstrs.Value(r))
		}
	case cDate:
		w.buf = c.d32.Value(r).ToTime().AppendFormat(w.buf, time.DateOnly)
	case cTimestamp:
		t := c.ts.Value(r).ToTime(c.unit).UTC()
		w.buf = t.AppendFormat(w.buf, "2006-01-02 15:04:05.999999999")
		if c.zoned {
			w.buf = append(w.buf, 'Z')
		}
	default:
		w.str(c.arr.ValueStr(r))
	}
}

// str appends a string, quoted when it would otherwise read back wrong.
func (w *csvWriter) str(s string) {
	quote := s == string(w.null)
	for i := 0; i < len(s) && !quote; i++ {
		switch s[i] {
		case w.delim, '"', '\n', '\r':
			quote = true
		}
	}
	if !quote {
		w.buf = append(w.buf, s...)
		return
	}
	w.buf = append(w.buf, '"')
	for i := 0; i < len(s); i++ {
		if s[i] == '"' {
			w.buf = append(w.buf, '"')
		}
		w.buf = append(w.buf, s[i])
	}
	w.buf = append(w.buf, '"')
}
