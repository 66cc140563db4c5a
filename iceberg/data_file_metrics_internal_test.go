package iceberg

import (
	"bytes"
	"strings"
	"testing"
)

func TestTruncateStringBounds(t *testing.T) {
	max := strings.Repeat("\U0010FFFF", 3)
	for _, c := range []struct {
		name, lo, hi string
		width        int
		wantLo       string
		wantHi       *string
	}{
		{"short", "ab", "cd", 3, "ab", ptrTo("cd")},
		{"cut", "abcdef", "uvwxyz", 3, "abc", ptrTo("uvx")},
		{"4-byte", "😀😀😀😀", "😀😀😀😀", 2, "😀😀", ptrTo("😀😁")},
		{"walk back over U+10FFFF", "a", "a\U0010FFFF\U0010FFFFb", 3, "a", ptrTo("b")},
		{"none above U+10FFFF", "a", max + "a", 3, "a", nil},
		{"surrogates skipped", "a", "\uD7FF\uD7FFx", 2, "a", ptrTo("\uD7FF\uE000")},
		{"full", "abcdef", "uvwxyz", 0, "abcdef", ptrTo("uvwxyz")},
		{"empty strings are bounds", "", "", 3, "", ptrTo("")},
	} {
		lo, hi := truncateStringBounds([]byte(c.lo), []byte(c.hi), c.width)
		if string(lo) != c.wantLo {
			t.Errorf("%s: lower %q, want %q", c.name, lo, c.wantLo)
		}
		if (hi == nil) != (c.wantHi == nil) || (hi != nil && string(hi) != *c.wantHi) {
			t.Errorf("%s: upper %q, want %v", c.name, hi, c.wantHi)
		}
	}
}

func TestTruncateBinaryBounds(t *testing.T) {
	lo, hi := truncateBinaryBounds([]byte{1, 2, 3}, []byte{1, 0xFF, 0xFF, 4}, 3)
	if !bytes.Equal(lo, []byte{1, 2, 3}) || !bytes.Equal(hi, []byte{2}) {
		t.Errorf("bounds %x %x, want 010203 02", lo, hi)
	}
	if _, hi := truncateBinaryBounds(nil, nil, 3); hi == nil {
		t.Errorf("no upper bound for empty values")
	}
	if _, hi := truncateBinaryBounds(nil, []byte{0xFF, 0xFF, 0xFF, 0}, 3); hi != nil {
		t.Errorf("upper %x above all-0xFF prefix", hi)
	}
}

func TestParseMetricsMode(t *testing.T) {
	for s, want := range map[string]metricsMode{
		"none": {}, "counts": {counts: true}, "full": {counts: true, bounds: true},
		"truncate(16)": {counts: true, bounds: true, width: 16}, " Truncate(4) ": {counts: true, bounds: true, width: 4},
	} {
		if got, err := parseMetricsMode(s); err != nil || got != want {
			t.Errorf("%q: %+v %v, want %+v", s, got, err, want)
		}
	}
	for _, s := range []string{"truncate(0)", "truncate(x)", "some"} {
		if _, err := parseMetricsMode(s); err == nil {
			t.Errorf("%q: no error", s)
		}
	}
}

func ptrTo[T any](v T) *T { return &v }
