package kernel

import (
	"fmt"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/bitutil"
	"github.com/apache/arrow-go/v18/arrow/memory"

	"lakeframe/errs"
	"lakeframe/expr"
)

const (
	microsPerSecond = int64(1e6)
	microsPerDay    = secondsPerDay * microsPerSecond
)

// localMicros writes the local wall-clock time of each date or timestamp
// row as microseconds since 1970-01-01 00:00 (timestamps with a time zone
// are read in that zone; nanoseconds are cut to microseconds).
func localMicros(fn string, in arrow.Array, dst []int64) error {
	switch a := in.(type) {
	case *array.Date32:
		for i, v := range a.Date32Values() {
			dst[i] = int64(v) * microsPerDay
		}
	case *array.Date64:
		for i, v := range a.Date64Values() {
			dst[i] = int64(v) * 1000
		}
	case *array.Timestamp:
		tt := a.DataType().(*arrow.TimestampType)
		perSec := unitsPerSecond(tt.Unit)
		zone, err := loadZone(tt.TimeZone)
		if err != nil {
			return fmt.Errorf("%s: %w", fn, err)
		}
		zc := zoneCache{loc: zone}
		for i, v := range a.TimestampValues() {
			var us int64
			switch {
			case perSec >= microsPerSecond:
				us = floorDiv(int64(v), perSec/microsPerSecond)
			default:
				us = int64(v) * (microsPerSecond / perSec)
			}
			if zone != nil {
				us += zc.offset(floorDiv(us, microsPerSecond)) * microsPerSecond
			}
			dst[i] = us
		}
	default:
		return errUnsupported(fn, in.DataType())
	}
	return nil
}

// TimePart returns one field of each date or timestamp as Int64: FnHour,
// FnMinute, FnSecond, FnWeekday (ISO, Monday 1 to Sunday 7), FnQuarter or
// FnDayOfYear, read in the timestamp's time zone. Null rows give null.
func TimePart(mem memory.Allocator, in arrow.Array, part expr.ScalarFunc) (arrow.Array, error) {
	n := in.Len()
	out := allocBuffer(mem, n*8)
	vals := viewAs[int64](out.Bytes())[:n]
	if err := localMicros(part.String(), in, vals); err != nil {
		out.Release()
		return nil, err
	}
	for i, us := range vals {
		days := floorDiv(us, microsPerDay)
		tod := us - days*microsPerDay
		switch part {
		case expr.FnHour:
			vals[i] = tod / (3600 * microsPerSecond)
		case expr.FnMinute:
			vals[i] = tod / (60 * microsPerSecond) % 60
		case expr.FnSecond:
			vals[i] = tod / microsPerSecond % 60
		case expr.FnWeekday:
			vals[i] = (days+3)%7 + 1 // 1970-01-01 was a Thursday
			if vals[i] <= 0 {
				vals[i] += 7
			}
		case expr.FnQuarter:
			_, m, _ := civilFromDays(days)
			vals[i] = int64(m-1)/3 + 1
		case expr.FnDayOfYear:
			y, _, _ := civilFromDays(days)
			vals[i] = days - daysFromCivil(y, 1, 1) + 1
		default:
			out.Release()
			return nil, fmt.Errorf("%s is not a date part: %w", part, errs.ErrInternal)
		}
	}
	validity, nulls := validityOf(mem, in)
	return makeArray(arrow.PrimitiveTypes.Int64, n, []*memory.Buffer{validity, out}, nulls), nil
}

// DateTrunc rounds each date or timestamp down to the start of its unit
// (weeks start on Monday), as DuckDB's date_trunc. The result is the
// input's timestamp type, or a microsecond timestamp for dates. Timestamps
// with a time zone other than UTC are not supported.
func DateTrunc(mem memory.Allocator, in arrow.Array, unit expr.TimeUnit) (arrow.Array, error) {
	const fn = "date_trunc"
	var dt *arrow.TimestampType
	switch t := in.DataType().(type) {
	case *arrow.TimestampType:
		if zone, err := loadZone(t.TimeZone); err != nil || zone != nil {
			return nil, fmt.Errorf("%s of a timestamp in time zone %q: %w", fn, t.TimeZone, errs.ErrNotImplemented)
		}
		dt = t
	case *arrow.Date32Type, *arrow.Date64Type:
		dt = &arrow.TimestampType{Unit: arrow.Microsecond}
	default:
		return nil, errUnsupported(fn, in.DataType())
	}
	n := in.Len()
	out := allocBuffer(mem, n*8)
	vals := viewAs[int64](out.Bytes())[:n]
	perSec := unitsPerSecond(dt.Unit)
	if ts, ok := in.(*array.Timestamp); ok {
		for i, v := range ts.TimestampValues() {
			vals[i] = int64(v)
		}
	} else if err := localMicros(fn, in, vals); err != nil { // dates, in microseconds
		out.Release()
		return nil, err
	}
	perDay := perSec * secondsPerDay
	for i, v := range vals {
		vals[i] = truncTicks(v, unit, perSec, perDay)
	}
	validity, nulls := validityOf(mem, in)
	return makeArray(dt, n, []*memory.Buffer{validity, out}, nulls), nil
}

