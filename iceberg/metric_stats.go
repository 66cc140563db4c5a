package iceberg

import (
	"github.com/apache/arrow-go/v18/arrow"
	iceberg "github.com/apache/iceberg-go"

	"lakeframe/exec/source/prune"
)

// metricSummary is a data file's column metrics as pruning reads them.
// Only the record count and the null, NaN and bound maps are used: value
// counts are not, since some writers store the non-null count there (a
// file with as many NULLs as values then looks all-null).
type metricSummary struct {
	rows       int64
	nulls, nan map[int]int64
	lower      map[int][]byte
	upper      map[int][]byte
}

func newMetricSummary(df iceberg.DataFile) *metricSummary {
	return &metricSummary{rows: df.Count(), nulls: df.NullValueCounts(), nan: df.NaNValueCounts(),
		lower: df.LowerBoundValues(), upper: df.UpperBoundValues()}
}

// stats summarises field id of Iceberg type it, read as Arrow type t. A
// field without metrics has none: the file may not hold the column at
// all, and then reads it as NULL or its initial default.
func (m *metricSummary) stats(id int, it iceberg.Type, t arrow.DataType) (prune.Stats, bool) {
	st := prune.Stats{Rows: m.rows, Nulls: -1}
	n, hasNulls := m.nulls[id]
	if hasNulls {
		st.Nulls = n
	}
	isFloat := t.ID() == arrow.FLOAT32 || t.ID() == arrow.FLOAT64
	nan, nanCounted := m.nan[id]
	if isFloat && !nanCounted {
		// A writer that does not count NaN may not have kept NaN out of
		// its bounds right either (a DuckDB file registered through
		// iceberg-go's add-files had an upper bound below its values):
		// float bounds without NaN counts are not trusted.
		return st, hasNulls
	}
	st.NoNaN = !isFloat || nan == 0
	lo, lok := m.lower[id]
	hi, hok := m.upper[id]
	if !lok || !hok || !prune.Prunable(t) {
		return st, hasNulls
	}
	l, ok1 := boundValue(lo, it, t)
	h, ok2 := boundValue(hi, it, t)
	if !ok1 || !ok2 {
		return st, hasNulls
	}
	st.Min, st.Max, st.HasBounds = l, h, true
	// The spec has writers round a truncated upper bound up, but a writer
	// that does not would store a prefix of the maximum.
	st.MaxIsPrefix = t.ID() == arrow.STRING || t.ID() == arrow.LARGE_STRING
	return st, true
}

// boundValue decodes a bound in Iceberg's single-value serialization.
func boundValue(b []byte, it iceberg.Type, t arrow.DataType) (prune.Value, bool) {
	if len(b) == 0 {
		if _, ok := it.(iceberg.StringType); ok {
			return prune.String(""), true
		}
		return prune.Value{}, false
	}
	lit, err := iceberg.LiteralFromBytes(it, b)
	if err != nil {
		return prune.Value{}, false
	}
	return sourceValue(lit.Any(), t)
}
