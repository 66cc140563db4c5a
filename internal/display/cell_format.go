package display

import (
	"encoding/hex"
	"math"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/decimal"
)

// nullText is what a null cell shows.
const nullText = "null"

// ellipsis marks text cut short.
const ellipsis = "…"

// appendFunc appends the text of row i of one array to b. Row i is not
// null: callers check validity first (see cellFormat.appender).
type appendFunc func(b []byte, i int) []byte

// cellFormat builds appendFuncs for the arrays of one table. The type
// switch runs once per array, so rendering a row costs no type tests.
type cellFormat struct {
	// budget bounds how many bytes a nested value or a binary value
	// renders before it is cut short; < 0 means unbounded.
	budget int
	// locs caches time zones by name: loading one reads the zone database.
	locs map[string]*time.Location
}

func newCellFormat(maxWidth int) *cellFormat {
	budget := -1
	if maxWidth >= 0 {
		// Generous: a display column is at most 4 bytes, so the cut
		// lands beyond the visible width and truncation shows the ellipsis.
		budget = 4*maxWidth + 8
	}
	return &cellFormat{budget: budget, locs: map[string]*time.Location{}}
}

// appender returns the formatter of arr, nulls included. nested is true
// inside lists, maps and structs, where strings are quoted so that
// separators in the data cannot be mistaken for structure.
func (f *cellFormat) appender(arr arrow.Array, nested bool) appendFunc {
	inner := f.valueAppender(arr, nested)
	if arr.NullN() == 0 {
		return inner
	}
	return func(b []byte, i int) []byte {
		if arr.IsNull(i) {
			return append(b, nullText...)
		}
		return inner(b, i)
	}
}

func (f *cellFormat) valueAppender(arr arrow.Array, nested bool) appendFunc {
	switch a := arr.(type) {
	case *array.Null:
		return func(b []byte, _ int) []byte { return append(b, nullText...) }
	case *array.Boolean:
		return func(b []byte, i int) []byte { return strconv.AppendBool(b, a.Value(i)) }
	case *array.Int8:
		return appendInts(a.Int8Values())
	case *array.Int16:
		return appendInts(a.Int16Values())
	case *array.Int32:
		return appendInts(a.Int32Values())
	case *array.Int64:
		return appendInts(a.Int64Values())
	case *array.Uint8:
		return appendUints(a.Uint8Values())
	case *array.Uint16:
		return appendUints(a.Uint16Values())
	case *array.Uint32:
		return appendUints(a.Uint32Values())
	case *array.Uint64:
		return appendUints(a.Uint64Values())
	case *array.Float16:
		vals := a.Values()
		return func(b []byte, i int) []byte { return appendFloat(b, float64(vals[i].Float32()), 32) }
	case *array.Float32:
		vals := a.Float32Values()
		return func(b []byte, i int) []byte { return appendFloat(b, float64(vals[i]), 32) }
	case *array.Float64:
		vals := a.Float64Values()
		return func(b []byte, i int) []byte { return appendFloat(b, vals[i], 64) }
	case *array.Decimal32:
		return appendDecimals(a.Values(), a.DataType().(arrow.DecimalType).GetScale())
	case *array.Decimal64:
		return appendDecimals(a.Values(), a.DataType().(arrow.DecimalType).GetScale())
	case *array.Decimal128:
		return appendDecimals(a.Values(), a.DataType().(arrow.DecimalType).GetScale())
	case *array.Decimal256:
		return appendDecimals(a.Values(), a.DataType().(arrow.DecimalType).GetScale())
	case *array.String:
		return f.appendStrings(a.Value, nested)
	case *array.LargeString:
		return f.appendStrings(a.Value, nested)
	case *array.StringView:
		return f.appendStrings(a.Value, nested)
	case *array.Binary:
		return f.appendBinaries(a.Value)
	case *array.LargeBinary:
		return f.appendBinaries(a.Value)
	case *array.BinaryView:
		return f.appendBinaries(a.Value)
	case *array.FixedSizeBinary:
		return f.appendBinaries(a.Value)
	case *array.Date32:
		vals := a.Date32Values()
		return func(b []byte, i int) []byte { return vals[i].ToTime().AppendFormat(b, time.DateOnly) }
	case *array.Date64:
		vals := a.Date64Values()
		return func(b []byte, i int) []byte { return vals[i].ToTime().AppendFormat(b, time.DateOnly) }
	case *array.Time32:
		unit := a.DataType().(*arrow.Time32Type).Unit
		vals := a.Time32Values()
		return appendClock(func(i int) time.Time { return vals[i].ToTime(unit) }, unit)
	case *array.Time64:
		unit := a.DataType().(*arrow.Time64Type).Unit
		vals := a.Time64Values()
		return appendClock(func(i int) time.Time { return vals[i].ToTime(unit) }, unit)
	case *array.Timestamp:
		return f.appendTimestamps(a)
	case *array.Duration:
		return appendDurations(a.DurationValues(), a.DataType().(*arrow.DurationType).Unit)
	case *array.Map:
		return f.appendMap(a)
	case array.ListLike:
		return f.appendList(a)
	case *array.Struct:
		return f.appendStruct(a)
	case *array.Dictionary:
		values := f.appender(a.Dictionary(), nested)
		return func(b []byte, i int) []byte { return values(b, a.GetValueIndex(i)) }
	case *array.RunEndEncoded:
		values := f.appender(a.Values(), nested)
		return func(b []byte, i int) []byte { return values(b, a.GetPhysicalIndex(i)) }
	default:
		// Types lakeframe does not produce (intervals, unions,
		// extensions) fall back to arrow's own rendering.
		return func(b []byte, i int) []byte { return appendEscaped(b, arr.ValueStr(i), -1) }
	}
}

