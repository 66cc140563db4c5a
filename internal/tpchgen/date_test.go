package tpchgen

import (
	"testing"
	"time"
)

// TestParseDateMatchesTime checks every day of three centuries against the
// standard library's calendar.
func TestParseDateMatchesTime(t *testing.T) {
	for d := time.Date(1900, 1, 1, 0, 0, 0, 0, time.UTC); d.Year() < 2200; d = d.AddDate(0, 0, 1) {
		s := d.Format(time.DateOnly)
		got, ok := parseDate(s)
		if want := d.Unix() / 86400; !ok || int64(got) != want {
			t.Fatalf("parseDate(%q) = %d, %v; want %d", s, got, ok, want)
		}
	}
}

func TestParseDate(t *testing.T) {
	tests := []struct {
		in   string
		want int32
		ok   bool
	}{
		{"1970-01-01", 0, true},
		{"1969-12-31", -1, true},
		{"1992-01-01", 8035, true},
		{"1998-12-31", 10591, true},
		{"2000-02-29", 11016, true},
		{"0001-01-01", -719162, true},
		{"1900-02-29", 0, false}, // 1900 is not a leap year
		{"1995-02-29", 0, false},
		{"1995-04-31", 0, false},
		{"1995-13-01", 0, false},
		{"1995-00-10", 0, false},
		{"1995-01-00", 0, false},
		{"0000-01-01", 0, false},
		{"1995-1-01", 0, false},
		{"1995/01/01", 0, false},
		{"1995-01-0a", 0, false},
		{"", 0, false},
		{"1995-01-011", 0, false},
	}
	for _, tt := range tests {
		got, ok := parseDate(tt.in)
		if ok != tt.ok || (ok && int32(got) != tt.want) {
			t.Errorf("parseDate(%q) = %d, %v; want %d, %v", tt.in, got, ok, tt.want, tt.ok)
		}
	}
}
