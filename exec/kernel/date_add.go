package kernel

import (
	"fmt"
	"math"
	"math/bits"
	"time"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"

	"lakeframe/errs"
)

const nanosPerDay = secondsPerDay * int64(time.Second)

// DateAdd adds an interval to each Date32, Date64 or Timestamp and keeps
// the input type. As in PostgreSQL and DuckDB the months are added first,
// clamping the day to the end of the month (Jan 31 + 1 month = Feb 29 in a
// leap year), then the days, then the nanoseconds. Subtract by negating
// all three fields.
//
// For a timestamp with a time zone, months and days move the local wall
// clock in that zone (so a day across a DST change is 23 or 25 hours) and
// the nanoseconds are elapsed time. A date takes only whole days: an
// interval with a sub-day part is an error for Date32 and Date64 (cast to
// a timestamp first), as is a nanosecond part finer than the timestamp's
// unit. A result out of the type's range is an error. Null rows give null.
func DateAdd(mem memory.Allocator, in arrow.Array, iv arrow.MonthDayNanoInterval) (arrow.Array, error) {
	n := in.Len()
	var (
		dt  arrow.DataType
		out *memory.Buffer
		err error
	)
	switch a := in.(type) {
	case *array.Date32:
		dt = arrow.FixedWidthTypes.Date32
		out = allocZeroed(mem, n*4)
		err = addDate32(a.Date32Values(), viewAs[arrow.Date32](out.Bytes())[:n], iv, nullBitmap(in), in.Data().Offset())
	case *array.Date64:
		dt = arrow.FixedWidthTypes.Date64
		out = allocZeroed(mem, n*8)
		err = addDate64(a.Date64Values(), viewAs[arrow.Date64](out.Bytes())[:n], iv, nullBitmap(in), in.Data().Offset())
	case *array.Timestamp:
		dt = a.DataType()
		out = allocZeroed(mem, n*8)
		err = addTimestamp(a, viewAs[arrow.Timestamp](out.Bytes())[:n], iv)
	default:
		return nil, errUnsupported("date_add", in.DataType())
	}
	if err != nil {
		out.Release()
		return nil, fmt.Errorf("date_add: %w", err)
	}
	validity, nulls := validityOf(mem, in)
	return makeArray(dt, n, []*memory.Buffer{validity, out}, nulls), nil
}

// wholeDays returns the interval's days plus its nanoseconds, which must be
// whole days.
func wholeDays(iv arrow.MonthDayNanoInterval) (int64, error) {
	if iv.Nanoseconds%nanosPerDay != 0 {
		return 0, fmt.Errorf("interval with a sub-day part added to a date: %w", errs.ErrPlan)
	}
	return int64(iv.Days) + iv.Nanoseconds/nanosPerDay, nil
}

// addMonths moves a day number by months, clamping to the end of the
// target month.
func addMonths(days int64, months int32) int64 {
	y, m, d := civilFromDays(days)
	total := y*12 + int64(m-1) + int64(months)
	ny := floorDiv(total, 12)
	nm := int(total-ny*12) + 1
	return daysFromCivil(ny, nm, min(d, daysInMonth(ny, nm)))
}

func errRange() error {
	return fmt.Errorf("result out of range: %w", errs.ErrExec)
}

// addDate32 skips null rows: their values are arbitrary and must not make
// the range check fail.
func addDate32(src, dst []arrow.Date32, iv arrow.MonthDayNanoInterval, validity []byte, off int) error {
	days, err := wholeDays(iv)
	if err != nil {
		return err
	}
	for i, v := range src {
		if !isValid(validity, off, i) {
			continue
		}
		d := int64(v)
		if iv.Months != 0 {
			d = addMonths(d, iv.Months)
		}
		d += days
		if d < math.MinInt32 || d > math.MaxInt32 {
			return errRange()
		}
		dst[i] = arrow.Date32(d)
	}
	return nil
}

