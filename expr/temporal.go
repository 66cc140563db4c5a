package expr

// TimeUnit is a calendar or clock unit for Truncate and DateDiff.
type TimeUnit int

// Time units, from the coarsest.
const (
	UnitYear TimeUnit = iota
	UnitQuarter
	UnitMonth
	UnitWeek // Truncate: to Monday; DateDiff: whole weeks of 7 days
	UnitDay
	UnitHour
	UnitMinute
	UnitSecond
	UnitMillisecond
	UnitMicrosecond
)

var unitNames = [...]string{"year", "quarter", "month", "week", "day", "hour", "minute", "second", "millisecond", "microsecond"}

func (u TimeUnit) String() string {
	if u < 0 || int(u) >= len(unitNames) {
		return "unit(?)"
	}
	return unitNames[u]
}

func (d DtNamespace) part(fn ScalarFunc) Expr { return Expr{&Call{Fn: fn, Args: []Node{d.e.tree()}}} }

// Hour is the hour (0-23) of a timestamp, in its time zone; 0 for a date.
func (d DtNamespace) Hour() Expr { return d.part(FnHour) }

// Minute is the minute (0-59) of a timestamp.
func (d DtNamespace) Minute() Expr { return d.part(FnMinute) }

// Second is the whole second (0-59) of a timestamp, fractions cut off.
func (d DtNamespace) Second() Expr { return d.part(FnSecond) }

// Weekday is the ISO day of the week: 1 for Monday to 7 for Sunday
// (DuckDB's isodow).
func (d DtNamespace) Weekday() Expr { return d.part(FnWeekday) }

// Quarter is the quarter of the year, 1-4.
func (d DtNamespace) Quarter() Expr { return d.part(FnQuarter) }

// DayOfYear is the day of the year, 1-366.
func (d DtNamespace) DayOfYear() Expr { return d.part(FnDayOfYear) }

// Truncate rounds a date or timestamp down to the start of its unit (a
// week starts on Monday), as DuckDB's date_trunc: the result is a
// timestamp, of the input's type for a timestamp and in microseconds for a
// date. Timestamps with a time zone other than UTC are not supported yet.
func (d DtNamespace) Truncate(unit TimeUnit) Expr {
	return Expr{&Call{Fn: FnDateTrunc, Args: []Node{d.e.tree(), newLiteral(int64(unit))}}}
}

// DateDiff counts the unit boundaries between the dates or timestamps
// start and end, as DuckDB's date_diff: the difference of the years for
// UnitYear, of year*12+month for UnitMonth, of the days for UnitDay, of
// whole hours since 1970 for UnitHour, and so on (so from 23:59 to 00:01
// is one day); UnitWeek counts whole weeks of days, rounded toward zero.
// The result is int64, negative when end is before start. A date meeting a
// timestamp is taken as its midnight.
func DateDiff(unit TimeUnit, start, end any) Expr {
	return Expr{&Call{Fn: FnDateDiff, Args: []Node{toExpr(start).tree(), toExpr(end).tree(), newLiteral(int64(unit))}}}
}
