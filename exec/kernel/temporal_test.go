package kernel

import (
	"errors"
	"math"
	"testing"
	"time"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"

	"lakeframe/errs"
)

type partKernel = func(memory.Allocator, arrow.Array) (arrow.Array, error)

// checkParts runs Year, Month and Day on in (plain and sliced).
func checkParts(t *testing.T, dt arrow.DataType, in, years, months, days string) {
	t.Helper()
	mem := checkedMem(t)
	for name, k := range map[string]struct {
		kernel partKernel
		want   string
	}{"year": {Year, years}, "month": {Month, months}, "day": {Day, days}} {
		for form, a := range inputVariants(t, mem, dt, in) {
			t.Log(dt, name, form)
			got, err := k.kernel(mem, a)
			assertArray(t, fromJSON(t, mem, tInt64, k.want), got, err)
		}
	}
}

func TestDatePartsDates(t *testing.T) {
	const in = `["1970-01-01", "1969-12-31", "2024-02-29", "2000-03-01", "1900-02-28", null, "9999-12-31", "1600-02-29"]`
	const years = `[1970, 1969, 2024, 2000, 1900, null, 9999, 1600]`
	const months = `[1, 12, 2, 3, 2, null, 12, 2]`
	const days = `[1, 31, 29, 1, 28, null, 31, 29]`
	checkParts(t, tDate32, in, years, months, days)
	checkParts(t, tDate64, in, years, months, days)
}

func TestDatePartsTimestamps(t *testing.T) {
	// 1 ms before the epoch, the epoch, the last second of a leap day.
	const in = `["1969-12-31T23:59:59.999", "1970-01-01T00:00:00", "2024-02-29T23:59:59", null]`
	for _, unit := range []arrow.TimeUnit{arrow.Millisecond, arrow.Microsecond, arrow.Nanosecond} {
		dt := &arrow.TimestampType{Unit: unit}
		checkParts(t, dt, in, `[1969, 1970, 2024, null]`, `[12, 1, 2, null]`, `[31, 1, 29, null]`)
	}
	// Seconds cannot hold the millisecond.
	checkParts(t, &arrow.TimestampType{Unit: arrow.Second}, `["1969-12-31T23:59:59", "1970-01-01T00:00:00", "2024-02-29T23:59:59", null]`,
		`[1969, 1970, 2024, null]`, `[12, 1, 2, null]`, `[31, 1, 29, null]`)
	// UTC spelled out is no zone at all.
	checkParts(t, &arrow.TimestampType{Unit: arrow.Second, TimeZone: "UTC"}, `["2024-02-29T23:59:59Z"]`, `[2024]`, `[2]`, `[29]`)
}

func TestDatePartsZoned(t *testing.T) {
	if _, err := time.LoadLocation("America/New_York"); err != nil {
		t.Skip("no time zone database on this machine:", err)
	}
	ny := &arrow.TimestampType{Unit: arrow.Microsecond, TimeZone: "America/New_York"}
	// 03:00Z is 22:00 the day before (EST, -5); around the 2024-03-10 DST
	// change 03:30Z is 22:30 on the 9th (EST) and 23:30 on the 10th (EDT, -4).
	checkParts(t, ny,
		`["2024-03-01T03:00:00Z", "1970-01-01T02:00:00Z", "2024-03-10T03:30:00Z", "2024-03-11T03:30:00Z", null, "2024-03-10T04:30:00Z"]`,
		`[2024, 1969, 2024, 2024, null, 2024]`, `[2, 12, 3, 3, null, 3]`, `[29, 31, 9, 10, null, 9]`)
	fixed := &arrow.TimestampType{Unit: arrow.Second, TimeZone: "+05:30"}
	checkParts(t, fixed, `["2024-02-29T20:00:00Z", "2024-02-29T18:29:59Z"]`, `[2024, 2024]`, `[3, 2]`, `[1, 29]`)
	mem := checkedMem(t)
	west := retype(t, fromJSON(t, mem, &arrow.TimestampType{Unit: arrow.Second}, `["2024-03-01T07:59:59"]`),
		&arrow.TimestampType{Unit: arrow.Second, TimeZone: "-0800"})
	got, err := Day(mem, west)
	assertArray(t, fromJSON(t, mem, tInt64, `[29]`), got, err)
}

// retype views a's buffers as type dt, for types array.FromJSON rejects.
func retype(t *testing.T, a arrow.Array, dt arrow.DataType) arrow.Array {
	d := array.NewData(dt, a.Len(), a.Data().Buffers(), nil, a.NullN(), a.Data().Offset())
	defer d.Release()
	out := array.MakeFromData(d)
	t.Cleanup(out.Release)
	return out
}

