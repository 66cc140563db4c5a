package textparse

import (
	"testing"
	"time"
)

// TestCalendar checks the calendar against the time package, which counts
// years the same way (year 0 is 1 BC), from 1001 BC to AD 3000.
func TestCalendar(t *testing.T) {
	for y := int64(-1000); y <= 3000; y++ {
		for m := int64(1); m <= 12; m++ {
			want := int64(time.Date(int(y), time.Month(m)+1, 0, 0, 0, 0, 0, time.UTC).Day())
			if got := DaysInMonth(y, m); got != want {
				t.Fatalf("DaysInMonth(%d, %d) = %d, want %d", y, m, got, want)
			}
		}
	}
	first := time.Date(-1000, 1, 1, 0, 0, 0, 0, time.UTC).Unix() / 86400
	last := time.Date(3000, 12, 31, 0, 0, 0, 0, time.UTC).Unix() / 86400
	for z := first; z <= last; z++ {
		ty, tm, td := time.Unix(z*86400, 0).UTC().Date()
		if got := DaysFromCivil(int64(ty), int64(tm), int64(td)); got != z {
			t.Fatalf("DaysFromCivil(%d, %d, %d) = %d, want %d", ty, tm, td, got, z)
		}
		if y, m, d := civilFromDays(z); y != int64(ty) || m != int64(tm) || d != int64(td) {
			t.Fatalf("civilFromDays(%d) = %d-%d-%d, want %d-%d-%d", z, y, m, d, ty, tm, td)
		}
	}
}
