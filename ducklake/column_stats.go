package ducklake

import (
	"cmp"
	"math"
	"strconv"
	"strings"
	"time"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/scalar"
)

// columnStats gathers what ducklake_file_column_stats records of one
// column of a file: value and null counts, whether a float column holds
// NaN, and the minimum and maximum of the other values. Bounds are kept
// for the types whose text form DuckDB and lakeframe both compare in the
// column's own order; others record counts only.
type columnStats struct {
	typ            arrow.DataType
	values, nulls  int64
	nan            bool
	bounded        bool // the type has bounds
	seen           bool // some non-null, non-NaN value was seen
	lo, hi         statValue
	compressedSize int64
}

// statValue is a bound in the form its type compares in.
type statValue struct {
	i int64
	u uint64
	f float64
	s string
}

// maxStatText keeps long strings out of the catalog: a column whose
// bound is longer records no bounds, which is never wrong.
const maxStatText = 256

func newColumnStats(t arrow.DataType) *columnStats {
	s := &columnStats{typ: t}
	switch t.ID() {
	case arrow.BOOL, arrow.INT8, arrow.INT16, arrow.INT32, arrow.INT64,
		arrow.UINT8, arrow.UINT16, arrow.UINT32, arrow.UINT64,
		arrow.FLOAT32, arrow.FLOAT64, arrow.DATE32, arrow.TIME64, arrow.TIMESTAMP, arrow.STRING:
		s.bounded = true
	}
	return s
}

// add folds a column of a batch in. The loops are per type, over the
// raw values.
func (s *columnStats) add(a arrow.Array) {
	s.values += int64(a.Len())
	s.nulls += int64(a.NullN())
	if !s.bounded || a.NullN() == a.Len() {
		return
	}
	switch x := a.(type) {
	case *array.Boolean:
		for i := 0; i < x.Len(); i++ {
			if x.IsValid(i) {
				v := int64(0)
				if x.Value(i) {
					v = 1
				}
				s.observeInt(v)
			}
		}
	case *array.Int8:
		observeInts(s, x, x.Int8Values())
	case *array.Int16:
		observeInts(s, x, x.Int16Values())
	case *array.Int32:
		observeInts(s, x, x.Int32Values())
	case *array.Int64:
		observeInts(s, x, x.Int64Values())
	case *array.Date32:
		observeInts(s, x, x.Date32Values())
	case *array.Time64:
		observeInts(s, x, x.Time64Values())
	case *array.Timestamp:
		observeInts(s, x, x.TimestampValues())
	case *array.Uint8:
		observeUints(s, x, x.Uint8Values())
	case *array.Uint16:
		observeUints(s, x, x.Uint16Values())
	case *array.Uint32:
		observeUints(s, x, x.Uint32Values())
	case *array.Uint64:
		observeUints(s, x, x.Uint64Values())
	case *array.Float32:
		observeFloats(s, x, x.Float32Values())
	case *array.Float64:
		observeFloats(s, x, x.Float64Values())
	case *array.String:
		for i := 0; i < x.Len(); i++ {
			if x.IsValid(i) {
				v := x.Value(i)
				if !s.seen {
					// Copy: the batch's buffers are released.
					s.lo.s, s.hi.s, s.seen = strings.Clone(v), strings.Clone(v), true
					continue
				}
				if v < s.lo.s {
					s.lo.s = strings.Clone(v)
				}
				if v > s.hi.s {
					s.hi.s = strings.Clone(v)
				}
			}
		}
	default:
		// A type newColumnStats bounds but arrives in another layout
		// (never, since batches are conformed first): record no bounds.
		s.bounded = false
	}
}

type nullable interface{ IsValid(int) bool }

func observeInts[T ~int8 | ~int16 | ~int32 | ~int64](s *columnStats, a nullable, vals []T) {
	for i, v := range vals {
		if a.IsValid(i) {
			s.observeInt(int64(v))
		}
	}
}

func (s *columnStats) observeInt(v int64) {
	if !s.seen {
		s.lo.i, s.hi.i, s.seen = v, v, true
		return
	}
	s.lo.i, s.hi.i = min(s.lo.i, v), max(s.hi.i, v)
}

func observeUints[T ~uint8 | ~uint16 | ~uint32 | ~uint64](s *columnStats, a nullable, vals []T) {
	for i, v := range vals {
		if !a.IsValid(i) {
			continue
		}
		u := uint64(v)
		if !s.seen {
			s.lo.u, s.hi.u, s.seen = u, u, true
			continue
		}
		s.lo.u, s.hi.u = min(s.lo.u, u), max(s.hi.u, u)
	}
}