func appendInts[T int8 | int16 | int32 | int64](vals []T) appendFunc {
	return func(b []byte, i int) []byte { return strconv.AppendInt(b, int64(vals[i]), 10) }
}

func appendUints[T uint8 | uint16 | uint32 | uint64](vals []T) appendFunc {
	return func(b []byte, i int) []byte { return strconv.AppendUint(b, uint64(vals[i]), 10) }
}

func appendDecimals[T interface {
	decimal.DecimalTypes
	decimal.Num[T]
}](vals []T, scale int32) appendFunc {
	return func(b []byte, i int) []byte { return append(b, vals[i].ToString(scale)...) }
}

// appendFloat writes the shortest text that parses back to the same value
// (no noise digits, nothing lost), in plain notation for everyday
// magnitudes and scientific notation for very large or small ones. A whole
// number keeps ".0" so a float column never looks like an integer one.
func appendFloat(b []byte, v float64, bits int) []byte {
	switch {
	case math.IsNaN(v):
		return append(b, "NaN"...)
	case math.IsInf(v, 1):
		return append(b, "inf"...)
	case math.IsInf(v, -1):
		return append(b, "-inf"...)
	}
	if abs := math.Abs(v); abs != 0 && (abs < 1e-4 || abs >= 1e16) {
		return strconv.AppendFloat(b, v, 'e', -1, bits)
	}
	start := len(b)
	b = strconv.AppendFloat(b, v, 'f', -1, bits)
	for _, c := range b[start:] {
		if c == '.' {
			return b
		}
	}
	return append(b, ".0"...)
}

func (f *cellFormat) appendStrings(value func(int) string, nested bool) appendFunc {
	if nested {
		return func(b []byte, i int) []byte { return strconv.AppendQuote(b, value(i)) }
	}
	return func(b []byte, i int) []byte { return appendEscaped(b, value(i), f.budget) }
}

// appendEscaped appends s with control characters written as escapes, so
// a value can neither break a table row nor send terminal control
// sequences. With budget >= 0 it stops after about budget bytes, ending
// in an ellipsis: the rest would be cut off by truncation anyway.
func appendEscaped(b []byte, s string, budget int) []byte {
	cut := budget >= 0 && len(s) > budget
	if cut {
		s = s[:budget]
	}
	for len(s) > 0 {
		r, size := utf8.DecodeRuneInString(s)
		switch {
		case r == '\n':
			b = append(b, `\n`...)
		case r == '\r':
			b = append(b, `\r`...)
		case r == '\t':
			b = append(b, `\t`...)
		case r == utf8.RuneError && size == 1, r < 0x20, r >= 0x7f && r < 0xa0:
			for _, c := range []byte(s[:size]) {
				b = append(b, `\x`...)
				b = hex.AppendEncode(b, []byte{c})
			}
		default:
			b = append(b, s[:size]...)
		}
		s = s[size:]
	}
	if cut {
		b = append(b, ellipsis...)
	}
	return b
}

// appendBinaries writes bytes as 0x-prefixed hex, encoding only what can
// be shown.
func (f *cellFormat) appendBinaries(value func(int) []byte) appendFunc {
	return func(b []byte, i int) []byte {
		v := value(i)
		if f.budget >= 0 && 2*len(v) > f.budget {
			b = hex.AppendEncode(append(b, "0x"...), v[:f.budget/2])
			return append(b, ellipsis...)
		}
		return hex.AppendEncode(append(b, "0x"...), v)
	}
}

// fractionLayout is the time layout of a sub-second part in unit.
func fractionLayout(unit arrow.TimeUnit) string {
	switch unit {
	case arrow.Millisecond:
		return ".000"
	case arrow.Microsecond:
		return ".000000"
	case arrow.Nanosecond:
		return ".000000000"
	default:
		return ""
	}
}

// appendClock writes times of day as 15:04:05, with the sub-second digits
// of the unit when they are not all zero.
func appendClock(at func(i int) time.Time, unit arrow.TimeUnit) appendFunc {
	whole, frac := time.TimeOnly, time.TimeOnly+fractionLayout(unit)
	return func(b []byte, i int) []byte {
		t := at(i)
		if t.Nanosecond() == 0 {
			return t.AppendFormat(b, whole)
		}
		return t.AppendFormat(b, frac)
	}
}

