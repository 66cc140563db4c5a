package expr

import (
	"fmt"
	"math"
	"strconv"
	"time"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/decimal128"
	"github.com/apache/arrow-go/v18/arrow/memory"
	"github.com/apache/arrow-go/v18/arrow/scalar"
)

// Interval is a span of calendar time. Months and days are kept apart from
// nanoseconds because their length varies (Jan 31 + 1 month = Feb 28).
type Interval struct {
	Months int32
	Days   int32
	Nanos  int64
}

// Days is an interval of n days.
func Days(n int) Interval { return Interval{Days: int32(n)} }

// Months is an interval of n months.
func Months(n int) Interval { return Interval{Months: int32(n)} }

// Years is an interval of n years.
func Years(n int) Interval { return Interval{Months: int32(12 * n)} }

// Duration is an interval of a fixed length.
func Duration(d time.Duration) Interval { return Interval{Nanos: int64(d)} }

// timestampLitType is the type of an untyped time.Time literal before it
// meets a column.
var timestampLitType = &arrow.TimestampType{Unit: arrow.Microsecond, TimeZone: "UTC"}

// invalidLiteral marks a Go value Lit cannot represent; Resolve reports it.
type invalidLiteral struct{ v any }

func newLiteral(v any) Node {
	untyped := func(s scalar.Scalar) Node { return &Literal{Value: s, Untyped: true} }
	switch x := v.(type) {
	case nil:
		return untyped(scalar.MakeNullScalar(arrow.Null))
	case bool:
		return untyped(scalar.NewBooleanScalar(x))
	case int:
		return untyped(scalar.NewInt64Scalar(int64(x)))
	case int8:
		return untyped(scalar.NewInt64Scalar(int64(x)))
	case int16:
		return untyped(scalar.NewInt64Scalar(int64(x)))
	case int32:
		return untyped(scalar.NewInt64Scalar(int64(x)))
	case int64:
		return untyped(scalar.NewInt64Scalar(x))
	case uint:
		return unsignedLiteral(uint64(x))
	case uint8:
		return untyped(scalar.NewInt64Scalar(int64(x)))
	case uint16:
		return untyped(scalar.NewInt64Scalar(int64(x)))
	case uint32:
		return untyped(scalar.NewInt64Scalar(int64(x)))
	case uint64:
		return unsignedLiteral(x)
	case float32:
		return untyped(scalar.NewFloat64Scalar(float64(x)))
	case float64:
		return untyped(scalar.NewFloat64Scalar(x))
	case string:
		return untyped(scalar.NewStringScalar(x))
	case []byte:
		return &Literal{Value: scalar.NewBinaryScalar(memory.NewBufferBytes(x), arrow.BinaryTypes.Binary)}
	case time.Time:
		l := &Literal{Value: scalar.NewTimestampScalar(arrow.Timestamp(x.UnixMicro()), timestampLitType), Untyped: true}
		if x.Hour() == 0 && x.Minute() == 0 && x.Second() == 0 && x.Nanosecond() == 0 {
			day := arrow.Date32FromTime(time.Date(x.Year(), x.Month(), x.Day(), 0, 0, 0, 0, time.UTC))
			l.date = &day
		}
		return l
	case Interval:
		return &Literal{Value: scalar.NewMonthDayNanoIntervalScalar(
			arrow.MonthDayNanoInterval{Months: x.Months, Days: x.Days, Nanoseconds: x.Nanos})}
	case scalar.Scalar:
		return &Literal{Value: x}
	}
	return &Literal{Value: scalar.MakeNullScalar(arrow.Null), Untyped: true, invalid: &invalidLiteral{v}}
}

func unsignedLiteral(x uint64) Node {
	if x > math.MaxInt64 {
		return &Literal{Value: scalar.NewUint64Scalar(x)}
	}
	return &Literal{Value: scalar.NewInt64Scalar(int64(x)), Untyped: true}
}

// IsNullLiteral reports whether n is a NULL constant.
func IsNullLiteral(n Node) bool {
	l, ok := n.(*Literal)
	return ok && !l.Value.IsValid()
}