func TestDatePartsErrors(t *testing.T) {
	mem := checkedMem(t)
	if _, err := Year(mem, fromJSON(t, mem, tInt64, `[1]`)); !errors.Is(err, errs.ErrNotImplemented) {
		t.Fatalf("int64: got %v", err)
	}
	utc := fromJSON(t, mem, &arrow.TimestampType{Unit: arrow.Second}, `[0]`)
	for _, tz := range []string{"Not/AZone", "+25:00", "+1", "+ab:00", "-08:00:00"} {
		bad := retype(t, utc, &arrow.TimestampType{Unit: arrow.Second, TimeZone: tz})
		if _, err := Year(mem, bad); !errors.Is(err, errs.ErrExec) {
			t.Errorf("zone %q: got %v", tz, err)
		}
	}
}

// TestCivilRoundTrip checks civilFromDays and daysFromCivil against Go's
// time package over 1200 years, every day.
func TestCivilRoundTrip(t *testing.T) {
	start := time.Date(1400, 1, 1, 0, 0, 0, 0, time.UTC)
	days := int64(start.Unix() / secondsPerDay)
	for d := start; d.Year() < 2600; d = d.AddDate(0, 0, 1) {
		y, m, dd := civilFromDays(days)
		if y != int64(d.Year()) || m != int(d.Month()) || dd != d.Day() {
			t.Fatalf("day %d: got %d-%d-%d, want %s", days, y, m, dd, d.Format(time.DateOnly))
		}
		if back := daysFromCivil(y, m, dd); back != days {
			t.Fatalf("%s: daysFromCivil = %d, want %d", d.Format(time.DateOnly), back, days)
		}
		days++
	}
}

func TestDateAddDates(t *testing.T) {
	month := arrow.MonthDayNanoInterval{Months: 1}
	cases := []struct {
		name string
		iv   arrow.MonthDayNanoInterval
		in   string
		want string
	}{
		{"plus a month clamps", month,
			`["2024-01-31", "2023-01-31", "2024-03-31", "2024-12-15", null, "1969-12-31", "2024-02-29"]`,
			`["2024-02-29", "2023-02-28", "2024-04-30", "2025-01-15", null, "1970-01-31", "2024-03-29"]`},
		{"minus a month", arrow.MonthDayNanoInterval{Months: -1},
			`["2024-03-31", "2024-01-15", null, "2023-03-29"]`, `["2024-02-29", "2023-12-15", null, "2023-02-28"]`},
		{"a year from a leap day", arrow.MonthDayNanoInterval{Months: 12}, `["2024-02-29"]`, `["2025-02-28"]`},
		{"minus 1200 years", arrow.MonthDayNanoInterval{Months: -14400}, `["2024-02-29"]`, `["0824-02-29"]`},
		{"month then day", arrow.MonthDayNanoInterval{Months: 1, Days: 1}, `["2024-01-31"]`, `["2024-03-01"]`},
		{"minus 90 days", arrow.MonthDayNanoInterval{Days: -90}, `["1998-12-01", null]`, `["1998-09-02", null]`},
		{"whole days as nanoseconds", arrow.MonthDayNanoInterval{Nanoseconds: 2 * 86400e9}, `["2024-02-28"]`, `["2024-03-01"]`},
		{"nothing", arrow.MonthDayNanoInterval{}, `["2024-02-28", null]`, `["2024-02-28", null]`},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			mem := checkedMem(t)
			for _, dt := range []arrow.DataType{tDate32, tDate64} {
				for form, a := range inputVariants(t, mem, dt, c.in) {
					t.Log(dt, form)
					got, err := DateAdd(mem, a, c.iv)
					assertArray(t, fromJSON(t, mem, dt, c.want), got, err)
				}
			}
		})
	}
}

func TestDateAddTimestamps(t *testing.T) {
	cases := []struct {
		name string
		dt   arrow.DataType
		iv   arrow.MonthDayNanoInterval
		in   string
		want string
	}{
		{"month keeps the time", tTsUs, arrow.MonthDayNanoInterval{Months: 1},
			`["2024-01-31T10:30:00.123456", null, "1969-12-31T23:59:59.5"]`, `["2024-02-29T10:30:00.123456", null, "1970-01-31T23:59:59.5"]`},
		{"day before the epoch", tTsUs, arrow.MonthDayNanoInterval{Days: 1},
			`["1969-12-31T23:59:59.5"]`, `["1970-01-01T23:59:59.5"]`},
		{"an hour across midnight", tTsUs, arrow.MonthDayNanoInterval{Nanoseconds: 3600e9},
			`["2024-02-29T23:30:00", null]`, `["2024-03-01T00:30:00", null]`},
		{"all three", tTsUs, arrow.MonthDayNanoInterval{Months: 1, Days: 1, Nanoseconds: 1e9},
			`["2024-01-31T00:00:00"]`, `["2024-03-01T00:00:01"]`},
		{"minus", &arrow.TimestampType{Unit: arrow.Second}, arrow.MonthDayNanoInterval{Months: -1, Days: -1, Nanoseconds: -1e9},
			`["2024-03-31T00:00:00"]`, `["2024-02-27T23:59:59"]`},
		{"nanoseconds", &arrow.TimestampType{Unit: arrow.Nanosecond}, arrow.MonthDayNanoInterval{Months: 1, Nanoseconds: 1},
			`["2024-01-31T00:00:00.000000001"]`, `["2024-02-29T00:00:00.000000002"]`},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			mem := checkedMem(t)
			for form, a := range inputVariants(t, mem, c.dt, c.in) {
				t.Log(form)
				got, err := DateAdd(mem, a, c.iv)
				assertArray(t, fromJSON(t, mem, c.dt, c.want), got, err)
			}
		})
	}
}

