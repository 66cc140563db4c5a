package parquet

import (
	"slices"
	"testing"
)

func TestRowSet(t *testing.T) {
	s := NewRowSet(200)
	for _, p := range []int64{0, 63, 64, 65, 127, 199, -1, 5000} {
		s.Add(p)
	}
	var got []int64
	s.Each(0, 1000, func(i int64) { got = append(got, i) })
	if want := []int64{0, 63, 64, 65, 127, 199}; !slices.Equal(got, want) {
		t.Errorf("each = %v, want %v", got, want)
	}
	for _, tc := range []struct{ lo, hi, want int64 }{
		{0, 200, 6}, {1, 64, 1}, {63, 66, 3}, {66, 127, 0}, {66, 128, 1}, {199, 200, 1}, {-5, 1, 1}, {150, 150, 0},
	} {
		if got := s.Count(tc.lo, tc.hi); got != tc.want {
			t.Errorf("count(%d, %d) = %d, want %d", tc.lo, tc.hi, got, tc.want)
		}
	}
}
