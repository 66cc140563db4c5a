package eval

import (
	"fmt"
	"math"
	"strconv"
	"unsafe"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/bitutil"
	"github.com/apache/arrow-go/v18/arrow/compute"
	"github.com/apache/arrow-go/v18/arrow/memory"

	"lakeframe/errs"
	"lakeframe/exec/internal/textparse"
	"lakeframe/expr"
)

// castStringToTemporal parses strings into Date32, Date64 or Timestamp
// values, accepting what DuckDB accepts for the common forms:
// "2024-01-05", "2024-1-5", "2024-01-05 10:30:00[.123456]" with a space or
// "T", surrounding blanks, and a trailing "Z", "UTC" or "+hh[:mm]" zone. A
// date drops the time of day. The zone moves the instant only for a
// timestamp with a time zone (a plain timestamp is wall-clock time, as in
// DuckDB). Fractions finer than the unit are truncated.
func (e *evaluator) castStringToTemporal(c *expr.Cast, in compute.Datum) (compute.Datum, error) {
	arr, err := e.kernelInput(c, in)
	if err != nil {
		return nil, err
	}
	defer arr.Release()
	var out arrow.Array
	switch a := arr.(type) {
	case *array.String:
		out, err = parseTemporalArray(e.mem, a.ValueOffsets(), stringData(a), a, c.To)
	case *array.LargeString:
		out, err = parseTemporalArray(e.mem, a.ValueOffsets(), stringData(a), a, c.To)
	default:
		return nil, fmt.Errorf("evaluate %s: %w: cast from %s", c, errs.ErrInternal, arr.DataType())
	}
	if err != nil {
		return nil, fmt.Errorf("evaluate %s: %w", c, err)
	}
	return kernelOutput(c, out, isScalar(in))
}

// parseTemporalArray parses each valid string of arr, whose offsets and
// character data are given.
func parseTemporalArray[O int32 | int64](mem memory.Allocator, offsets []O, data []byte, arr arrow.Array, to arrow.DataType) (arrow.Array, error) {
	n := arr.Len()
	width := 8
	if to.ID() == arrow.DATE32 {
		width = 4
	}
	values := newBuffer(mem, n*width)
	clear(values.Bytes())
	var (
		i32   []int32
		i64   []int64
		valid []byte
		boff  = arr.Data().Offset()
	)
	if width == 4 {
		i32 = viewAs[int32](values.Bytes())
	} else {
		i64 = viewAs[int64](values.Bytes())
	}
	if arr.NullN() > 0 {
		valid = arr.NullBitmapBytes()
	}
	ts, _ := to.(*arrow.TimestampType)
	for i := range n {
		if valid != nil && !bitutil.BitIsSet(valid, boff+i) {
			continue
		}
		s := stringAt(offsets, data, i)
		p, ok := parseDateTime(s)
		if !ok {
			values.Release()
			return nil, fmt.Errorf("%w: cannot convert %s to %s", errs.ErrExec, strconv.Quote(s), to)
		}
		var v int64
		switch to.ID() {
		case arrow.DATE32:
			if p.days < math.MinInt32 || p.days > math.MaxInt32 {
				ok = false
			}
			i32[i] = int32(p.days)
		case arrow.DATE64:
			v, ok = dateTime{days: p.days}.epoch(1000, 0)
		case arrow.TIMESTAMP:
			zone := int64(0)
			if ts.TimeZone != "" {
				zone = p.zone
			}
			v, ok = p.epoch(unitsPerSecond(ts.Unit), zone)
		}
		if !ok {
			values.Release()
			return nil, fmt.Errorf("%w: %s is out of the range of %s", errs.ErrExec, strconv.Quote(s), to)
		}
		if i64 != nil {
			i64[i] = v
		}
	}
	return newArray(to, n, validityOf(mem, arr), values), nil
}

func unitsPerSecond(u arrow.TimeUnit) int64 {
	switch u {
	case arrow.Second:
		return 1
	case arrow.Millisecond:
		return 1_000
	case arrow.Microsecond:
		return 1_000_000
	}
	return 1_000_000_000
}

// dateTime is a parsed date and time of day.
type dateTime struct {
	days  int64 // since 1970-01-01
	nanos int64 // since midnight
	zone  int64 // offset east of UTC, in seconds
}

// epoch returns the value in units of 1/perSec second since the epoch,
// with the zone offset subtracted (zone is 0 to keep wall-clock time).
func (p dateTime) epoch(perSec, zone int64) (int64, bool) {
	secs := p.days*86400 - zone
	if secs > math.MaxInt64/perSec-1 || secs < math.MinInt64/perSec+1 {
		return 0, false
	}
	return secs*perSec + p.nanos/(1_000_000_000/perSec), true
}