// observeFloats keeps NaN out of the bounds and notes it; -0.0 and 0.0
// are kept apart so that a bound never excludes one of them.
func observeFloats[T ~float32 | ~float64](s *columnStats, a nullable, vals []T) {
	for i, v := range vals {
		if !a.IsValid(i) {
			continue
		}
		f := float64(v)
		if math.IsNaN(f) {
			s.nan = true
			continue
		}
		if !s.seen {
			s.lo.f, s.hi.f, s.seen = f, f, true
			continue
		}
		if f < s.lo.f || f == s.lo.f && math.Signbit(f) {
			s.lo.f = f
		}
		if f > s.hi.f || f == s.hi.f && !math.Signbit(f) {
			s.hi.f = f
		}
	}
}

// isFloat reports whether contains_nan applies to the column.
func (s *columnStats) isFloat() bool {
	return s.typ.ID() == arrow.FLOAT32 || s.typ.ID() == arrow.FLOAT64
}

// bounds are the text forms of the minimum and maximum, or ok false when
// the column records none.
func (s *columnStats) bounds() (lo, hi string, ok bool) {
	if !s.bounded || !s.seen {
		return "", "", false
	}
	lo, hi = statText(s.lo, s.typ), statText(s.hi, s.typ)
	if len(lo) > maxStatText || len(hi) > maxStatText {
		return "", "", false
	}
	return lo, hi, true
}

// statText spells a bound as DuckDB does in the catalog: the forms
// parseScalar reads back.
func statText(v statValue, t arrow.DataType) string {
	switch tt := t.(type) {
	case *arrow.BooleanType:
		return strconv.FormatBool(v.i != 0)
	case *arrow.Uint8Type, *arrow.Uint16Type, *arrow.Uint32Type, *arrow.Uint64Type:
		return strconv.FormatUint(v.u, 10)
	case *arrow.Float32Type:
		return strconv.FormatFloat(v.f, 'g', -1, 32)
	case *arrow.Float64Type:
		return strconv.FormatFloat(v.f, 'g', -1, 64)
	case *arrow.Date32Type:
		return time.Unix(v.i*86400, 0).UTC().Format("2006-01-02")
	case *arrow.Time64Type:
		d := time.Duration(v.i) * time.Microsecond
		if tt.Unit == arrow.Nanosecond {
			d = time.Duration(v.i)
		}
		return time.Unix(0, 0).UTC().Add(d).Format("15:04:05.999999")
	case *arrow.TimestampType:
		ts := timestampTime(v.i, tt.Unit)
		if tt.TimeZone != "" {
			return ts.Format("2006-01-02 15:04:05.999999") + "+00"
		}
		return ts.Format("2006-01-02 15:04:05.999999999")
	case *arrow.StringType:
		return v.s
	}
	return strconv.FormatInt(v.i, 10)
}

func timestampTime(v int64, unit arrow.TimeUnit) time.Time {
	switch unit {
	case arrow.Second:
		return time.Unix(v, 0).UTC()
	case arrow.Millisecond:
		return time.UnixMilli(v).UTC()
	case arrow.Microsecond:
		return time.UnixMicro(v).UTC()
	}
	return time.Unix(0, v).UTC()
}

// statFromText reads a bound the catalog holds back into the form it
// compares in; ok is false when it cannot be read.
func statFromText(text string, t arrow.DataType) (statValue, bool) {
	sc, err := parseScalar(text, t)
	if err != nil {
		return statValue{}, false
	}
	switch x := sc.(type) {
	case *scalar.Boolean:
		if x.Value {
			return statValue{i: 1}, true
		}
		return statValue{}, true
	case *scalar.Int8:
		return statValue{i: int64(x.Value)}, true
	case *scalar.Int16:
		return statValue{i: int64(x.Value)}, true
	case *scalar.Int32:
		return statValue{i: int64(x.Value)}, true
	case *scalar.Int64:
		return statValue{i: x.Value}, true
	case *scalar.Uint8:
		return statValue{u: uint64(x.Value)}, true
	case *scalar.Uint16:
		return statValue{u: uint64(x.Value)}, true
	case *scalar.Uint32:
		return statValue{u: uint64(x.Value)}, true
	case *scalar.Uint64:
		return statValue{u: x.Value}, true
	case *scalar.Float32:
		return statValue{f: float64(x.Value)}, !math.IsNaN(float64(x.Value))
	case *scalar.Float64:
		return statValue{f: x.Value}, !math.IsNaN(x.Value)
	case *scalar.Date32:
		return statValue{i: int64(x.Value)}, true
	case *scalar.Time64:
		return statValue{i: int64(x.Value)}, true
	case *scalar.Timestamp:
		return statValue{i: int64(x.Value)}, true
	case *scalar.String:
		return statValue{s: x.String()}, true
	}
	return statValue{}, false
}

// compareStat orders two bounds of type t.
func compareStat(a, b statValue, t arrow.DataType) int {
	switch t.ID() {
	case arrow.UINT8, arrow.UINT16, arrow.UINT32, arrow.UINT64:
		return cmp.Compare(a.u, b.u)
	case arrow.FLOAT32, arrow.FLOAT64:
		return cmp.Compare(a.f, b.f)
	case arrow.STRING:
		return strings.Compare(a.s, b.s)
	}
	return cmp.Compare(a.i, b.i)
}
