package csv

import (
	"fmt"
	"math"
	"strconv"
	"unicode/utf8"
	"unsafe"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/bitutil"
	"github.com/apache/arrow-go/v18/arrow/memory"

	"lakeframe/errs"
	"lakeframe/exec/internal/textparse"
)

// supported reports whether a column of type t can be read from text.
func supported(t arrow.DataType) bool {
	switch t.ID() {
	case arrow.BOOL, arrow.INT8, arrow.INT16, arrow.INT32, arrow.INT64,
		arrow.UINT8, arrow.UINT16, arrow.UINT32, arrow.UINT64,
		arrow.FLOAT32, arrow.FLOAT64, arrow.STRING, arrow.LARGE_STRING, arrow.DATE32:
		return true
	case arrow.TIMESTAMP:
		return true
	}
	return false
}

// columnParser turns one column of a tokenized batch into an array.
type columnParser struct {
	mem   memory.Allocator
	tok   *tokenizer
	ncols int
	nulls [][]byte
	path  string
	name  string
}

// isNull reports whether field k is a NULL marker.
func (p *columnParser) isNull(k int, f []byte) bool {
	if p.tok.quoted[k] {
		return false
	}
	for _, n := range p.nulls {
		if string(n) == string(f) {
			return true
		}
	}
	return false
}

func (p *columnParser) bad(row int, f []byte, t arrow.DataType) error {
	return fmt.Errorf("%w: %s:%d: column %s: cannot parse %q as %s", errs.ErrExec, p.path, p.tok.lines[row], p.name, f, t)
}

// parse reads column c of rows records as type t.
func (p *columnParser) parse(c, rows int, t arrow.DataType) (arrow.Array, error) {
	switch t.ID() {
	case arrow.STRING:
		return p.strings(c, rows, t, false)
	case arrow.LARGE_STRING:
		return p.strings(c, rows, t, true)
	case arrow.BOOL:
		b := array.NewBooleanBuilder(p.mem)
		defer b.Release()
		b.Reserve(rows)
		for r := range rows {
			k := r*p.ncols + c
			f := p.tok.field(k)
			if p.isNull(k, f) {
				b.UnsafeAppendBoolToBitmap(false)
				continue
			}
			v, ok := textparse.ParseBool(f)
			if !ok {
				return nil, p.bad(r, f, t)
			}
			b.UnsafeAppend(v)
		}
		return b.NewArray(), nil
	case arrow.INT64:
		b := array.NewInt64Builder(p.mem)
		defer b.Release()
		b.Reserve(rows)
		for r := range rows {
			k := r*p.ncols + c
			f := p.tok.field(k)
			if p.isNull(k, f) {
				b.UnsafeAppendBoolToBitmap(false)
				continue
			}
			v, ok := textparse.ParseInt(f)
			if !ok {
				return nil, p.bad(r, f, t)
			}
			b.UnsafeAppend(v)
		}
		return b.NewArray(), nil
	case arrow.FLOAT64:
		b := array.NewFloat64Builder(p.mem)
		defer b.Release()
		b.Reserve(rows)
		for r := range rows {
			k := r*p.ncols + c
			f := p.tok.field(k)
			if p.isNull(k, f) {
				b.UnsafeAppendBoolToBitmap(false)
				continue
			}
			v, err := strconv.ParseFloat(unsafeString(f), 64)
			if err != nil {
				return nil, p.bad(r, f, t)
			}
			b.UnsafeAppend(v)
		}
		return b.NewArray(), nil
	case arrow.DATE32:
		b := array.NewDate32Builder(p.mem)
		defer b.Release()
		b.Reserve(rows)
		for r := range rows {
			k := r*p.ncols + c
			f := p.tok.field(k)
			if p.isNull(k, f) {
				b.UnsafeAppendBoolToBitmap(false)
				continue
			}
			v, ok := textparse.ParseDate(f)
			if !ok {
				return nil, p.bad(r, f, t)
			}
			b.UnsafeAppend(arrow.Date32(v))
		}
		return b.NewArray(), nil
	case arrow.TIMESTAMP:
		return p.timestamps(c, rows, t.(*arrow.TimestampType))
	}
	return p.other(c, rows, t)
}