// appendTimestamps writes "2006-01-02 15:04:05", with the sub-second
// digits of the unit when they are not all zero. A zoned timestamp is
// shown in its zone with its UTC offset ("Z" for UTC); a naive one has no
// offset, as it names no instant.
func (f *cellFormat) appendTimestamps(a *array.Timestamp) appendFunc {
	typ := a.DataType().(*arrow.TimestampType)
	unit := typ.Unit
	whole, frac := time.DateTime, time.DateTime+fractionLayout(unit)
	loc := time.UTC
	if typ.TimeZone != "" {
		whole += "Z07:00"
		frac += "Z07:00"
		loc = f.location(typ.TimeZone)
	}
	vals := a.TimestampValues()
	return func(b []byte, i int) []byte {
		t := vals[i].ToTime(unit).In(loc)
		if t.Nanosecond() == 0 {
			return t.AppendFormat(b, whole)
		}
		return t.AppendFormat(b, frac)
	}
}

// location resolves an Arrow time zone: a zone database name or a fixed
// offset such as "+05:30". A zone that cannot be resolved shows as UTC,
// which is still the right instant, with its offset.
func (f *cellFormat) location(tz string) *time.Location {
	if loc, ok := f.locs[tz]; ok {
		return loc
	}
	loc, ok := fixedOffset(tz)
	if !ok {
		var err error
		if loc, err = time.LoadLocation(tz); err != nil {
			loc = time.UTC
		}
	}
	f.locs[tz] = loc
	return loc
}

// fixedOffset parses "+HH", "+HHMM" and "+HH:MM" (or with "-").
func fixedOffset(tz string) (*time.Location, bool) {
	if len(tz) < 3 || (tz[0] != '+' && tz[0] != '-') {
		return nil, false
	}
	digits := strings.Replace(tz[1:], ":", "", 1)
	if len(digits) != 2 && len(digits) != 4 {
		return nil, false
	}
	n, err := strconv.Atoi(digits)
	if err != nil || n < 0 {
		return nil, false
	}
	hours, minutes := n, 0
	if len(digits) == 4 {
		hours, minutes = n/100, n%100
	}
	if hours > 23 || minutes > 59 {
		return nil, false
	}
	secs := hours*3600 + minutes*60
	if tz[0] == '-' {
		secs = -secs
	}
	return time.FixedZone(tz, secs), true
}

// appendDurations writes durations the way Go does (1h2m3.5s); one too long
// for time.Duration is written as its count and unit.
func appendDurations(vals []arrow.Duration, unit arrow.TimeUnit) appendFunc {
	mult := int64(unit.Multiplier())
	suffix := unit.String()
	return func(b []byte, i int) []byte {
		v := int64(vals[i])
		if v > math.MaxInt64/mult || v < math.MinInt64/mult {
			return append(strconv.AppendInt(b, v, 10), suffix...)
		}
		return append(b, time.Duration(v*mult).String()...)
	}
}

// appendList writes [a, b, c]; elements past the budget become "…".
func (f *cellFormat) appendList(a array.ListLike) appendFunc {
	elem := f.appender(a.ListValues(), true)
	return func(b []byte, i int) []byte {
		start, end := a.ValueOffsets(i)
		origin := len(b)
		b = append(b, '[')
		for j := start; j < end; j++ {
			if j > start {
				b = append(b, ", "...)
			}
			if f.over(b, origin) {
				b = append(b, ellipsis...)
				break
			}
			b = elem(b, int(j))
		}
		return append(b, ']')
	}
}

// appendMap writes {k: v, ...}.
func (f *cellFormat) appendMap(a *array.Map) appendFunc {
	keys, items := f.appender(a.Keys(), true), f.appender(a.Items(), true)
	return func(b []byte, i int) []byte {
		start, end := a.ValueOffsets(i)
		origin := len(b)
		b = append(b, '{')
		for j := start; j < end; j++ {
			if j > start {
				b = append(b, ", "...)
			}
			if f.over(b, origin) {
				b = append(b, ellipsis...)
				break
			}
			b = keys(b, int(j))
			b = append(b, ": "...)
			b = items(b, int(j))
		}
		return append(b, '}')
	}
}

// appendStruct writes {name: value, ...}.
func (f *cellFormat) appendStruct(a *array.Struct) appendFunc {
	typ := a.DataType().(*arrow.StructType)
	fields := make([]appendFunc, a.NumField())
	for k := range fields {
		fields[k] = f.appender(a.Field(k), true)
	}
	return func(b []byte, i int) []byte {
		origin := len(b)
		b = append(b, '{')
		for k, field := range fields {
			if k > 0 {
				b = append(b, ", "...)
			}
			if f.over(b, origin) {
				b = append(b, ellipsis...)
				break
			}
			b = append(b, typ.Field(k).Name...)
			b = append(b, ": "...)
			b = field(b, i)
		}
		return append(b, '}')
	}
}

// over reports whether the value begun at origin has used its budget.
func (f *cellFormat) over(b []byte, origin int) bool {
	return f.budget >= 0 && len(b)-origin > f.budget
}
