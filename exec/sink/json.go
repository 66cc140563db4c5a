package sink

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"strconv"
	"time"
	"unicode/utf8"

	"github.com/apache/arrow-go/v18/arrow/bitutil"

	"lakeframe/errs"
	"lakeframe/exec"
	"lakeframe/exec/source/files"
)

// JSONOptions configure WriteJSON.
type JSONOptions struct {
	// Overwrite replaces an existing file.
	Overwrite bool
	// S3 configures the object store for s3:// paths; nil means the AWS
	// environment variables.
	S3 *files.S3Config
}

// WriteJSON writes every batch of in to the file path as JSON lines, one
// object per row with the columns as keys in order, and closes in. NULL is
// null; numbers are JSON numbers, except NaN and the infinities, which JSON
// cannot spell and become null; dates are "YYYY-MM-DD" and timestamps
// RFC 3339 strings in UTC; decimals, lists and structs are written as
// arrow-go marshals them.
func WriteJSON(ctx context.Context, in exec.Stream, path string, opts JSONOptions) (*Result, error) {
	return writeOneFile(ctx, in, path, opts.S3, opts.Overwrite, func(st *staging) (*Result, error) {
		return writeJSON(ctx, in, st)
	})
}

func writeJSON(ctx context.Context, in exec.Stream, st *staging) (*Result, error) {
	f, err := os.Create(st.temp)
	if err != nil {
		return nil, fmt.Errorf("%w: create %s: %w", errs.ErrExec, st.temp, err)
	}
	bw := bufio.NewWriterSize(f, 1<<20)
	keys := make([][]byte, in.Schema().NumFields())
	for i, fld := range in.Schema().Fields() {
		keys[i] = appendJSONString(nil, fld.Name)
	}
	res := &Result{Files: []string{st.final}}
	werr := func() error {
		var buf []byte
		var cols []csvColumn
		for {
			rec, err := in.Next(ctx)
			if errors.Is(err, io.EOF) {
				return bw.Flush()
			}
			if err != nil {
				return err
			}
			cols = cols[:0]
			for _, a := range rec.Columns() {
				cols = append(cols, bindColumn(a))
			}
			for r := range int(rec.NumRows()) {
				buf = append(buf, '{')
				for j := range cols {
					if j > 0 {
						buf = append(buf, ',')
					}
					buf = append(buf, keys[j]...)
					buf = append(buf, ':')
					if buf, err = appendJSONValue(buf, &cols[j], r); err != nil {
						rec.Release()
						return fmt.Errorf("column %s: %w", in.Schema().Field(j).Name, err)
					}
				}
				buf = append(buf, '}', '\n')
			}
			res.Rows += rec.NumRows()
			rec.Release()
			if _, err := bw.Write(buf); err != nil {
				return err
			}
			buf = buf[:0]
		}
	}()
	if cerr := f.Close(); werr == nil {
		werr = cerr
	}
	if werr != nil {
		if errors.Is(werr, context.Canceled) || errors.Is(werr, context.DeadlineExceeded) {
			return nil, werr
		}
		return nil, fmt.Errorf("write json %s: %w", st.final, werr)
	}
	return res, nil
}

func appendJSONValue(buf []byte, c *csvColumn, r int) ([]byte, error) {
	if c.valid != nil && !bitutil.BitIsSet(c.valid, c.off+r) {
		return append(buf, "null"...), nil
	}
	switch c.kind {
	case cInt:
		return strconv.AppendInt(buf, c.i64(r), 10), nil
	case cUint:
		return strconv.AppendUint(buf, c.u64(r), 10), nil
	case cFloat:
		v := c.f64(r)
		if math.IsNaN(v) || math.IsInf(v, 0) {
			return append(buf, "null"...), nil
		}
		return strconv.AppendFloat(buf, v, 'g', -1, c.bits), nil
	case cBool:
		return strconv.AppendBool(buf, c.bools.Value(r)), nil
	case cString:
		if c.strs != nil {
			return appendJSONString(buf, c.strs.Value(r)), nil
		}
		return appendJSONString(buf, c.lstrs.Value(r)), nil
	case cDate:
		buf = append(buf, '"')
		buf = c.d32.Value(r).ToTime().AppendFormat(buf, time.DateOnly)
		return append(buf, '"'), nil
	case cTimestamp:
		buf = append(buf, '"')
		buf = c.ts.Value(r).ToTime(c.unit).UTC().AppendFormat(buf, time.RFC3339Nano)
		return append(buf, '"'), nil
	}
	b, err := json.Marshal(c.arr.GetOneForMarshal(r))
	if err != nil {
		return nil, err
	}
	return append(buf, b...), nil
}

// appendJSONString appends s as a JSON string. Invalid UTF-8 becomes
// U+FFFD, as encoding/json writes it.
func appendJSONString(buf []byte, s string) []byte {
	const hex = "0123456789abcdef"
	buf = append(buf, '"')
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			switch {
			case c == '"' || c == '\\':
				buf = append(buf, '\\', c)
			case c == '\n':
				buf = append(buf, '\\', 'n')
			case c == '\r':
				buf = append(buf, '\\', 'r')
			case c == '\t':
				buf = append(buf, '\\', 't')
			case c < 0x20:
				buf = append(buf, '\\', 'u', '0', '0', hex[c>>4], hex[c&0xf])
			default:
				buf = append(buf, c)
			}
			i++
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && size == 1 {
			buf = append(buf, "\\ufffd"...)
		} else {
			buf = append(buf, s[i:i+size]...)
		}
		i += size
	}
	return append(buf, '"')
}
