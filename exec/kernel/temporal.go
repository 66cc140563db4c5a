package kernel

import (
	"fmt"
	"math"
	"strings"
	"sync"
	"time"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"

	"lakeframe/errs"
)

// Year returns the calendar year of each Date32, Date64 or Timestamp as
// Int64. Timestamps with a time zone are read in that zone, others as UTC.
// Null rows give null.
func Year(mem memory.Allocator, in arrow.Array) (arrow.Array, error) {
	return datePart(mem, "year", in, partYear)
}

// Month returns the month (1-12) of each date or timestamp as Int64, with
// Year's rules.
func Month(mem memory.Allocator, in arrow.Array) (arrow.Array, error) {
	return datePart(mem, "month", in, partMonth)
}

// Day returns the day of the month (1-31) of each date or timestamp as
// Int64, with Year's rules.
func Day(mem memory.Allocator, in arrow.Array) (arrow.Array, error) {
	return datePart(mem, "day", in, partDay)
}

type datePartKind uint8

const (
	partYear datePartKind = iota
	partMonth
	partDay
)

const (
	secondsPerDay = 86400
	millisPerDay  = secondsPerDay * 1000
)

func datePart(mem memory.Allocator, fn string, in arrow.Array, part datePartKind) (arrow.Array, error) {
	n := in.Len()
	out := allocBuffer(mem, n*8)
	days := viewAs[int64](out.Bytes())[:n]
	if err := epochDays(fn, in, days); err != nil {
		out.Release()
		return nil, err
	}
	switch part {
	case partYear:
		for i, d := range days {
			y, _, _ := civilFromDays(d)
			days[i] = y
		}
	case partMonth:
		for i, d := range days {
			_, m, _ := civilFromDays(d)
			days[i] = int64(m)
		}
	case partDay:
		for i, d := range days {
			_, _, dd := civilFromDays(d)
			days[i] = int64(dd)
		}
	}
	validity, nulls := validityOf(mem, in)
	return makeArray(arrow.PrimitiveTypes.Int64, n, []*memory.Buffer{validity, out}, nulls), nil
}

// epochDays writes the local calendar day (days since 1970-01-01) of each
// row into days.
func epochDays(fn string, in arrow.Array, days []int64) error {
	switch a := in.(type) {
	case *array.Date32:
		for i, v := range a.Date32Values() {
			days[i] = int64(v)
		}
	case *array.Date64:
		for i, v := range a.Date64Values() {
			days[i] = floorDiv(int64(v), millisPerDay)
		}
	case *array.Timestamp:
		tt := a.DataType().(*arrow.TimestampType)
		perSec := unitsPerSecond(tt.Unit)
		perDay := perSec * secondsPerDay
		zone, err := loadZone(tt.TimeZone)
		if err != nil {
			return fmt.Errorf("%s: %w", fn, err)
		}
		vals := a.TimestampValues()
		if zone == nil {
			for i, v := range vals {
				days[i] = floorDiv(int64(v), perDay)
			}
			return nil
		}
		zc := zoneCache{loc: zone}
		for i, v := range vals {
			sec := floorDiv(int64(v), perSec)
			days[i] = floorDiv(sec+zc.offset(sec), secondsPerDay)
		}
	default:
		return errUnsupported(fn, in.DataType())
	}
	return nil
}

// unitsPerSecond returns how many ticks of unit make a second.
func unitsPerSecond(u arrow.TimeUnit) int64 {
	switch u {
	case arrow.Millisecond:
		return 1e3
	case arrow.Microsecond:
		return 1e6
	case arrow.Nanosecond:
		return 1e9
	}
	return 1
}

// floorDiv divides rounding toward negative infinity, so instants before
// 1970 fall on the right day.
func floorDiv(a, b int64) int64 {
	q := a / b
	if (a%b != 0) && ((a < 0) != (b < 0)) {
		q--
	}
	return q
}

