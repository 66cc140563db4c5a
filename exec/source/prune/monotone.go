package prune

import (
	"github.com/apache/arrow-go/v18/arrow"

	"lakeframe/expr"
)

// monotone maps a column's values through a non-decreasing function, such
// as the date of a timestamp or the year of a date: the function of the
// minimum and of the maximum bound the function of every value, so
// comparisons of the function's result prune like comparisons of the
// column (CAST(ts AS DATE) = d on a day-partitioned timestamp).
type monotone func(Value) (Value, bool)

// stats summarises f of the values s summarises. NULL stays NULL and no
// result is NaN.
func (f monotone) stats(s Stats) Stats {
	out := Stats{Rows: s.Rows, Nulls: s.Nulls, NoNaN: true}
	if !s.HasBounds || s.MaxIsPrefix {
		return out
	}
	lo, ok1 := f(s.Min)
	hi, ok2 := f(s.Max)
	if ok1 && ok2 {
		out.Min, out.Max, out.HasBounds = lo, hi, true
	}
	return out
}

// monotoneColumn recognises a column, or a monotone function of one that
// pruning knows, and returns the column, the type of the expression and
// the function (nil for the column itself).
func monotoneColumn(n expr.Node, schema *arrow.Schema) (int, arrow.DataType, monotone, bool) {
	switch x := n.(type) {
	case *expr.Column:
		col, t, ok := column(x, schema)
		return col, t, nil, ok
	case *expr.Cast:
		c, ok := x.In.(*expr.Column)
		if !ok || x.To.ID() != arrow.DATE32 {
			return 0, nil, nil, false
		}
		col, t, ok := column(c, schema)
		if !ok {
			return 0, nil, nil, false
		}
		perDay, ok := utcUnitsPerDay(t)
		if !ok {
			return 0, nil, nil, false
		}
		return col, x.To, func(v Value) (Value, bool) {
			return Int(floorDiv(v.i, perDay)), v.k == kindInt
		}, true
	case *expr.Call:
		if x.Fn != expr.FnYear || len(x.Args) != 1 {
			return 0, nil, nil, false
		}
		c, ok := x.Args[0].(*expr.Column)
		if !ok {
			return 0, nil, nil, false
		}
		col, t, ok := column(c, schema)
		if !ok {
			return 0, nil, nil, false
		}
		perDay := int64(1)
		if t.ID() != arrow.DATE32 {
			if perDay, ok = utcUnitsPerDay(t); !ok {
				return 0, nil, nil, false
			}
		}
		return col, arrow.PrimitiveTypes.Int64, func(v Value) (Value, bool) {
			if v.k != kindInt {
				return Value{}, false
			}
			return Int(int64(yearOfDay(floorDiv(v.i, perDay)))), true
		}, true
	}
	return 0, nil, nil, false
}

// utcUnitsPerDay is the length of a day in a timestamp column's unit, for
// timestamps read as UTC (other zones shift the day).
func utcUnitsPerDay(t arrow.DataType) (int64, bool) {
	tt, ok := t.(*arrow.TimestampType)
	if !ok {
		return 0, false
	}
	switch tt.TimeZone {
	case "", "UTC", "utc", "Etc/UTC", "Z", "+00:00":
	default:
		return 0, false
	}
	switch tt.Unit {
	case arrow.Second:
		return 86400, true
	case arrow.Millisecond:
		return 86400e3, true
	case arrow.Microsecond:
		return 86400e6, true
	case arrow.Nanosecond:
		return 86400e9, true
	}
	return 0, false
}

func floorDiv(a, b int64) int64 {
	q := a / b
	if a%b != 0 && (a < 0) != (b < 0) {
		q--
	}
	return q
}

// yearOfDay is the proleptic Gregorian year of a day counted from
// 1970-01-01 (the civil-from-days algorithm).
func yearOfDay(z int64) int64 {
	z += 719468
	era := floorDiv(z, 146097)
	doe := z - era*146097
	yoe := (doe - doe/1460 + doe/36524 - doe/146096) / 365
	y := yoe + era*400
	doy := doe - (365*yoe + yoe/4 - yoe/100)
	mp := (5*doy + 2) / 153
	if mp >= 10 { // January or February of the next civil year
		y++
	}
	return y
}
