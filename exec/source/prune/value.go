// Package prune decides from summaries of a column (minimum, maximum, null
// count) whether a predicate can be true for any row they describe, so
// that sources skip files and row groups that cannot match. The same logic
// evaluates predicates on hive partition values exactly, since a partition
// value is a summary whose minimum and maximum are equal.
package prune

import (
	"cmp"
	"math"
	"strings"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/scalar"
)

type kind uint8

const (
	kindNone kind = iota
	kindInt
	kindUint
	kindFloat
	kindString
	kindBool
)

// Value is a non-null value of a column in the form statistics compare:
// integers, dates and timestamps as int64, unsigned integers as uint64,
// floats as float64, strings, booleans.
type Value struct {
	k kind
	i int64
	u uint64
	f float64
	s string
}

// Int is a signed integer, date (days) or timestamp (in the column's unit).
func Int(v int64) Value { return Value{k: kindInt, i: v} }

// Uint is an unsigned integer.
func Uint(v uint64) Value { return Value{k: kindUint, u: v} }

// Float is a floating-point number.
func Float(v float64) Value { return Value{k: kindFloat, f: v} }

// String is a string.
func String(v string) Value { return Value{k: kindString, s: v} }

// Bool is a boolean.
func Bool(v bool) Value {
	if v {
		return Value{k: kindBool, i: 1}
	}
	return Value{k: kindBool}
}

func (v Value) isNaN() bool { return v.k == kindFloat && math.IsNaN(v.f) }

// compare orders two values of the same kind.
func compare(a, b Value) int {
	switch a.k {
	case kindInt, kindBool:
		return cmp.Compare(a.i, b.i)
	case kindUint:
		return cmp.Compare(a.u, b.u)
	case kindFloat:
		return cmp.Compare(a.f, b.f)
	case kindString:
		return strings.Compare(a.s, b.s)
	}
	return 0
}

// kindOf is the kind statistics of a column type compare in, or kindNone
// for types that are not pruned.
func kindOf(t arrow.DataType) kind {
	switch t.ID() {
	case arrow.INT8, arrow.INT16, arrow.INT32, arrow.INT64, arrow.DATE32, arrow.DATE64, arrow.TIMESTAMP:
		return kindInt
	case arrow.UINT8, arrow.UINT16, arrow.UINT32, arrow.UINT64:
		return kindUint
	case arrow.FLOAT32, arrow.FLOAT64:
		return kindFloat
	case arrow.STRING, arrow.LARGE_STRING:
		return kindString
	case arrow.BOOL:
		return kindBool
	}
	return kindNone
}

// Prunable reports whether statistics on a column of type t can prune.
func Prunable(t arrow.DataType) bool { return kindOf(t) != kindNone }

// literalValue converts a literal compared with a column of type col. It
// fails when the literal is not of the column's type (the comparison then
// involves a cast the statistics know nothing about) or is NaN.
func literalValue(s scalar.Scalar, col arrow.DataType) (Value, bool) {
	lt := s.DataType()
	if kindOf(lt) != kindOf(col) || kindOf(col) == kindNone {
		return Value{}, false
	}
	if lt.ID() != col.ID() && !(isString(lt) && isString(col)) {
		return Value{}, false
	}
	if lt.ID() == arrow.TIMESTAMP && lt.(*arrow.TimestampType).Unit != col.(*arrow.TimestampType).Unit {
		return Value{}, false
	}
	var v Value
	switch x := s.(type) {
	case *scalar.Int8:
		v = Int(int64(x.Value))
	case *scalar.Int16:
		v = Int(int64(x.Value))
	case *scalar.Int32:
		v = Int(int64(x.Value))
	case *scalar.Int64:
		v = Int(x.Value)
	case *scalar.Uint8:
		v = Uint(uint64(x.Value))
	case *scalar.Uint16:
		v = Uint(uint64(x.Value))
	case *scalar.Uint32:
		v = Uint(uint64(x.Value))
	case *scalar.Uint64:
		v = Uint(x.Value)
	case *scalar.Float32:
		v = Float(float64(x.Value))
	case *scalar.Float64:
		v = Float(x.Value)
	case *scalar.String:
		v = String(x.String())
	case *scalar.LargeString:
		v = String(x.String())
	case *scalar.Date32:
		v = Int(int64(x.Value))
	case *scalar.Date64:
		v = Int(int64(x.Value))
	case *scalar.Timestamp:
		v = Int(int64(x.Value))
	case *scalar.Boolean:
		v = Bool(x.Value)
	default:
		return Value{}, false
	}
	if v.isNaN() {
		return Value{}, false
	}
	return v, true
}

// FromScalar converts a non-null scalar of a column of type col to a
// Value; false when the two types differ in domain or v is NaN.
func FromScalar(v scalar.Scalar, col arrow.DataType) (Value, bool) {
	if v == nil || !v.IsValid() {
		return Value{}, false
	}
	return literalValue(v, col)
}

// IntValue returns the integer of an Int value (dates, timestamps).
func (v Value) IntValue() (int64, bool) { return v.i, v.k == kindInt }

// StringValue returns the text of a String value.
func (v Value) StringValue() (string, bool) { return v.s, v.k == kindString }

func isString(t arrow.DataType) bool { return t.ID() == arrow.STRING || t.ID() == arrow.LARGE_STRING }
