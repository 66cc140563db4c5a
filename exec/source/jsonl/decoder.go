package jsonl

import (
	"fmt"
	"math"
	"strconv"
	"unsafe"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"

	"lakeframe/errs"
	"lakeframe/exec/internal/textparse"
)

type dkind uint8

const (
	dBool dkind = iota
	dInt64
	dInt32
	dFloat64
	dFloat32
	dString
	dLargeString
	dDate32
	dTimestamp
	dStruct
	dList
)

// decoder appends JSON values to the builder of one column (or nested
// field). Its kind selects the builder, so that appending is a switch and
// a direct call rather than an interface call per value.
type decoder struct {
	kind  dkind
	name  string // dotted path, for errors
	typ   arrow.DataType
	bools *array.BooleanBuilder
	i64   *array.Int64Builder
	i32   *array.Int32Builder
	f64   *array.Float64Builder
	f32   *array.Float32Builder
	strs  *array.StringBuilder
	lstrs *array.LargeStringBuilder
	d32   *array.Date32Builder
	ts    *array.TimestampBuilder
	unit  arrow.TimeUnit

	st     *array.StructBuilder
	fields []*decoder
	index  map[string]int
	seen   []bool

	list *array.ListBuilder
	elem *decoder
}

// readable reports whether values of type t can be decoded.
func readable(t arrow.DataType) bool {
	switch t.ID() {
	case arrow.BOOL, arrow.INT64, arrow.INT32, arrow.FLOAT64, arrow.FLOAT32, arrow.STRING, arrow.LARGE_STRING, arrow.DATE32, arrow.TIMESTAMP:
		return true
	case arrow.STRUCT:
		for _, f := range t.(*arrow.StructType).Fields() {
			if !readable(f.Type) {
				return false
			}
		}
		return true
	case arrow.LIST:
		return readable(t.(*arrow.ListType).Elem())
	}
	return false
}

// newDecoder makes a decoder and its builder for a field of type t.
func newDecoder(mem memory.Allocator, name string, t arrow.DataType) (*decoder, array.Builder) {
	b := array.NewBuilder(mem, t)
	return bindDecoder(name, t, b), b
}

func bindDecoder(name string, t arrow.DataType, b array.Builder) *decoder {
	d := &decoder{name: name, typ: t}
	switch x := b.(type) {
	case *array.BooleanBuilder:
		d.kind, d.bools = dBool, x
	case *array.Int64Builder:
		d.kind, d.i64 = dInt64, x
	case *array.Int32Builder:
		d.kind, d.i32 = dInt32, x
	case *array.Float64Builder:
		d.kind, d.f64 = dFloat64, x
	case *array.Float32Builder:
		d.kind, d.f32 = dFloat32, x
	case *array.StringBuilder:
		d.kind, d.strs = dString, x
	case *array.LargeStringBuilder:
		d.kind, d.lstrs = dLargeString, x
	case *array.Date32Builder:
		d.kind, d.d32 = dDate32, x
	case *array.TimestampBuilder:
		d.kind, d.ts, d.unit = dTimestamp, x, t.(*arrow.TimestampType).Unit
	case *array.StructBuilder:
		d.kind, d.st = dStruct, x
		st := t.(*arrow.StructType)
		d.index = map[string]int{}
		for i, f := range st.Fields() {
			d.fields = append(d.fields, bindDecoder(name+"."+f.Name, f.Type, x.FieldBuilder(i)))
			d.index[f.Name] = i
		}
		d.seen = make([]bool, len(d.fields))
	case *array.ListBuilder:
		d.kind, d.list = dList, x
		d.elem = bindDecoder(name+"[]", t.(*arrow.ListType).Elem(), x.ValueBuilder())
	}
	return d
}

func (d *decoder) appendNull() {
	switch d.kind {
	case dBool:
		d.bools.AppendNull()
	case dInt64:
		d.i64.AppendNull()
	case dInt32:
		d.i32.AppendNull()
	case dFloat64:
		d.f64.AppendNull()
	case dFloat32:
		d.f32.AppendNull()
	case dString:
		d.strs.AppendNull()
	case dLargeString:
		d.lstrs.AppendNull()
	case dDate32:
		d.d32.AppendNull()
	case dTimestamp:
		d.ts.AppendNull()
	case dStruct:
		d.st.AppendNull()
	case dList:
		d.list.AppendNull()
	}
}

func (d *decoder) mismatch(s *scanner, what string) error {
	return s.errorf("field %s: %s is not a valid %s", d.name, what, d.typ)
}

func str(b []byte) string { return unsafe.String(unsafe.SliceData(b), len(b)) }