// truncTicks truncates v, in ticks of which perSec make a second.
func truncTicks(v int64, unit expr.TimeUnit, perSec, perDay int64) int64 {
	step := int64(0)
	switch unit {
	case expr.UnitHour:
		step = 3600 * perSec
	case expr.UnitMinute:
		step = 60 * perSec
	case expr.UnitSecond:
		step = perSec
	case expr.UnitMillisecond:
		step = max(perSec/1000, 1)
	case expr.UnitMicrosecond:
		step = max(perSec/microsPerSecond, 1)
	}
	if step > 0 {
		return floorDiv(v, step) * step
	}
	days := floorDiv(v, perDay)
	y, m, _ := civilFromDays(days)
	switch unit {
	case expr.UnitYear:
		days = daysFromCivil(y, 1, 1)
	case expr.UnitQuarter:
		days = daysFromCivil(y, (m-1)/3*3+1, 1)
	case expr.UnitMonth:
		days = daysFromCivil(y, m, 1)
	case expr.UnitWeek:
		days -= ((days+3)%7 + 7) % 7 // back to Monday; 1970-01-01 was a Thursday
	}
	return days * perDay
}

// DateDiff counts the unit boundaries from each start to each end (dates
// or timestamps of one type; either may have length 1), as DuckDB's
// date_diff, as Int64. UnitWeek counts whole weeks of days, toward zero.
// A null on either side gives null.
func DateDiff(mem memory.Allocator, start, end arrow.Array, unit expr.TimeUnit) (arrow.Array, error) {
	const fn = "date_diff"
	n, err := checkLengths(fn, start, end)
	if err != nil {
		return nil, err
	}
	a := make([]int64, start.Len())
	b := make([]int64, end.Len())
	if err := localMicros(fn, start, a); err != nil {
		return nil, err
	}
	if err := localMicros(fn, end, b); err != nil {
		return nil, err
	}
	ss, es := stride(start, n), stride(end, n)
	sb, so, eb, eo := nullBitmap(start), start.Data().Offset(), nullBitmap(end), end.Data().Offset()
	validity := allocBitmap(mem, n)
	out := allocZeroed(mem, n*8)
	dst := viewAs[int64](out.Bytes())[:n]
	nulls := 0
	for i := range n {
		if !isValid(sb, so, i*ss) || !isValid(eb, eo, i*es) {
			nulls++
			continue
		}
		bitutil.SetBit(validity.Bytes(), i)
		dst[i] = unitsBetween(a[i*ss], b[i*es], unit)
	}
	if nulls == 0 {
		validity.Release()
		validity = nil
	}
	return makeArray(arrow.PrimitiveTypes.Int64, n, []*memory.Buffer{validity, out}, nulls), nil
}

func unitsBetween(from, to int64, unit expr.TimeUnit) int64 {
	switch unit {
	case expr.UnitMicrosecond:
		return to - from
	case expr.UnitMillisecond:
		return floorDiv(to, 1000) - floorDiv(from, 1000)
	case expr.UnitSecond:
		return floorDiv(to, microsPerSecond) - floorDiv(from, microsPerSecond)
	case expr.UnitMinute:
		return floorDiv(to, 60*microsPerSecond) - floorDiv(from, 60*microsPerSecond)
	case expr.UnitHour:
		return floorDiv(to, 3600*microsPerSecond) - floorDiv(from, 3600*microsPerSecond)
	}
	d1, d2 := floorDiv(from, microsPerDay), floorDiv(to, microsPerDay)
	y1, m1, _ := civilFromDays(d1)
	y2, m2, _ := civilFromDays(d2)
	switch unit {
	case expr.UnitDay:
		return d2 - d1
	case expr.UnitWeek:
		return (d2 - d1) / 7
	case expr.UnitMonth:
		return (y2*12 + int64(m2)) - (y1*12 + int64(m1))
	case expr.UnitQuarter:
		return (y2*4 + int64(m2-1)/3) - (y1*4 + int64(m1-1)/3)
	}
	return y2 - y1 // UnitYear
}