// strings copies a column's fields into the offsets and data buffers of
// a string array (large when large is set): one pass sums lengths, one
// copies.
func (p *columnParser) strings(c, rows int, t arrow.DataType, large bool) (arrow.Array, error) {
	total := 0
	for r := range rows {
		total += len(p.tok.field(r*p.ncols + c))
	}
	if !large && total > math.MaxInt32 {
		return nil, fmt.Errorf("%w: %s: column %s holds %d bytes in one batch; read it as large_string", errs.ErrExec, p.path, p.name, total)
	}
	width := 4
	if large {
		width = 8
	}
	offsets := memory.NewResizableBuffer(p.mem)
	offsets.Resize((rows + 1) * width)
	data := memory.NewResizableBuffer(p.mem)
	data.Resize(total)
	validity := memory.NewResizableBuffer(p.mem)
	validity.Resize(int(bitutil.BytesForBits(int64(rows))))
	defer offsets.Release()
	defer data.Release()
	defer validity.Release()
	bits := validity.Bytes()
	clear(bits)
	out := data.Bytes()
	o32 := unsafe.Slice((*int32)(unsafe.Pointer(unsafe.SliceData(offsets.Bytes()))), (rows+1)*width/4)
	o64 := unsafe.Slice((*int64)(unsafe.Pointer(unsafe.SliceData(offsets.Bytes()))), (rows+1)*width/8)
	pos, nulls := 0, 0
	for r := range rows {
		k := r*p.ncols + c
		f := p.tok.field(k)
		if large {
			o64[r] = int64(pos)
		} else {
			o32[r] = int32(pos)
		}
		if p.isNull(k, f) {
			nulls++
			continue
		}
		bitutil.SetBit(bits, r)
		pos += copy(out[pos:], f)
	}
	if large {
		o64[rows] = int64(pos)
	} else {
		o32[rows] = int32(pos)
	}
	// Text columns hold UTF-8, as DuckDB checks: one pass over the batch,
	// and a search for the row only when it fails.
	if !utf8.Valid(out[:pos]) {
		for r := range rows {
			if f := p.tok.field(r*p.ncols + c); !utf8.Valid(f) {
				return nil, fmt.Errorf("%w: %s:%d: column %s: %q is not valid UTF-8", errs.ErrExec, p.path, p.tok.lines[r], p.name, f)
			}
		}
	}
	ad := array.NewData(t, rows, []*memory.Buffer{validity, offsets, data}, nil, nulls, 0)
	defer ad.Release()
	return array.MakeFromData(ad), nil
}

func (p *columnParser) timestamps(c, rows int, t *arrow.TimestampType) (arrow.Array, error) {
	b := array.NewTimestampBuilder(p.mem, t)
	defer b.Release()
	b.Reserve(rows)
	for r := range rows {
		k := r*p.ncols + c
		f := p.tok.field(k)
		if p.isNull(k, f) {
			b.UnsafeAppendBoolToBitmap(false)
			continue
		}
		var us int64
		if d, ok := textparse.ParseDate(f); ok {
			us = int64(d) * 86400_000_000
		} else if v, _, ok := textparse.ParseTimestamp(f); ok {
			us = v
		} else {
			return nil, p.bad(r, f, t)
		}
		switch t.Unit {
		case arrow.Second:
			us /= 1_000_000
		case arrow.Millisecond:
			us /= 1000
		case arrow.Nanosecond:
			us *= 1000
		}
		b.UnsafeAppend(arrow.Timestamp(us))
	}
	return b.NewArray(), nil
}

// other reads the less common numeric types of explicit schemas, checking
// that values fit.
func (p *columnParser) other(c, rows int, t arrow.DataType) (arrow.Array, error) {
	switch t.ID() {
	case arrow.INT8:
		return parseFixed(p, c, rows, t, parseSigned[int8])
	case arrow.INT16:
		return parseFixed(p, c, rows, t, parseSigned[int16])
	case arrow.INT32:
		return parseFixed(p, c, rows, t, parseSigned[int32])
	case arrow.UINT8:
		return parseFixed(p, c, rows, t, parseUnsigned[uint8])
	case arrow.UINT16:
		return parseFixed(p, c, rows, t, parseUnsigned[uint16])
	case arrow.UINT32:
		return parseFixed(p, c, rows, t, parseUnsigned[uint32])
	case arrow.UINT64:
		return parseFixed(p, c, rows, t, parseUnsigned[uint64])
	case arrow.FLOAT32:
		return parseFixed(p, c, rows, t, func(f []byte) (float32, bool) {
			v, err := strconv.ParseFloat(unsafeString(f), 32)
			return float32(v), err == nil
		})
	}
	return nil, fmt.Errorf("%w: reading %s from CSV", errs.ErrNotImplemented, t)
}

// parseSigned parses a decimal integer that fits in T.
func parseSigned[T int8 | int16 | int32](f []byte) (T, bool) {
	v, err := strconv.ParseInt(unsafeString(f), 10, 8*int(unsafe.Sizeof(T(0))))
	return T(v), err == nil
}

// parseUnsigned parses a decimal unsigned integer that fits in T.
func parseUnsigned[T uint8 | uint16 | uint32 | uint64](f []byte) (T, bool) {
	v, err := strconv.ParseUint(unsafeString(f), 10, 8*int(unsafe.Sizeof(T(0))))
	return T(v), err == nil
}

// parseFixed fills a fixed-width array of type t straight into buffers.
func parseFixed[T int8 | int16 | int32 | uint8 | uint16 | uint32 | uint64 | float32](p *columnParser, c, rows int, t arrow.DataType, conv func([]byte) (T, bool)) (arrow.Array, error) {
	values := memory.NewResizableBuffer(p.mem)
	validity := memory.NewResizableBuffer(p.mem)
	defer values.Release()
	defer validity.Release()
	values.Resize(rows * int(unsafe.Sizeof(T(0))))
	validity.Resize(int(bitutil.BytesForBits(int64(rows))))
	clear(validity.Bytes())
	out := unsafe.Slice((*T)(unsafe.Pointer(unsafe.SliceData(values.Bytes()))), rows)
	bits := validity.Bytes()
	nulls := 0
	for r := range rows {
		k := r*p.ncols + c
		f := p.tok.field(k)
		if p.isNull(k, f) {
			out[r] = 0
			nulls++
			continue
		}
		v, ok := conv(f)
		if !ok {
			return nil, p.bad(r, f, t)
		}
		out[r] = v
		bitutil.SetBit(bits, r)
	}
	data := array.NewData(t, rows, []*memory.Buffer{validity, values}, nil, nulls, 0)
	defer data.Release()
	return array.MakeFromData(data), nil
}