// BoolLiteral reports the value of a non-null boolean constant.
func BoolLiteral(n Node) (value, ok bool) {
	l, isLit := n.(*Literal)
	if !isLit || !l.Value.IsValid() {
		return false, false
	}
	b, isBool := l.Value.(*scalar.Boolean)
	if !isBool {
		return false, false
	}
	return b.Value, true
}

// NewLiteral makes a typed literal node from a scalar.
func NewLiteral(s scalar.Scalar) *Literal { return &Literal{Value: s} }

// coerce converts an untyped literal to type to, as coerceLiteral does,
// except that a time.Time at midnight in its own location meets a date
// column as that calendar date: time.Date(2024, 2, 7, 0, 0, 0, 0, berlin)
// is 2024-02-07, though the instant is the 6th in UTC. A time of day still
// widens the column to a timestamp.
func (l *Literal) coerce(to arrow.DataType) (scalar.Scalar, bool) {
	if l.date != nil && l.Value.IsValid() {
		switch to.ID() {
		case arrow.DATE32:
			return scalar.NewDate32Scalar(*l.date), true
		case arrow.DATE64:
			return scalar.NewDate64Scalar(arrow.Date64FromTime(l.date.ToTime())), true
		}
	}
	return coerceLiteral(l.Value, to)
}

// coerceLiteral converts the value of an untyped literal to type to. It
// fails when the value does not fit exactly, so that the caller can widen
// the other side instead.
func coerceLiteral(s scalar.Scalar, to arrow.DataType) (scalar.Scalar, bool) {
	if arrow.TypeEqual(s.DataType(), to) {
		return s, true
	}
	if !s.IsValid() {
		return scalar.MakeNullScalar(to), true
	}
	switch v := s.(type) {
	case *scalar.Int64:
		return intToType(v.Value, to)
	case *scalar.Float64:
		return floatToType(v.Value, to)
	case *scalar.String:
		return stringToType(v.String(), to)
	case *scalar.Timestamp:
		unit := v.DataType().(*arrow.TimestampType).Unit
		return timestampToType(v.Value.ToTime(unit).UTC(), to)
	case *scalar.Boolean:
		return nil, false
	}
	return nil, false
}

func intToType(x int64, to arrow.DataType) (scalar.Scalar, bool) {
	switch to.ID() {
	case arrow.INT8:
		if x >= math.MinInt8 && x <= math.MaxInt8 {
			return scalar.NewInt8Scalar(int8(x)), true
		}
	case arrow.INT16:
		if x >= math.MinInt16 && x <= math.MaxInt16 {
			return scalar.NewInt16Scalar(int16(x)), true
		}
	case arrow.INT32:
		if x >= math.MinInt32 && x <= math.MaxInt32 {
			return scalar.NewInt32Scalar(int32(x)), true
		}
	case arrow.INT64:
		return scalar.NewInt64Scalar(x), true
	case arrow.UINT8:
		if x >= 0 && x <= math.MaxUint8 {
			return scalar.NewUint8Scalar(uint8(x)), true
		}
	case arrow.UINT16:
		if x >= 0 && x <= math.MaxUint16 {
			return scalar.NewUint16Scalar(uint16(x)), true
		}
	case arrow.UINT32:
		if x >= 0 && x <= math.MaxUint32 {
			return scalar.NewUint32Scalar(uint32(x)), true
		}
	case arrow.UINT64:
		if x >= 0 {
			return scalar.NewUint64Scalar(uint64(x)), true
		}
	case arrow.FLOAT32:
		if f := float32(x); int64(f) == x {
			return scalar.NewFloat32Scalar(f), true
		}
	case arrow.FLOAT64:
		if f := float64(x); int64(f) == x {
			return scalar.NewFloat64Scalar(f), true
		}
	case arrow.DECIMAL128:
		dt := to.(*arrow.Decimal128Type)
		if dt.Scale < 0 || dt.Scale > 38 {
			break
		}
		n := decimal128.FromI64(x).Mul(decimal128.GetScaleMultiplier(int(dt.Scale)))
		if back, _ := n.Div(decimal128.GetScaleMultiplier(int(dt.Scale))); back == decimal128.FromI64(x) && n.FitsInPrecision(dt.Precision) {
			return scalar.NewDecimal128Scalar(n, dt), true
		}
	}
	return nil, false
}

