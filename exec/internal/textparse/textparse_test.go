package textparse

import (
	"testing"
	"time"
)

func TestParseDate(t *testing.T) {
	cases := []struct {
		in string
		ok bool
	}{
		{"1970-01-01", true}, {"2024-02-29", true}, {"2023-02-29", false}, {"1900-02-29", false},
		{"2000-02-29", true}, {"1969-12-31", true}, {"0001-01-01", true}, {"9999-12-31", true},
		{"2024-13-01", false}, {"2024-00-10", false}, {"2024-1-01", false}, {"2024/01/01", false},
		{"", false}, {"2024-01-32", false}, {"1992-04-31", false},
	}
	for _, c := range cases {
		got, ok := ParseDate([]byte(c.in))
		if ok != c.ok {
			t.Errorf("ParseDate(%q) ok=%v, want %v", c.in, ok, c.ok)
			continue
		}
		if !ok {
			continue
		}
		want, err := time.Parse("2006-01-02", c.in)
		if err != nil {
			t.Fatal(err)
		}
		if int64(got) != want.Unix()/86400 {
			t.Errorf("ParseDate(%q) = %d, want %d", c.in, got, want.Unix()/86400)
		}
		if back := string(FormatDate(nil, got)); back != c.in {
			t.Errorf("FormatDate(%d) = %q, want %q", got, back, c.in)
		}
	}
}

func TestParseTimestamp(t *testing.T) {
	cases := []struct {
		in    string
		ref   string // time.Parse layout for the oracle; empty means invalid
		zoned bool
	}{
		{"2024-03-01 12:34", "2006-01-02 15:04", false},
		{"2024-03-01T12:34:56", "2006-01-02T15:04:05", false},
		{"2024-03-01 12:34:56.123456", "2006-01-02 15:04:05.999999", false},
		{"2024-03-01 12:34:56.5", "2006-01-02 15:04:05.9", false},
		{"2024-03-01T12:34:56Z", time.RFC3339, true},
		{"2024-03-01T12:34:56+02:00", time.RFC3339, true},
		{"2024-03-01T12:34:56.25-07:30", time.RFC3339Nano, true},
		{"1969-12-31T23:59:59.999999Z", time.RFC3339Nano, true},
		{"2024-03-01T12:34:56+0200", "2006-01-02T15:04:05-0700", true},
		{"2024-03-01", "", false},
		{"2024-03-01X12:34", "", false},
		{"2024-03-01 24:00", "", false},
		{"2024-03-01 12:34:56.", "", false},
		{"2024-03-01 12:34:56 UTC", "", false},
	}
	for _, c := range cases {
		got, zoned, ok := ParseTimestamp([]byte(c.in))
		if ok != (c.ref != "") {
			t.Errorf("ParseTimestamp(%q) ok=%v", c.in, ok)
			continue
		}
		if !ok {
			continue
		}
		want, err := time.Parse(c.ref, c.in)
		if err != nil {
			t.Fatal(err)
		}
		if got != want.UnixMicro() || zoned != c.zoned {
			t.Errorf("ParseTimestamp(%q) = %d,%v want %d,%v", c.in, got, zoned, want.UnixMicro(), c.zoned)
		}
	}
}

func TestParseIntBool(t *testing.T) {
	ints := map[string]any{"0": int64(0), "-12": int64(-12), "+7": int64(7), "9223372036854775807": int64(9223372036854775807),
		"-9223372036854775808": int64(-9223372036854775808), "9223372036854775808": nil, "1.0": nil, "": nil, "-": nil, "1e3": nil}
	for in, want := range ints {
		got, ok := ParseInt([]byte(in))
		if want == nil {
			if ok {
				t.Errorf("ParseInt(%q) accepted", in)
			}
		} else if !ok || got != want.(int64) {
			t.Errorf("ParseInt(%q) = %d,%v", in, got, ok)
		}
	}
	bools := map[string]int{"true": 1, "TRUE": 1, "False": 0, "fals": -1, "yes": -1, "": -1}
	for in, want := range bools {
		got, ok := ParseBool([]byte(in))
		if ok != (want >= 0) || (ok && got != (want == 1)) {
			t.Errorf("ParseBool(%q) = %v,%v", in, got, ok)
		}
	}
}
