package rules

import (
	"math"
	"testing"
	"time"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/scalar"

	"lakeframe/expr"
)

func TestFoldDateArith(t *testing.T) {
	date := func(y int, m time.Month, d int) scalar.Scalar {
		return scalar.NewDate32Scalar(arrow.Date32FromTime(time.Date(y, m, d, 0, 0, 0, 0, time.UTC)))
	}
	ts := func(unit arrow.TimeUnit, zone string, v time.Time) scalar.Scalar {
		dt := &arrow.TimestampType{Unit: unit, TimeZone: zone}
		var n int64
		switch unit {
		case arrow.Second:
			n = v.Unix()
		case arrow.Millisecond:
			n = v.UnixMilli()
		case arrow.Microsecond:
			n = v.UnixMicro()
		default:
			n = v.UnixNano()
		}
		return scalar.NewTimestampScalar(arrow.Timestamp(n), dt)
	}
	at := func(y int, m time.Month, d, hh, mm, ss, ns int) time.Time {
		return time.Date(y, m, d, hh, mm, ss, ns, time.UTC)
	}
	iv := func(months, days int32, nanos int64) scalar.Scalar {
		return scalar.NewMonthDayNanoIntervalScalar(arrow.MonthDayNanoInterval{Months: months, Days: days, Nanoseconds: nanos})
	}
	day := int64(24 * time.Hour)
	add, sub := expr.OpAdd, expr.OpSub
	tests := []struct {
		name string
		op   expr.BinaryOp
		a, b scalar.Scalar
		want scalar.Scalar // nil: not folded
	}{
		{"tpch q1 cutoff", sub, date(1998, 12, 1), iv(0, 90, 0), date(1998, 9, 2)},
		{"three months", add, date(1995, 3, 15), iv(3, 0, 0), date(1995, 6, 15)},
		{"month end clamps", add, date(2023, 1, 31), iv(1, 0, 0), date(2023, 2, 28)},
		{"month end clamps in a leap year", add, date(2024, 1, 31), iv(1, 0, 0), date(2024, 2, 29)},
		{"leap day plus a year", add, date(2024, 2, 29), iv(12, 0, 0), date(2025, 2, 28)},
		{"leap day of 2000", sub, date(2000, 3, 31), iv(1, 0, 0), date(2000, 2, 29)},
		{"1900 is no leap year", add, date(1900, 1, 29), iv(1, 0, 0), date(1900, 2, 28)},
		{"before 1970", add, date(1960, 1, 31), iv(1, 0, 0), date(1960, 2, 29)},
		{"across the epoch", add, date(1969, 12, 31), iv(0, 1, 0), date(1970, 1, 1)},
		{"months then days", add, date(2023, 1, 31), iv(1, 1, 0), date(2023, 3, 1)},
		{"across years backwards", sub, date(2024, 2, 15), iv(14, 0, 0), date(2022, 12, 15)},
		{"interval first", add, iv(0, 10, 0), date(2024, 12, 25), date(2025, 1, 4)},
		{"whole days as nanoseconds", add, date(2024, 1, 1), iv(0, 0, 2*day), date(2024, 1, 3)},
		{"date plus part of a day not folded", add, date(2024, 1, 1), iv(0, 0, 36*int64(time.Hour)), nil},
		{"date out of range not folded", add, scalar.NewDate32Scalar(math.MaxInt32), iv(0, 1, 0), nil},
		{"negating the smallest interval not folded", sub, date(2024, 1, 1), iv(math.MinInt32, 0, 0), nil},
		{"interval minus date not folded", sub, iv(0, 1, 0), date(2024, 1, 1), nil},
		{"multiplication not folded", expr.OpMul, date(2024, 1, 1), iv(0, 1, 0), nil},
		{"interval plus interval not folded", add, iv(0, 1, 0), iv(0, 1, 0), nil},
		{"date64 not folded", add, scalar.NewDate64Scalar(0), iv(0, 1, 0), nil},
		{"timestamp keeps its time of day", add,
			ts(arrow.Microsecond, "", at(2024, 1, 31, 10, 30, 0, 0)), iv(1, 0, 0),
			ts(arrow.Microsecond, "", at(2024, 2, 29, 10, 30, 0, 0))},
		{"timestamp before 1970", add,
			ts(arrow.Nanosecond, "UTC", at(1969, 12, 31, 23, 0, 0, 5)), iv(1, 0, 2*int64(time.Hour)),
			ts(arrow.Nanosecond, "UTC", at(1970, 2, 1, 1, 0, 0, 5))},
		{"timestamp seconds minus days", sub,
			ts(arrow.Second, "", at(2024, 3, 1, 0, 0, 1, 0)), iv(0, 1, int64(2*time.Second)),
			ts(arrow.Second, "", at(2024, 2, 28, 23, 59, 59, 0))},
		{"timestamp milliseconds", add,
			ts(arrow.Millisecond, "", at(2024, 5, 31, 23, 59, 59, 0)), iv(0, 0, int64(1500*time.Millisecond)),
			ts(arrow.Millisecond, "", at(2024, 6, 1, 0, 0, 0, int(500*time.Millisecond)))},
		{"nanoseconds finer than the unit not folded", add,
			ts(arrow.Second, "", at(2024, 1, 1, 0, 0, 0, 0)), iv(0, 0, int64(time.Millisecond)), nil},
		{"time zone not folded", add,
			ts(arrow.Microsecond, "America/New_York", at(2024, 3, 9, 12, 0, 0, 0)), iv(0, 1, 0), nil},
		{"timestamp out of range not folded", add,
			scalar.NewTimestampScalar(math.MaxInt64-1, &arrow.TimestampType{Unit: arrow.Nanosecond}), iv(0, 0, 2), nil},
	}
	for _, tc := range tests {
		got, ok := foldArith(tc.op, tc.a, tc.b)
		switch {
		case tc.want == nil && ok:
			t.Errorf("%s: folded to %s", tc.name, got)
		case tc.want != nil && (!ok || !scalar.Equals(got, tc.want)):
			t.Errorf("%s: got %v (%v), want %s", tc.name, got, ok, tc.want)
		}
	}
}
