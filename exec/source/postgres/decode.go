package postgres

import (
	"encoding/binary"
	"encoding/hex"
	"errors"
	"fmt"
	"math"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
)

// PostgreSQL counts dates and timestamps from 2000-01-01; Arrow from
// 1970-01-01.
const (
	pgEpochDays   = 10957
	pgEpochMicros = pgEpochDays * 86400 * 1_000_000
)

// appender decodes one column's values, in the wire format of that
// column, into an Arrow builder. It is called once per value; no value
// is boxed on the way.
type appender interface {
	appendValue(v []byte) error
	appendNull()
}

// newAppender returns the decoder of column c writing into b, which must
// be a builder of c's Arrow type.
func newAppender(c *column, b array.Builder) (appender, error) {
	if c.kind() == kindArray {
		lb, ok := b.(*array.ListBuilder)
		if !ok {
			return nil, fmt.Errorf("column %s: want a list builder, got %T", c.Name, b)
		}
		elem := column{Name: c.Name, OID: arrayElems[c.OID], Typmod: c.Typmod}
		ea, err := newAppender(&elem, lb.ValueBuilder())
		if err != nil {
			return nil, err
		}
		return &listAppender{b: lb, elem: ea, elemOID: elem.OID}, nil
	}
	switch c.kind() {
	case kindBool:
		return &boolAppender{b.(*array.BooleanBuilder)}, nil
	case kindInt2:
		return &int16Appender{b.(*array.Int16Builder)}, nil
	case kindInt4:
		return &int32Appender{b.(*array.Int32Builder)}, nil
	case kindInt8:
		return &int64Appender{b.(*array.Int64Builder)}, nil
	case kindFloat4:
		return &float32Appender{b.(*array.Float32Builder)}, nil
	case kindFloat8:
		return &float64Appender{b.(*array.Float64Builder)}, nil
	case kindNumeric:
		p, s := c.numericShape()
		return &numericAppender{b: b.(*array.Decimal128Builder), precision: p, scale: s}, nil
	case kindDate:
		return &dateAppender{b.(*array.Date32Builder)}, nil
	case kindTimestamp, kindTimestamptz:
		return &timestampAppender{b.(*array.TimestampBuilder)}, nil
	case kindBytea:
		return &bytesAppender{b.(*array.BinaryBuilder)}, nil
	case kindUUID:
		return &uuidAppender{b: b.(*array.StringBuilder)}, nil
	case kindJSONB:
		return &jsonbAppender{b.(*array.StringBuilder)}, nil
	}
	// Text, varchar, char(n), name, json and text-format columns: the
	// bytes are the value (the server sends UTF-8).
	return &stringAppender{b.(*array.StringBuilder)}, nil
}

func wrongLength(what string, want, got int) error {
	return fmt.Errorf("%s value of %d bytes, want %d", what, got, want)
}

type boolAppender struct{ b *array.BooleanBuilder }

func (a *boolAppender) appendNull() { a.b.AppendNull() }
func (a *boolAppender) appendValue(v []byte) error {
	if len(v) != 1 {
		return wrongLength("boolean", 1, len(v))
	}
	a.b.Append(v[0] != 0)
	return nil
}

type int16Appender struct{ b *array.Int16Builder }

func (a *int16Appender) appendNull() { a.b.AppendNull() }
func (a *int16Appender) appendValue(v []byte) error {
	if len(v) != 2 {
		return wrongLength("smallint", 2, len(v))
	}
	a.b.Append(int16(binary.BigEndian.Uint16(v)))
	return nil
}

type int32Appender struct{ b *array.Int32Builder }

func (a *int32Appender) appendNull() { a.b.AppendNull() }
func (a *int32Appender) appendValue(v []byte) error {
	if len(v) != 4 {
		return wrongLength("integer", 4, len(v))
	}
	a.b.Append(int32(binary.BigEndian.Uint32(v)))
	return nil
}

type int64Appender struct{ b *array.Int64Builder }

func (a *int64Appender) appendNull() { a.b.AppendNull() }
func (a *int64Appender) appendValue(v []byte) error {
	if len(v) != 8 {
		return wrongLength("bigint", 8, len(v))
	}
	a.b.Append(int64(binary.BigEndian.Uint64(v)))
	return nil
}

type float32Appender struct{ b *array.Float32Builder }

func (a *float32Appender) appendNull() { a.b.AppendNull() }
func (a *float32Appender) appendValue(v []byte) error {
	if len(v) != 4 {
		return wrongLength("real", 4, len(v))
	}
	a.b.Append(math.Float32frombits(binary.BigEndian.Uint32(v)))
	return nil
}

type float64Appender struct{ b *array.Float64Builder }

func (a *float64Appender) appendNull() { a.b.AppendNull() }
func (a *float64Appender) appendValue(v []byte) error {
	if len(v) != 8 {
		return wrongLength("double precision", 8, len(v))
	}
	a.b.Append(math.Float64frombits(binary.BigEndian.Uint64(v)))
	return nil
}

type numericAppender struct {
	b                *array.Decimal128Builder
	precision, scale int32
}

func (a *numericAppender) appendNull() { a.b.AppendNull() }
func (a *numericAppender) appendValue(v []byte) error {
	n, err := numericToDecimal(v, a.precision, a.scale)
	if errors.Is(err, errNumericShape) {
		return fmt.Errorf("numeric %s does not fit decimal(%d,%d) without rounding; cast the column in a query", numericText(v), a.precision, a.scale)
	}
	if err != nil {
		return err
	}
	a.b.Append(n)
	return nil
}