// parseDateTime parses "[ ]Y-M-D[( |T)h:m[:s[.f]]][ ][zone][ ]".
func parseDateTime(s string) (dateTime, bool) {
	var p dateTime
	i := skipBlanks(s, 0)
	neg := false
	if i < len(s) && s[i] == '-' {
		neg = true
		i++
	}
	year, i, ok := digits(s, i, 1, 6)
	if !ok || !expect(s, &i, '-') {
		return p, false
	}
	month, i, ok := digits(s, i, 1, 2)
	if !ok || !expect(s, &i, '-') {
		return p, false
	}
	day, i, ok := digits(s, i, 1, 2)
	if !ok {
		return p, false
	}
	if neg {
		year = -year
	}
	if month < 1 || month > 12 || day < 1 || day > textparse.DaysInMonth(year, month) {
		return p, false
	}
	p.days = textparse.DaysFromCivil(year, month, day)
	if i < len(s) && (s[i] == ' ' || s[i] == 'T') && i+1 < len(s) && isDigit(s[i+1]) {
		i++
		var h, m, sec int64
		if h, i, ok = digits(s, i, 1, 2); !ok || !expect(s, &i, ':') {
			return p, false
		}
		if m, i, ok = digits(s, i, 2, 2); !ok {
			return p, false
		}
		if i < len(s) && s[i] == ':' {
			i++
			if sec, i, ok = digits(s, i, 2, 2); !ok {
				return p, false
			}
		}
		if h > 23 || m > 59 || sec > 59 {
			return p, false
		}
		p.nanos = (h*3600 + m*60 + sec) * 1_000_000_000
		if i < len(s) && s[i] == '.' {
			i++
			start := i
			scale := int64(100_000_000)
			for i < len(s) && isDigit(s[i]) {
				p.nanos += int64(s[i]-'0') * scale
				scale /= 10
				i++
			}
			if i == start {
				return p, false
			}
		}
		if p.zone, i, ok = parseZone(s, i); !ok {
			return p, false
		}
	}
	return p, skipBlanks(s, i) == len(s)
}

// parseZone reads an optional " Z", "UTC" or "+hh[:mm]" at i.
func parseZone(s string, i int) (int64, int, bool) {
	j := skipBlanks(s, i)
	switch {
	case j < len(s) && s[j] == 'Z':
		return 0, j + 1, true
	case len(s)-j >= 3 && s[j:j+3] == "UTC":
		return 0, j + 3, true
	case j < len(s) && (s[j] == '+' || s[j] == '-'):
		sign := int64(1)
		if s[j] == '-' {
			sign = -1
		}
		j++
		h, j, ok := digits(s, j, 2, 2)
		if !ok {
			return 0, j, false
		}
		var m int64
		if j < len(s) && s[j] == ':' {
			j++
			if m, j, ok = digits(s, j, 2, 2); !ok {
				return 0, j, false
			}
		} else if j+1 < len(s) && isDigit(s[j]) {
			if m, j, ok = digits(s, j, 2, 2); !ok {
				return 0, j, false
			}
		}
		if h > 23 || m > 59 {
			return 0, j, false
		}
		return sign * (h*3600 + m*60), j, true
	}
	return 0, i, true
}

func isDigit(c byte) bool { return c >= '0' && c <= '9' }

func skipBlanks(s string, i int) int {
	for i < len(s) && (s[i] == ' ' || s[i] == '\t' || s[i] == '\n' || s[i] == '\r') {
		i++
	}
	return i
}

func expect(s string, i *int, c byte) bool {
	if *i < len(s) && s[*i] == c {
		*i++
		return true
	}
	return false
}

// digits reads between lo and hi decimal digits at i.
func digits(s string, i, lo, hi int) (int64, int, bool) {
	var v int64
	start := i
	for i < len(s) && i-start < hi && isDigit(s[i]) {
		v = v*10 + int64(s[i]-'0')
		i++
	}
	return v, i, i-start >= lo
}

// stringData returns the character buffer of a string array; offsets
// index it directly.
func stringData(a arrow.Array) []byte {
	if buf := a.Data().Buffers()[2]; buf != nil {
		return buf.Bytes()
	}
	return nil
}

// stringAt returns row i of a string array without copying it; the result
// must not outlive the array.
func stringAt[O int32 | int64](offsets []O, data []byte, i int) string {
	lo, hi := offsets[i], offsets[i+1]
	if lo == hi {
		return ""
	}
	return unsafe.String(&data[lo], int(hi-lo))
}
