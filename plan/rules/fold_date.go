package rules

import (
	"math"
	"time"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/scalar"

	"lakeframe/expr"
)

const (
	secondsPerDay = 24 * 60 * 60
	nanosPerDay   = secondsPerDay * int64(time.Second)
)

// foldDateArith moves a date or timestamp constant by an interval constant
// as exec/kernel.DateAdd does: months first, clamped to the end of the
// target month, then days, then nanoseconds. It folds only what the
// executor computes without error: a date takes whole days, a timestamp
// nanoseconds its unit can hold, and time zones other than UTC (where a
// day may be 23 or 25 hours) are left to run time, as is any result out
// of range.
func foldDateArith(op expr.BinaryOp, t, i scalar.Scalar) (scalar.Scalar, bool) {
	ivs, ok := i.(*scalar.MonthDayNanoInterval)
	if !ok || op != expr.OpAdd && op != expr.OpSub {
		return nil, false
	}
	iv := ivs.Value
	if op == expr.OpSub {
		if iv.Months == math.MinInt32 || iv.Days == math.MinInt32 || iv.Nanoseconds == math.MinInt64 {
			return nil, false
		}
		iv = arrow.MonthDayNanoInterval{Months: -iv.Months, Days: -iv.Days, Nanoseconds: -iv.Nanoseconds}
	}
	switch v := t.(type) {
	case *scalar.Date32:
		if iv.Nanoseconds%nanosPerDay != 0 {
			return nil, false
		}
		d, ok := shiftDays(int64(v.Value), iv.Months, int64(iv.Days)+iv.Nanoseconds/nanosPerDay)
		if !ok || d < math.MinInt32 || d > math.MaxInt32 {
			return nil, false
		}
		return scalar.NewDate32Scalar(arrow.Date32(d)), true
	case *scalar.Timestamp:
		dt := v.DataType().(*arrow.TimestampType)
		if dt.TimeZone != "" && dt.TimeZone != "UTC" {
			return nil, false
		}
		r, ok := shiftTimestamp(int64(v.Value), dt.Unit, iv)
		if !ok {
			return nil, false
		}
		return scalar.NewTimestampScalar(arrow.Timestamp(r), dt), true
	}
	return nil, false
}

// shiftTimestamp adds iv to a timestamp of the given unit, keeping its
// time of day across the month and day steps.
func shiftTimestamp(v int64, unit arrow.TimeUnit, iv arrow.MonthDayNanoInterval) (int64, bool) {
	nanosPerUnit := int64(unit.Multiplier())
	if iv.Nanoseconds%nanosPerUnit != 0 {
		return 0, false
	}
	perDay := nanosPerDay / nanosPerUnit
	day, tod := v/perDay, v%perDay
	if tod < 0 {
		day, tod = day-1, tod+perDay
	}
	day, ok := shiftDays(day, iv.Months, int64(iv.Days))
	if !ok {
		return 0, false
	}
	r, ok := intArith(expr.OpMul, day, perDay)
	if !ok {
		return 0, false
	}
	if r, ok = intArith(expr.OpAdd, r, tod); !ok {
		return 0, false
	}
	return intArith(expr.OpAdd, r, iv.Nanoseconds/nanosPerUnit)
}

// maxShiftDays bounds the day numbers shiftDays works on, far beyond any
// Date32 and within what time.Time represents exactly.
const maxShiftDays = 1 << 40

// shiftDays moves a day number since the Unix epoch by months, clamping
// to the last day of the target month, then by days.
func shiftDays(day int64, months int32, days int64) (int64, bool) {
	if day < -maxShiftDays || day > maxShiftDays {
		return 0, false
	}
	if months != 0 {
		t := time.Unix(day*secondsPerDay, 0).UTC()
		y, m, d := t.Date()
		// The first of the target month, then its day d or its last day.
		first := time.Date(y, m+time.Month(months), 1, 0, 0, 0, 0, time.UTC)
		last := first.AddDate(0, 1, -1).Day()
		day = first.Unix()/secondsPerDay + int64(min(d, last)) - 1
	}
	return intArith(expr.OpAdd, day, days)
}