type dateAppender struct{ b *array.Date32Builder }

func (a *dateAppender) appendNull() { a.b.AppendNull() }
func (a *dateAppender) appendValue(v []byte) error {
	if len(v) != 4 {
		return wrongLength("date", 4, len(v))
	}
	d := int32(binary.BigEndian.Uint32(v))
	if d == math.MaxInt32 || d == math.MinInt32 {
		return fmt.Errorf("date infinity has no Arrow value")
	}
	days := int64(d) + pgEpochDays
	if days > math.MaxInt32 {
		return fmt.Errorf("date %d days after 2000-01-01 is past the last Arrow date32", d)
	}
	a.b.Append(arrow.Date32(days))
	return nil
}

type timestampAppender struct{ b *array.TimestampBuilder }

func (a *timestampAppender) appendNull() { a.b.AppendNull() }
func (a *timestampAppender) appendValue(v []byte) error {
	if len(v) != 8 {
		return wrongLength("timestamp", 8, len(v))
	}
	us := int64(binary.BigEndian.Uint64(v))
	if us == math.MaxInt64 || us == math.MinInt64 {
		return fmt.Errorf("timestamp infinity has no Arrow value")
	}
	if us > math.MaxInt64-pgEpochMicros {
		return fmt.Errorf("timestamp %d µs after 2000-01-01 is past the last Arrow timestamp (294247-01-10)", us)
	}
	a.b.Append(arrow.Timestamp(us + pgEpochMicros))
	return nil
}

type bytesAppender struct{ b *array.BinaryBuilder }

func (a *bytesAppender) appendNull()                { a.b.AppendNull() }
func (a *bytesAppender) appendValue(v []byte) error { a.b.Append(v); return nil }

type stringAppender struct{ b *array.StringBuilder }

func (a *stringAppender) appendNull()                { a.b.AppendNull() }
func (a *stringAppender) appendValue(v []byte) error { a.b.BinaryBuilder.Append(v); return nil }

// jsonbAppender strips the format version byte that precedes the text.
type jsonbAppender struct{ b *array.StringBuilder }

func (a *jsonbAppender) appendNull() { a.b.AppendNull() }
func (a *jsonbAppender) appendValue(v []byte) error {
	if len(v) == 0 || v[0] != 1 {
		return fmt.Errorf("jsonb value of unknown format version")
	}
	a.b.BinaryBuilder.Append(v[1:])
	return nil
}

// uuidAppender spells the 16 bytes in the canonical 8-4-4-4-12 form,
// as PostgreSQL prints them.
type uuidAppender struct {
	b   *array.StringBuilder
	buf [36]byte
}

func (a *uuidAppender) appendNull() { a.b.AppendNull() }
func (a *uuidAppender) appendValue(v []byte) error {
	if len(v) != 16 {
		return wrongLength("uuid", 16, len(v))
	}
	hex.Encode(a.buf[0:8], v[0:4])
	a.buf[8] = '-'
	hex.Encode(a.buf[9:13], v[4:6])
	a.buf[13] = '-'
	hex.Encode(a.buf[14:18], v[6:8])
	a.buf[18] = '-'
	hex.Encode(a.buf[19:23], v[8:10])
	a.buf[23] = '-'
	hex.Encode(a.buf[24:36], v[10:16])
	a.b.BinaryBuilder.Append(a.buf[:])
	return nil
}

// listAppender decodes a one-dimensional array: dimension count, a
// has-nulls flag, the element type, then per dimension its length and
// lower bound, then each element as a length (-1 for NULL) and bytes.
// The lower bound is dropped: Arrow lists start at 0.
type listAppender struct {
	b       *array.ListBuilder
	elem    appender
	elemOID uint32
}

func (a *listAppender) appendNull() { a.b.AppendNull() }
func (a *listAppender) appendValue(v []byte) error {
	if len(v) < 12 {
		return fmt.Errorf("array value of %d bytes is truncated", len(v))
	}
	ndim := int32(binary.BigEndian.Uint32(v))
	if elem := binary.BigEndian.Uint32(v[8:]); elem != a.elemOID {
		return fmt.Errorf("array of element type %d, want %d", elem, a.elemOID)
	}
	switch {
	case ndim == 0:
		a.b.Append(true)
		return nil
	case ndim != 1:
		return fmt.Errorf("array of %d dimensions; only one-dimensional arrays become lists (unnest or cast it in a query)", ndim)
	}
	if len(v) < 20 {
		return fmt.Errorf("array value of %d bytes is truncated", len(v))
	}
	n := int(int32(binary.BigEndian.Uint32(v[12:])))
	rest := v[20:]
	a.b.Append(true)
	for range n {
		if len(rest) < 4 {
			return fmt.Errorf("array element is truncated")
		}
		size := int32(binary.BigEndian.Uint32(rest))
		rest = rest[4:]
		if size < 0 {
			a.elem.appendNull()
			continue
		}
		if int(size) > len(rest) {
			return fmt.Errorf("array element of %d bytes is truncated", size)
		}
		if err := a.elem.appendValue(rest[:size]); err != nil {
			return err
		}
		rest = rest[size:]
	}
	return nil
}