func floatToType(x float64, to arrow.DataType) (scalar.Scalar, bool) {
	switch to.ID() {
	case arrow.FLOAT64:
		return scalar.NewFloat64Scalar(x), true
	case arrow.FLOAT32:
		if float64(float32(x)) == x {
			return scalar.NewFloat32Scalar(float32(x)), true
		}
	case arrow.DECIMAL128:
		dt := to.(*arrow.Decimal128Type)
		n, err := decimal128.FromFloat64(x, dt.Precision, dt.Scale)
		if err == nil && n.ToFloat64(dt.Scale) == x {
			return scalar.NewDecimal128Scalar(n, dt), true
		}
	}
	if x == math.Trunc(x) && math.Abs(x) < 1<<53 {
		switch to.ID() {
		case arrow.INT8, arrow.INT16, arrow.INT32, arrow.INT64, arrow.UINT8, arrow.UINT16, arrow.UINT32, arrow.UINT64:
			return intToType(int64(x), to)
		}
	}
	return nil, false
}

// dateLayouts are the text forms a string literal may take when it meets a
// date or timestamp column.
var dateLayouts = []string{"2006-01-02", "2006-01-02 15:04:05", "2006-01-02T15:04:05", time.RFC3339Nano, "2006-01-02 15:04:05.999999999"}

func stringToType(x string, to arrow.DataType) (scalar.Scalar, bool) {
	switch to.ID() {
	case arrow.STRING:
		return scalar.NewStringScalar(x), true
	case arrow.LARGE_STRING:
		return scalar.NewLargeStringScalar(x), true
	case arrow.DATE32, arrow.DATE64, arrow.TIMESTAMP:
		for _, layout := range dateLayouts {
			if t, err := time.Parse(layout, x); err == nil {
				return timestampToType(t.UTC(), to)
			}
		}
	}
	return nil, false
}

func timestampToType(t time.Time, to arrow.DataType) (scalar.Scalar, bool) {
	switch dt := to.(type) {
	case *arrow.Date32Type:
		if t.Hour() == 0 && t.Minute() == 0 && t.Second() == 0 && t.Nanosecond() == 0 {
			return scalar.NewDate32Scalar(arrow.Date32FromTime(t)), true
		}
	case *arrow.Date64Type:
		if t.Hour() == 0 && t.Minute() == 0 && t.Second() == 0 && t.Nanosecond() == 0 {
			return scalar.NewDate64Scalar(arrow.Date64FromTime(t)), true
		}
	case *arrow.TimestampType:
		ts, err := arrow.TimestampFromTime(t, dt.Unit)
		if err == nil {
			return scalar.NewTimestampScalar(ts, dt), true
		}
	}
	return nil, false
}

// formatScalar prints a literal as it would be written in SQL.
func formatScalar(s scalar.Scalar) string {
	if s == nil || !s.IsValid() {
		return "NULL"
	}
	switch v := s.(type) {
	case *scalar.String:
		return strconv.Quote(v.String())
	case *scalar.LargeString:
		return strconv.Quote(v.String())
	case *scalar.Date32:
		return "DATE '" + v.Value.FormattedString() + "'"
	case *scalar.Timestamp:
		dt := v.DataType().(*arrow.TimestampType)
		return "TIMESTAMP '" + v.Value.ToTime(dt.Unit).Format("2006-01-02 15:04:05.999999999") + "'"
	case *scalar.MonthDayNanoInterval:
		return fmt.Sprintf("INTERVAL '%d months %d days %d ns'", v.Value.Months, v.Value.Days, v.Value.Nanoseconds)
	}
	return s.String()
}