func TestDateAddZoned(t *testing.T) {
	if _, err := time.LoadLocation("America/New_York"); err != nil {
		t.Skip("no time zone database on this machine:", err)
	}
	mem := checkedMem(t)
	ny := &arrow.TimestampType{Unit: arrow.Microsecond, TimeZone: "America/New_York"}
	// Noon on 2024-03-09 (EST, 17:00Z): a day later is noon EDT (16:00Z),
	// 24 hours later is 13:00 EDT (17:00Z).
	in := fromJSON(t, mem, ny, `["2024-03-09T17:00:00Z", null, "2024-01-31T17:00:00Z"]`)
	got, err := DateAdd(mem, in, arrow.MonthDayNanoInterval{Days: 1})
	assertArray(t, fromJSON(t, mem, ny, `["2024-03-10T16:00:00Z", null, "2024-02-01T17:00:00Z"]`), got, err)
	got, err = DateAdd(mem, in, arrow.MonthDayNanoInterval{Nanoseconds: 24 * 3600e9})
	assertArray(t, fromJSON(t, mem, ny, `["2024-03-10T17:00:00Z", null, "2024-02-01T17:00:00Z"]`), got, err)
	// Jan 31 noon EST + 1 month = Feb 29 noon EST; + 2 months = Mar 31 noon EDT.
	got, err = DateAdd(mem, slicedJSON(t, mem, ny, `["2024-01-31T17:00:00Z"]`), arrow.MonthDayNanoInterval{Months: 1})
	assertArray(t, fromJSON(t, mem, ny, `["2024-02-29T17:00:00Z"]`), got, err)
	got, err = DateAdd(mem, fromJSON(t, mem, ny, `["2024-01-31T17:00:00Z"]`), arrow.MonthDayNanoInterval{Months: 2})
	assertArray(t, fromJSON(t, mem, ny, `["2024-03-31T16:00:00Z"]`), got, err)
}

func TestDateAddErrors(t *testing.T) {
	mem := checkedMem(t)
	d := fromJSON(t, mem, tDate32, `["2024-01-01"]`)
	if _, err := DateAdd(mem, d, arrow.MonthDayNanoInterval{Nanoseconds: 3600e9}); !errors.Is(err, errs.ErrPlan) {
		t.Errorf("sub-day interval on a date: got %v", err)
	}
	ts := fromJSON(t, mem, tTsUs, `["2024-01-01T00:00:00"]`)
	if _, err := DateAdd(mem, ts, arrow.MonthDayNanoInterval{Nanoseconds: 1}); !errors.Is(err, errs.ErrPlan) {
		t.Errorf("nanosecond on microseconds: got %v", err)
	}
	if _, err := DateAdd(mem, fromJSON(t, mem, tInt64, `[1]`), arrow.MonthDayNanoInterval{Days: 1}); !errors.Is(err, errs.ErrNotImplemented) {
		t.Errorf("int64: got %v", err)
	}
	// Out of range is an error, but not in a null row.
	b := array.NewDate32Builder(mem)
	defer b.Release()
	b.AppendValues([]arrow.Date32{math.MaxInt32, math.MaxInt32}, []bool{false, true})
	big := b.NewArray()
	defer big.Release()
	if _, err := DateAdd(mem, big, arrow.MonthDayNanoInterval{Days: 1}); !errors.Is(err, errs.ErrExec) {
		t.Errorf("date32 overflow: got %v", err)
	}
	nullOnly := array.NewSlice(big, 0, 1)
	defer nullOnly.Release()
	got, err := DateAdd(mem, nullOnly, arrow.MonthDayNanoInterval{Days: 1})
	assertArray(t, fromJSON(t, mem, tDate32, `[null]`), got, err)
	ns := fromJSON(t, mem, &arrow.TimestampType{Unit: arrow.Nanosecond}, `[9223372036854775807]`)
	if _, err := DateAdd(mem, ns, arrow.MonthDayNanoInterval{Nanoseconds: 1}); !errors.Is(err, errs.ErrExec) {
		t.Errorf("timestamp overflow: got %v", err)
	}
	if _, err := DateAdd(mem, ns, arrow.MonthDayNanoInterval{Days: 1}); !errors.Is(err, errs.ErrExec) {
		t.Errorf("timestamp overflow by days: got %v", err)
	}
}
