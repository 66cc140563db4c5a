package kernel

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/memory"

	"lakeframe/errs"
)

var (
	monthNames = [...]string{"January", "February", "March", "April", "May", "June", "July", "August",
		"September", "October", "November", "December"}
	dayNames = [...]string{"Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"}
)

// Strftime formats each date or timestamp (its wall clock in its time
// zone) with a strftime format of the directives expr.TimeFormatDirectives
// lists, as DuckDB's strftime. Null rows give null.
func Strftime(mem memory.Allocator, in arrow.Array, format string) (arrow.Array, error) {
	n := in.Len()
	micros := make([]int64, n)
	if err := localMicros("strftime", in, micros); err != nil {
		return nil, err
	}
	b := newStringBuilder[int32](mem, n, n*len(format)*2)
	bits, off := nullBitmap(in), in.Data().Offset()
	var buf []byte
	for i, us := range micros {
		if isValid(bits, off, i) {
			var err error
			if buf, err = appendStrftime(buf[:0], format, us); err != nil {
				b.release()
				return nil, err
			}
			b.append(buf)
		}
		if err := b.endRow(i); err != nil {
			b.release()
			return nil, err
		}
	}
	validity, nulls := validityOf(mem, in)
	return b.finish(n, validity, nulls), nil
}

func appendStrftime(dst []byte, format string, us int64) ([]byte, error) {
	days := floorDiv(us, microsPerDay)
	tod := us - days*microsPerDay
	y, m, d := civilFromDays(days)
	hour := tod / (3600 * microsPerSecond)
	num := func(v int64, width int) { dst = appendPadded(dst, v, width) }
	for i := 0; i < len(format); i++ {
		c := format[i]
		if c != '%' || i+1 == len(format) {
			dst = append(dst, c)
			continue
		}
		i++
		switch format[i] {
		case 'Y':
			num(y, 4)
		case 'y':
			num((y%100+100)%100, 2)
		case 'm':
			num(int64(m), 2)
		case 'd':
			num(int64(d), 2)
		case 'H':
			num(hour, 2)
		case 'I':
			num((hour+11)%12+1, 2)
		case 'M':
			num(tod/(60*microsPerSecond)%60, 2)
		case 'S':
			num(tod/microsPerSecond%60, 2)
		case 'f':
			num(tod%microsPerSecond, 6)
		case 'j':
			num(days-daysFromCivil(y, 1, 1)+1, 3)
		case 'b':
			dst = append(dst, monthNames[m-1][:3]...)
		case 'B':
			dst = append(dst, monthNames[m-1]...)
		case 'a':
			dst = append(dst, dayNames[((days+3)%7+7)%7][:3]...)
		case 'A':
			dst = append(dst, dayNames[((days+3)%7+7)%7]...)
		case 'p':
			if hour < 12 {
				dst = append(dst, "AM"...)
			} else {
				dst = append(dst, "PM"...)
			}
		case '%':
			dst = append(dst, '%')
		default:
			return nil, fmt.Errorf("strftime: unsupported directive %%%c in %q: %w", format[i], format, errs.ErrPlan)
		}
	}
	return dst, nil
}

// appendPadded appends v in decimal with at least width digits.
func appendPadded(dst []byte, v int64, width int) []byte {
	if v < 0 {
		dst = append(dst, '-')
		v = -v
	}
	digits := 1
	for t := v; t >= 10; t /= 10 {
		digits++
	}
	for ; digits < width; digits++ {
		dst = append(dst, '0')
	}
	return strconv.AppendInt(dst, v, 10)
}

// Strptime parses each string with a strptime format into a microsecond
// timestamp, as DuckDB's strptime: numbers may have fewer digits than
// their width, names match without regard to case, and a string that does
// not match the format (or names an impossible date) is an error quoting
// it. Null rows give null.
func Strptime(mem memory.Allocator, in arrow.Array, format string) (arrow.Array, error) {
	src, err := stringInput(mem, "strptime", in)
	if err != nil {
		return nil, err
	}
	defer src.Release()
	n := src.Len()
	out := allocZeroed(mem, n*8)
	vals := viewAs[int64](out.Bytes())[:n]
	var parseErr error
	parse := func(s []byte, i int) {
		if parseErr != nil {
			return
		}
		vals[i], parseErr = parseStrptime(string(s), format)
	}
	if src.DataType().ID() == arrow.STRING {
		eachString(layoutOf[int32](src), src, parse)
	} else {
		eachString(layoutOf[int64](src), src, parse)
	}
	if parseErr != nil {
		out.Release()
		return nil, parseErr
	}
	validity, nulls := validityOf(mem, src)
	return makeArray(&arrow.TimestampType{Unit: arrow.Microsecond}, n, []*memory.Buffer{validity, out}, nulls), nil
}