func addDate64(src, dst []arrow.Date64, iv arrow.MonthDayNanoInterval, validity []byte, off int) error {
	days, err := wholeDays(iv)
	if err != nil {
		return err
	}
	for i, v := range src {
		if !isValid(validity, off, i) {
			continue
		}
		d := floorDiv(int64(v), millisPerDay)
		rest := int64(v) - d*millisPerDay
		if iv.Months != 0 {
			d = addMonths(d, iv.Months)
		}
		ms, ok := mulAdd(d+days, millisPerDay, rest)
		if !ok {
			return errRange()
		}
		dst[i] = arrow.Date64(ms)
	}
	return nil
}

func addTimestamp(a *array.Timestamp, dst []arrow.Timestamp, iv arrow.MonthDayNanoInterval) error {
	tt := a.DataType().(*arrow.TimestampType)
	perSec := unitsPerSecond(tt.Unit)
	nanosPerUnit := int64(time.Second) / perSec
	if iv.Nanoseconds%nanosPerUnit != 0 {
		return fmt.Errorf("interval nanoseconds finer than the timestamp unit %s: %w", tt.Unit, errs.ErrPlan)
	}
	step := iv.Nanoseconds / nanosPerUnit
	zone, err := loadZone(tt.TimeZone)
	if err != nil {
		return err
	}
	validity, off := nullBitmap(a), a.Data().Offset()
	src := a.TimestampValues()
	if iv.Months == 0 && iv.Days == 0 {
		for i, v := range src {
			r, ok := add64(int64(v), step)
			if !ok && isValid(validity, off, i) {
				return errRange()
			}
			dst[i] = arrow.Timestamp(r)
		}
		return nil
	}
	perDay := perSec * secondsPerDay
	for i, v := range src {
		if !isValid(validity, off, i) {
			continue
		}
		var (
			r  int64
			ok bool
		)
		if zone == nil {
			d := floorDiv(int64(v), perDay)
			tod := int64(v) - d*perDay
			if iv.Months != 0 {
				d = addMonths(d, iv.Months)
			}
			r, ok = mulAdd(d+int64(iv.Days), perDay, tod)
		} else {
			r, ok = addZoned(int64(v), perSec, iv, zone)
		}
		if ok {
			r, ok = add64(r, step)
		}
		if !ok {
			return errRange()
		}
		dst[i] = arrow.Timestamp(r)
	}
	return nil
}

// addZoned adds the months and days of iv to a timestamp on the wall clock
// of loc. time.Date resolves a wall time that a DST change skips or repeats.
func addZoned(v, perSec int64, iv arrow.MonthDayNanoInterval, loc *time.Location) (int64, bool) {
	sec := floorDiv(v, perSec)
	sub := v - sec*perSec
	t := time.Unix(sec, 0).In(loc)
	y, m, d := t.Date()
	hh, mm, ss := t.Clock()
	total := int64(y)*12 + int64(m-1) + int64(iv.Months)
	ny := floorDiv(total, 12)
	nm := int(total-ny*12) + 1
	if ny < math.MinInt32 || ny > math.MaxInt32 {
		return 0, false
	}
	nd := min(d, daysInMonth(ny, nm)) + int(iv.Days)
	nsec := time.Date(int(ny), time.Month(nm), nd, hh, mm, ss, 0, loc).Unix()
	return mulAdd(nsec, perSec, sub)
}

// add64 adds with overflow detection.
func add64(a, b int64) (int64, bool) {
	c := a + b
	return c, (c > a) == (b > 0) || b == 0
}

// mulAdd returns a*b+c with overflow detection.
func mulAdd(a, b, c int64) (int64, bool) {
	hi, lo := bits.Mul64(uint64(abs64(a)), uint64(abs64(b)))
	if hi != 0 || lo > math.MaxInt64 {
		return 0, false
	}
	p := int64(lo)
	if (a < 0) != (b < 0) {
		p = -p
	}
	return add64(p, c)
}

func abs64(a int64) int64 {
	if a < 0 {
		return -a
	}
	return a
}
