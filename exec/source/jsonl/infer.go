package jsonl

import (
	"github.com/apache/arrow-go/v18/arrow"

	"lakeframe/exec/internal/textparse"
)

const (
	kBool uint8 = 1 << iota
	kInt
	kFloat
	kString
	kObject
	kArray
)

// jtype gathers what the sampled values of one field look like.
type jtype struct {
	kinds            uint8 // kinds of non-null values seen
	allDate, allTime bool  // over strings
	zoned            bool
	names            []string // object keys in order of first appearance
	fields           map[string]*jtype
	elem             *jtype // array elements
}

func newJType() *jtype { return &jtype{allDate: true, allTime: true} }

// observe reads one value and records its type.
func (t *jtype) observe(s *scanner) error {
	switch c := s.peek(); c {
	case 'n':
		return s.literal("null")
	case 't':
		t.kinds |= kBool
		return s.literal("true")
	case 'f':
		t.kinds |= kBool
		return s.literal("false")
	case '"':
		b, err := s.str()
		if err != nil {
			return err
		}
		t.kinds |= kString
		_, isDate := textparse.ParseDate(b)
		t.allDate = t.allDate && isDate
		if !isDate {
			_, zoned, ok := textparse.ParseTimestamp(b)
			t.allTime = t.allTime && ok
			t.zoned = t.zoned || zoned
		}
		return nil
	case '{':
		t.kinds |= kObject
		if t.fields == nil {
			t.fields = map[string]*jtype{}
		}
		s.pos++
		if s.peek() == '}' {
			s.pos++
			return nil
		}
		for {
			if s.peek() != '"' {
				return s.errorf("expected a key")
			}
			k, err := s.str()
			if err != nil {
				return err
			}
			f, ok := t.fields[string(k)]
			if !ok {
				f = newJType()
				name := string(k)
				t.fields[name] = f
				t.names = append(t.names, name)
			}
			if err := s.expect(':'); err != nil {
				return err
			}
			if err := f.observe(s); err != nil {
				return err
			}
			if done, err := s.endOf('}'); done || err != nil {
				return err
			}
		}
	case '[':
		t.kinds |= kArray
		if t.elem == nil {
			t.elem = newJType()
		}
		s.pos++
		if s.peek() == ']' {
			s.pos++
			return nil
		}
		for {
			if err := t.elem.observe(s); err != nil {
				return err
			}
			if done, err := s.endOf(']'); done || err != nil {
				return err
			}
		}
	default:
		_, isInt, err := s.number()
		if err != nil {
			return err
		}
		if isInt {
			t.kinds |= kInt
		} else {
			t.kinds |= kFloat
		}
		return nil
	}
}

// arrowType turns observations into a type: ints with floats are
// float64, strings that are all dates or all timestamps (dates allowed)
// become date32 or timestamp, objects become structs with their keys in
// order of first appearance, arrays become lists. Fields never seen with
// a value, and fields with values of different kinds, are strings (the
// latter hold each value's JSON text).
func (t *jtype) arrowType() arrow.DataType {
	switch t.kinds {
	case kBool:
		return arrow.FixedWidthTypes.Boolean
	case kInt:
		return arrow.PrimitiveTypes.Int64
	case kInt | kFloat, kFloat:
		return arrow.PrimitiveTypes.Float64
	case kString:
		switch {
		case t.allDate:
			return arrow.FixedWidthTypes.Date32
		case t.allTime:
			if t.zoned {
				return &arrow.TimestampType{Unit: arrow.Microsecond, TimeZone: "UTC"}
			}
			return &arrow.TimestampType{Unit: arrow.Microsecond}
		}
	case kObject:
		if len(t.names) > 0 {
			return arrow.StructOf(t.structFields()...)
		}
	case kArray:
		return arrow.ListOf(t.elem.arrowType())
	}
	return arrow.BinaryTypes.String
}

func (t *jtype) structFields() []arrow.Field {
	out := make([]arrow.Field, len(t.names))
	for i, n := range t.names {
		out[i] = arrow.Field{Name: n, Type: t.fields[n].arrowType(), Nullable: true}
	}
	return out
}