// civilFromDays converts days since 1970-01-01 to a proleptic Gregorian
// date, with the era arithmetic of H. Hinnant's days_from_civil algorithm
// run backwards: no tables, no loops.
func civilFromDays(days int64) (year int64, month, day int) {
	z := days + 719468 // days since 0000-03-01
	era := floorDiv(z, 146097)
	doe := z - era*146097                                  // [0, 146096]
	yoe := (doe - doe/1460 + doe/36524 - doe/146096) / 365 // [0, 399]
	doy := doe - (365*yoe + yoe/4 - yoe/100)               // [0, 365], from March 1
	mp := (5*doy + 2) / 153                                // [0, 11], March = 0
	day = int(doy - (153*mp+2)/5 + 1)
	month = int(mp + 3)
	if month > 12 {
		month -= 12
	}
	year = yoe + era*400
	if month <= 2 {
		year++
	}
	return year, month, day
}

// daysFromCivil is the inverse of civilFromDays.
func daysFromCivil(year int64, month, day int) int64 {
	if month <= 2 {
		year--
	}
	era := floorDiv(year, 400)
	yoe := year - era*400
	mp := int64(month+9) % 12
	doy := (153*mp+2)/5 + int64(day) - 1
	doe := yoe*365 + yoe/4 - yoe/100 + doy
	return era*146097 + doe - 719468
}

// daysInMonth returns the number of days of a month of the proleptic
// Gregorian calendar.
func daysInMonth(year int64, month int) int {
	switch month {
	case 2:
		if year%4 == 0 && (year%100 != 0 || year%400 == 0) {
			return 29
		}
		return 28
	case 4, 6, 9, 11:
		return 30
	}
	return 31
}

// zoneCache answers UTC offsets for a location, remembering the zone period
// of the last answer: consecutive rows almost always share it, so the
// location's transition table is searched once per period, not per row.
type zoneCache struct {
	loc        *time.Location
	start, end int64 // unix seconds; the cached period is [start, end)
	off        int64
}

func (z *zoneCache) offset(sec int64) int64 {
	if sec >= z.start && sec < z.end {
		return z.off
	}
	t := time.Unix(sec, 0).In(z.loc)
	_, off := t.Zone()
	from, to := t.ZoneBounds()
	z.start, z.end, z.off = math.MinInt64, math.MaxInt64, int64(off)
	if !from.IsZero() {
		z.start = from.Unix()
	}
	if !to.IsZero() {
		z.end = to.Unix()
	}
	return z.off
}

// zones caches loaded locations: time.LoadLocation reads the zone file on
// every call.
var zones sync.Map // string -> *time.Location

// loadZone resolves an Arrow timestamp time zone: nil for none or UTC, a
// fixed offset for "+hh:mm" / "-hhmm", otherwise an IANA zone name.
func loadZone(tz string) (*time.Location, error) {
	switch tz {
	case "", "UTC", "utc", "Z", "Etc/UTC", "+00:00":
		return nil, nil
	}
	if loc, ok := zones.Load(tz); ok {
		return loc.(*time.Location), nil
	}
	var loc *time.Location
	if tz[0] == '+' || tz[0] == '-' {
		off, ok := parseOffset(tz)
		if !ok {
			return nil, fmt.Errorf("bad time zone offset %q: %w", tz, errs.ErrExec)
		}
		loc = time.FixedZone(tz, off)
	} else {
		var err error
		if loc, err = time.LoadLocation(tz); err != nil {
			return nil, fmt.Errorf("time zone %q: %v: %w", tz, err, errs.ErrExec)
		}
	}
	zones.Store(tz, loc)
	return loc, nil
}

// parseOffset parses "+hh:mm", "+hhmm" or "+hh" into seconds east of UTC.
func parseOffset(tz string) (int, bool) {
	sign := 1
	if tz[0] == '-' {
		sign = -1
	}
	hm := strings.ReplaceAll(tz[1:], ":", "")
	if len(hm) != 2 && len(hm) != 4 {
		return 0, false
	}
	for _, c := range hm {
		if c < '0' || c > '9' {
			return 0, false
		}
	}
	h, m := int(hm[0]-'0')*10+int(hm[1]-'0'), 0
	if len(hm) == 4 {
		m = int(hm[2]-'0')*10 + int(hm[3]-'0')
	}
	if h > 23 || m > 59 {
		return 0, false
	}
	return sign * (h*3600 + m*60), true
}
