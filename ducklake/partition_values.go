package ducklake

import (
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"

	"lakeframe/errs"
)

func grow(s []int64, n int) []int64 {
	if cap(s) < n {
		return make([]int64, n)
	}
	return s[:n]
}

func growBool(s []bool, n int) []bool {
	if cap(s) < n {
		return make([]bool, n)
	}
	return s[:n]
}

// keyCodes fills, per row, a number that is equal for rows in the same
// partition of key, and whether the key is NULL. Strings are numbered in
// order of appearance.
func keyCodes(a arrow.Array, key specKey, codes []int64, nulls []bool) error {
	for i := range nulls {
		nulls[i] = a.IsNull(i)
	}
	if key.transform != "identity" {
		return calendarCodes(a, key.transform, codes)
	}
	switch x := a.(type) {
	case *array.Boolean:
		for i := range codes {
			codes[i] = 0
			if x.IsValid(i) && x.Value(i) {
				codes[i] = 1
			}
		}
	case *array.Int8:
		fillCodes(codes, x.Int8Values())
	case *array.Int16:
		fillCodes(codes, x.Int16Values())
	case *array.Int32:
		fillCodes(codes, x.Int32Values())
	case *array.Int64:
		fillCodes(codes, x.Int64Values())
	case *array.Uint8:
		fillCodes(codes, x.Uint8Values())
	case *array.Uint16:
		fillCodes(codes, x.Uint16Values())
	case *array.Uint32:
		fillCodes(codes, x.Uint32Values())
	case *array.Uint64:
		fillCodes(codes, x.Uint64Values())
	case *array.Float32:
		for i, v := range x.Float32Values() {
			codes[i] = int64(math.Float64bits(float64(v)))
		}
	case *array.Float64:
		for i, v := range x.Float64Values() {
			codes[i] = int64(math.Float64bits(v))
		}
	case *array.Date32:
		fillCodes(codes, x.Date32Values())
	case *array.Time64:
		fillCodes(codes, x.Time64Values())
	case *array.Timestamp:
		fillCodes(codes, x.TimestampValues())
	case *array.String:
		dict := map[string]int64{}
		for i := range codes {
			if x.IsNull(i) {
				continue
			}
			v := x.Value(i)
			code, ok := dict[v]
			if !ok {
				code = int64(len(dict))
				dict[strings.Clone(v)] = code
			}
			codes[i] = code
		}
	default:
		return fmt.Errorf("%w: partition values of type %s", errs.ErrNotImplemented, a.DataType())
	}
	return nil
}

func fillCodes[T ~int8 | ~int16 | ~int32 | ~int64 | ~uint8 | ~uint16 | ~uint32 | ~uint64](codes []int64, vals []T) {
	for i, v := range vals {
		codes[i] = int64(v)
	}
}

// calendarCodes computes year, month (of the year), day (of the month)
// or hour (of the day) of a date or timestamp column, in UTC.
func calendarCodes(a arrow.Array, transform string, codes []int64) error {
	part := func(t time.Time) int64 {
		switch transform {
		case "year":
			return int64(t.Year())
		case "month":
			return int64(t.Month())
		case "day":
			return int64(t.Day())
		}
		return int64(t.Hour())
	}
	switch x := a.(type) {
	case *array.Date32:
		for i, v := range x.Date32Values() {
			codes[i] = part(time.Unix(int64(v)*86400, 0).UTC())
		}
	case *array.Timestamp:
		unit := x.DataType().(*arrow.TimestampType).Unit
		for i, v := range x.TimestampValues() {
			codes[i] = part(timestampTime(int64(v), unit))
		}
	default:
		return fmt.Errorf("%w: %s partition values of type %s", errs.ErrNotImplemented, transform, a.DataType())
	}
	return nil
}

// keyText is the partition value of row i, not NULL, as the catalog
// spells it: the transform's number, or the value in the form of
// statistics.
func keyText(a arrow.Array, key specKey, i int) string {
	if s, ok := a.(*array.String); ok && key.transform == "identity" {
		return s.Value(i)
	}
	one := array.NewSlice(a, int64(i), int64(i+1))
	defer one.Release()
	if key.transform != "identity" {
		codes := make([]int64, 1)
		_ = calendarCodes(one, key.transform, codes)
		return strconv.FormatInt(codes[0], 10)
	}
	st := newColumnStats(key.typ)
	st.add(one)
	if st.nan {
		return "nan"
	}
	lo, _, _ := st.bounds()
	return lo
}
