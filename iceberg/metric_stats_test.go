package iceberg

import (
	"encoding/binary"
	"math"
	"testing"

	"github.com/apache/arrow-go/v18/arrow"
	iceberg "github.com/apache/iceberg-go"
)

// TestFloatBoundsNeedNaNCounts: float bounds are used only from writers
// that count NaN; value counts are never used (some writers store the
// non-null count there), the record count and null count decide "all
// NULL".
func TestFloatBoundsNeedNaNCounts(t *testing.T) {
	f64 := func(v float64) []byte {
		b := make([]byte, 8)
		binary.LittleEndian.PutUint64(b, math.Float64bits(v))
		return b
	}
	m := &metricSummary{rows: 10,
		nulls: map[int]int64{1: 0, 2: 0, 3: 5},
		nan:   map[int]int64{2: 0},
		lower: map[int][]byte{1: f64(-1), 2: f64(-1)},
		upper: map[int][]byte{1: f64(3), 2: f64(3)},
	}
	dbl := iceberg.PrimitiveTypes.Float64
	st, ok := m.stats(1, dbl, arrow.PrimitiveTypes.Float64)
	if !ok || st.HasBounds || st.Nulls != 0 {
		t.Errorf("no NaN count: %+v %v, want the null count and no bounds", st, ok)
	}
	st, ok = m.stats(2, dbl, arrow.PrimitiveTypes.Float64)
	if !ok || !st.HasBounds || !st.NoNaN {
		t.Errorf("NaN count 0: %+v %v, want bounds and no NaN", st, ok)
	}
	st, ok = m.stats(3, iceberg.PrimitiveTypes.String, arrow.BinaryTypes.String)
	if !ok || st.Rows != 10 || st.Nulls != 5 || st.HasBounds {
		t.Errorf("half NULL: %+v %v, want 5 of 10 NULL", st, ok)
	}
	if _, ok := m.stats(4, dbl, arrow.PrimitiveTypes.Float64); ok {
		t.Error("a field without metrics has statistics")
	}
}
