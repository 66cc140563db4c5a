// Package textparse parses the text forms of dates and timestamps that the
// CSV and JSON sources and hive partition paths infer and read. The
// parsers take byte slices and do not allocate. Its calendar arithmetic
// also serves exec/eval's casts from strings, which accept more forms.
package textparse

// ParseDate parses a strict YYYY-MM-DD date into days since 1970-01-01.
func ParseDate(b []byte) (int32, bool) {
	if len(b) != 10 || b[4] != '-' || b[7] != '-' {
		return 0, false
	}
	y, ok1 := digits(b[0:4])
	m, ok2 := digits(b[5:7])
	d, ok3 := digits(b[8:10])
	if !ok1 || !ok2 || !ok3 || m < 1 || m > 12 || d < 1 || d > DaysInMonth(y, m) {
		return 0, false
	}
	return int32(DaysFromCivil(y, m, d)), true
}

// ParseTimestamp parses an ISO-8601 timestamp: a date, then 'T' or a
// space, HH:MM, optional :SS and fraction (up to 9 digits), and an optional
// zone (Z, ±HH, ±HHMM, ±HH:MM). It returns microseconds since the epoch in
// UTC (local times are taken as UTC) and whether a zone was given.
func ParseTimestamp(b []byte) (micros int64, zoned bool, ok bool) {
	if len(b) < 16 {
		return 0, false, false
	}
	days, ok := ParseDate(b[:10])
	if !ok || (b[10] != 'T' && b[10] != ' ') || b[13] != ':' {
		return 0, false, false
	}
	hh, ok1 := digits(b[11:13])
	mm, ok2 := digits(b[14:16])
	if !ok1 || !ok2 || hh > 23 || mm > 59 {
		return 0, false, false
	}
	var ss, frac int64
	rest := b[16:]
	if len(rest) >= 3 && rest[0] == ':' {
		s, ok := digits(rest[1:3])
		if !ok || s > 59 {
			return 0, false, false
		}
		ss = s
		rest = rest[3:]
		if len(rest) > 0 && rest[0] == '.' {
			n := 1
			scale := int64(100000)
			for n < len(rest) && rest[n] >= '0' && rest[n] <= '9' {
				if n > 9 {
					return 0, false, false
				}
				frac += int64(rest[n]-'0') * scale // digits past microseconds are dropped
				scale /= 10
				n++
			}
			if n == 1 {
				return 0, false, false
			}
			rest = rest[n:]
		}
	}
	var offset int64 // seconds east of UTC
	if len(rest) > 0 {
		zoned = true
		switch {
		case len(rest) == 1 && (rest[0] == 'Z' || rest[0] == 'z'):
		case rest[0] == '+' || rest[0] == '-':
			z := rest[1:]
			var zh, zm int64
			var ok bool
			switch len(z) {
			case 2:
				zh, ok = digits(z)
			case 4:
				zh, ok = digits(z[:2])
				var okm bool
				zm, okm = digits(z[2:])
				ok = ok && okm
			case 5:
				if z[2] != ':' {
					return 0, false, false
				}
				zh, ok = digits(z[:2])
				var okm bool
				zm, okm = digits(z[3:])
				ok = ok && okm
			}
			if !ok || zh > 23 || zm > 59 {
				return 0, false, false
			}
			offset = zh*3600 + zm*60
			if rest[0] == '-' {
				offset = -offset
			}
		default:
			return 0, false, false
		}
	}
	secs := int64(days)*86400 + hh*3600 + mm*60 + ss - offset
	return secs*1_000_000 + frac, zoned, true
}

// ParseBool parses true/false in any letter case.
func ParseBool(b []byte) (value, ok bool) {
	switch len(b) {
	case 4:
		return true, (b[0]|0x20) == 't' && (b[1]|0x20) == 'r' && (b[2]|0x20) == 'u' && (b[3]|0x20) == 'e'
	case 5:
		return false, (b[0]|0x20) == 'f' && (b[1]|0x20) == 'a' && (b[2]|0x20) == 'l' && (b[3]|0x20) == 's' && (b[4]|0x20) == 'e'
	}
	return false, false
}

// ParseInt parses an optionally signed decimal int64.
func ParseInt(b []byte) (int64, bool) {
	if len(b) == 0 {
		return 0, false
	}
	neg := false
	switch b[0] {
	case '-':
		neg = true
		b = b[1:]
	case '+':
		b = b[1:]
	}
	if len(b) == 0 || len(b) > 19 {
		return 0, false
	}
	var n uint64
	for _, c := range b {
		if c < '0' || c > '9' {
			return 0, false
		}
		n = n*10 + uint64(c-'0')
	}
	if neg {
		if n > 1<<63 {
			return 0, false
		}
		return -int64(n), true
	}
	if n > 1<<63-1 {
		return 0, false
	}
	return int64(n), true
}

// FormatDate appends days since the epoch as YYYY-MM-DD.
func FormatDate(dst []byte, days int32) []byte {
	y, m, d := civilFromDays(int64(days))
	if y < 0 || y > 9999 {
		return append(dst, "invalid-date"...)
	}
	return append(dst, byte('0'+y/1000), byte('0'+y/100%10), byte('0'+y/10%10), byte('0'+y%10), '-',
		byte('0'+m/10), byte('0'+m%10), '-', byte('0'+d/10), byte('0'+d%10))
}

func digits(b []byte) (int64, bool) {
	var n int64
	for _, c := range b {
		if c < '0' || c > '9' {
			return 0, false
		}
		n = n*10 + int64(c-'0')
	}
	return n, true
}