func parseStrptime(s, format string) (int64, error) {
	bad := func(why string) (int64, error) {
		return 0, fmt.Errorf("strptime: %q does not match format %q: %s: %w", s, format, why, errs.ErrExec)
	}
	y, m, d, hour, minute, sec, frac := int64(1900), 1, 1, int64(0), int64(0), int64(0), int64(0)
	yday, pm, hasPM, twelve := 0, false, false, false
	p := 0
	digits := func(max int) (int64, bool) {
		start, v := p, int64(0)
		for p < len(s) && p-start < max && s[p] >= '0' && s[p] <= '9' {
			v = v*10 + int64(s[p]-'0')
			p++
		}
		return v, p > start
	}
	name := func(names []string, short bool) (int, bool) {
		for k, nm := range names {
			if short {
				nm = nm[:3]
			}
			if len(s)-p >= len(nm) && strings.EqualFold(s[p:p+len(nm)], nm) {
				p += len(nm)
				return k, true
			}
		}
		return 0, false
	}
	for i := 0; i < len(format); i++ {
		c := format[i]
		if c != '%' || i+1 == len(format) {
			if p >= len(s) || s[p] != c {
				return bad(fmt.Sprintf("expected %q at byte %d", c, p))
			}
			p++
			continue
		}
		i++
		var v int64
		ok := true
		switch format[i] {
		case 'Y':
			v, ok = digits(4)
			y = v
		case 'y':
			v, ok = digits(2)
			if y = 2000 + v; v >= 69 {
				y = 1900 + v
			}
		case 'm':
			v, ok = digits(2)
			m = int(v)
		case 'd':
			v, ok = digits(2)
			d = int(v)
		case 'H':
			hour, ok = digits(2)
		case 'I':
			hour, ok = digits(2)
			twelve = true
		case 'M':
			minute, ok = digits(2)
		case 'S':
			sec, ok = digits(2)
		case 'f':
			start := p
			v, ok = digits(6)
			for k := p - start; k < 6; k++ {
				v *= 10
			}
			frac = v
		case 'j':
			v, ok = digits(3)
			yday = int(v)
		case 'b', 'B':
			var k int
			if k, ok = name(monthNames[:], false); !ok {
				k, ok = name(monthNames[:], true)
			}
			m = k + 1
		case 'a':
			if _, ok = name(dayNames[:], false); !ok {
				_, ok = name(dayNames[:], true)
			}
		case 'p':
			switch {
			case len(s)-p >= 2 && strings.EqualFold(s[p:p+2], "AM"):
			case len(s)-p >= 2 && strings.EqualFold(s[p:p+2], "PM"):
				pm = true
			default:
				ok = false
			}
			p += 2
			hasPM = true
		case '%':
			ok = p < len(s) && s[p] == '%'
			p++
		default:
			return 0, fmt.Errorf("strptime: unsupported directive %%%c in %q: %w", format[i], format, errs.ErrPlan)
		}
		if !ok {
			return bad(fmt.Sprintf("no %%%c at byte %d", format[i], p))
		}
	}
	if p != len(s) {
		return bad(fmt.Sprintf("text left over at byte %d", p))
	}
	if twelve || hasPM {
		if hour < 1 || hour > 12 {
			return bad("the hour of a 12-hour clock is 1-12")
		}
		hour %= 12
		if pm {
			hour += 12
		}
	}
	if m < 1 || m > 12 || d < 1 || d > daysInMonth(y, m) || hour > 23 || minute > 59 || sec > 59 {
		return bad("a field is out of range")
	}
	days := daysFromCivil(y, m, d)
	if yday > 0 {
		if yday > 365+boolInt(daysInMonth(y, 2) == 29) {
			return bad("the day of the year is out of range")
		}
		days = daysFromCivil(y, 1, 1) + int64(yday) - 1
	}
	return days*microsPerDay + ((hour*60+minute)*60+sec)*microsPerSecond + frac, nil
}

func boolInt(b bool) int {
	if b {
		return 1
	}
	return 0
}
