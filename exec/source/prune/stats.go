package prune

import "strings"

// Stats summarise one column over a set of rows, such as a row group.
type Stats struct {
	// Rows is the number of rows summarised.
	Rows int64
	// Nulls counts null values; -1 means unknown.
	Nulls int64
	// Min and Max bound the non-null values when HasBounds is set.
	Min, Max  Value
	HasBounds bool
	// MaxIsPrefix says Max may be a truncated prefix of the true maximum,
	// as some writers store for long strings: any string that starts with
	// Max may then be present too.
	MaxIsPrefix bool
	// NoNaN says no value is NaN. Statistics formats keep NaN out of their
	// bounds, and NaN compares false with everything (true with <>), so
	// float columns without this guarantee are pruned as if NaN were there.
	NoNaN bool
	// Contains, when set, reports whether a non-null v may be among the
	// values: a membership test beside the bounds, such as a hash
	// partition's bucket. nil means any value in bounds may be there.
	Contains func(v Value) bool
}

// Constant summarises rows that all hold v, or are all null.
func Constant(v Value, null bool, rows int64) Stats {
	if null {
		return Stats{Rows: rows, Nulls: rows}
	}
	return Stats{Rows: rows, Nulls: 0, Min: v, Max: v, HasBounds: true, NoNaN: !v.isNaN()}
}

func (s *Stats) mayHaveNulls() bool  { return s.Nulls != 0 }
func (s *Stats) mayHaveValues() bool { return s.Nulls < 0 || s.Nulls < s.Rows }

// mayHaveNaN reports whether a value of kind k may be NaN.
func (s *Stats) mayHaveNaN(k kind) bool { return k == kindFloat && !s.NoNaN }

// mayContain reports whether the membership test admits v.
func (s *Stats) mayContain(v Value) bool { return s.Contains == nil || s.Contains(v) }

// usableBounds reports whether Min and Max can be compared with v.
func (s *Stats) usableBounds(v Value) bool {
	return s.HasBounds && s.Min.k == v.k && s.Max.k == v.k && !s.Min.isNaN() && !s.Max.isNaN()
}

// maxAtLeast reports whether some value may be >= v (> v when strict).
func (s *Stats) maxAtLeast(v Value, strict bool) bool {
	c := compare(s.Max, v)
	if c > 0 || (c == 0 && !strict) {
		return true
	}
	return s.MaxIsPrefix && strings.HasPrefix(v.s, s.Max.s)
}

// minAtMost reports whether some value may be <= v (< v when strict).
// A truncated minimum is still a lower bound, so no special case.
func (s *Stats) minAtMost(v Value, strict bool) bool {
	c := compare(s.Min, v)
	return c < 0 || (c == 0 && !strict)
}

// allEqual reports whether every non-null value is known to equal v.
func (s *Stats) allEqual(v Value) bool {
	return !s.MaxIsPrefix && compare(s.Min, v) == 0 && compare(s.Max, v) == 0
}
