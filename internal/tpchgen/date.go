package tpchgen

import "github.com/apache/arrow-go/v18/arrow"

// parseDate converts dbgen's "YYYY-MM-DD" dates to days since the Unix
// epoch without going through time.Time, since it runs for every date of
// every row.
func parseDate(s string) (arrow.Date32, bool) {
	if len(s) != 10 || s[4] != '-' || s[7] != '-' {
		return 0, false
	}
	y, ok1 := digits(s[0:4])
	m, ok2 := digits(s[5:7])
	d, ok3 := digits(s[8:10])
	if !ok1 || !ok2 || !ok3 || y < 1 || m < 1 || m > 12 || d < 1 || d > daysIn(y, m) {
		return 0, false
	}
	return arrow.Date32(epochDays(y, m, d)), true
}

func digits(s string) (int, bool) {
	n := 0
	for i := 0; i < len(s); i++ {
		c := s[i] - '0'
		if c > 9 {
			return 0, false
		}
		n = n*10 + int(c)
	}
	return n, true
}

func isLeap(y int) bool { return y%4 == 0 && (y%100 != 0 || y%400 == 0) }

func daysIn(y, m int) int {
	switch m {
	case 2:
		if isLeap(y) {
			return 29
		}
		return 28
	case 4, 6, 9, 11:
		return 30
	}
	return 31
}

// epochDays counts days from 1970-01-01 to y-m-d (y ≥ 1) in the proleptic
// Gregorian calendar. Counting years from March puts the leap day at the
// end of the year, so the day of the year follows from the month alone.
func epochDays(y, m, d int) int {
	if m < 3 {
		y--
		m += 12
	}
	era := y / 400
	yearOfEra := y - era*400
	dayOfYear := (153*(m-3)+2)/5 + d - 1
	dayOfEra := yearOfEra*365 + yearOfEra/4 - yearOfEra/100 + dayOfYear
	// 719468 is the day of era-counting on which 1970-01-01 falls.
	return era*146097 + dayOfEra - 719468
}