// decode reads one value into the builder.
func (d *decoder) decode(s *scanner) error {
	c := s.peek()
	if c == 'n' {
		if err := s.literal("null"); err != nil {
			return err
		}
		d.appendNull()
		return nil
	}
	switch d.kind {
	case dString, dLargeString:
		var v []byte
		if c == '"' {
			var err error
			if v, err = s.str(); err != nil {
				return err
			}
		} else {
			// A value of another kind is kept as its JSON text.
			start := s.pos
			if err := s.skip(); err != nil {
				return err
			}
			v = s.buf[start:s.pos]
		}
		if d.kind == dString {
			d.strs.Append(str(v))
		} else {
			d.lstrs.Append(str(v))
		}
		return nil
	case dBool:
		switch c {
		case 't':
			d.bools.Append(true)
			return s.literal("true")
		case 'f':
			d.bools.Append(false)
			return s.literal("false")
		}
		return d.mismatch(s, "value")
	case dInt64, dInt32, dFloat64, dFloat32:
		return d.decodeNumber(s, c)
	case dDate32, dTimestamp:
		if c != '"' {
			return d.mismatch(s, "value")
		}
		v, err := s.str()
		if err != nil {
			return err
		}
		if d.kind == dDate32 {
			day, ok := textparse.ParseDate(v)
			if !ok {
				return d.mismatch(s, strconv.Quote(string(v)))
			}
			d.d32.Append(arrow.Date32(day))
			return nil
		}
		var us int64
		if day, ok := textparse.ParseDate(v); ok {
			us = int64(day) * 86400_000_000
		} else if us, _, ok = textparse.ParseTimestamp(v); !ok {
			return d.mismatch(s, strconv.Quote(string(v)))
		}
		switch d.unit {
		case arrow.Second:
			us /= 1_000_000
		case arrow.Millisecond:
			us /= 1000
		case arrow.Nanosecond:
			us *= 1000
		}
		d.ts.Append(arrow.Timestamp(us))
		return nil
	case dStruct:
		if c != '{' {
			return d.mismatch(s, "value")
		}
		d.st.Append(true)
		return decodeObject(s, d.fields, d.index, d.seen)
	case dList:
		if c != '[' {
			return d.mismatch(s, "value")
		}
		s.pos++
		d.list.Append(true)
		if s.peek() == ']' {
			s.pos++
			return nil
		}
		for {
			if err := d.elem.decode(s); err != nil {
				return err
			}
			if done, err := s.endOf(']'); done || err != nil {
				return err
			}
		}
	}
	return fmt.Errorf("%w: json decoder kind %d", errs.ErrInternal, d.kind)
}

func (d *decoder) decodeNumber(s *scanner, c byte) error {
	if c != '-' && (c < '0' || c > '9') {
		return d.mismatch(s, "value")
	}
	v, isInt, err := s.number()
	if err != nil {
		return err
	}
	switch d.kind {
	case dInt64, dInt32:
		n, ok := textparse.ParseInt(v)
		if !isInt || !ok {
			return d.mismatch(s, string(v))
		}
		if d.kind == dInt64 {
			d.i64.Append(n)
			return nil
		}
		if n < math.MinInt32 || n > math.MaxInt32 {
			return d.mismatch(s, string(v))
		}
		d.i32.Append(int32(n))
	case dFloat64, dFloat32:
		f, err := strconv.ParseFloat(str(v), 64)
		if err != nil {
			return d.mismatch(s, string(v))
		}
		if d.kind == dFloat64 {
			d.f64.Append(f)
		} else {
			d.f32.Append(float32(f))
		}
	}
	return nil
}

// decodeObject reads an object (the '{' is next) into field decoders;
// unknown keys are skipped (or, with s.unknownKey, fail unless NULL) and
// missing ones are NULL.
func decodeObject(s *scanner, fields []*decoder, index map[string]int, seen []bool) error {
	s.pos++
	clear(seen)
	if s.peek() == '}' {
		s.pos++
	} else {
		for {
			if s.peek() != '"' {
				return s.errorf("expected a key")
			}
			k, err := s.str()
			if err != nil {
				return err
			}
			i, known := index[string(k)]
			if err := s.expect(':'); err != nil {
				return err
			}
			switch {
			case !known:
				if s.unknownKey != nil && s.peek() != 'n' {
					if err = s.unknownKey(string(k)); err != nil {
						break
					}
				}
				err = s.skip()
			case seen[i]:
				err = s.errorf("key %q appears twice", k)
			default:
				seen[i] = true
				err = fields[i].decode(s)
			}
			if err != nil {
				return err
			}
			done, err := s.endOf('}')
			if err != nil {
				return err
			}
			if done {
				break
			}
		}
	}
	for i, f := range fields {
		if !seen[i] {
			f.appendNull()
		}
	}
	return nil
}
