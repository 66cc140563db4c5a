package prune

import (
	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/parquet/metadata"
)

// FromParquet converts the statistics of a Parquet column chunk holding
// rows values of a column of Arrow type t. Callers pass withBounds false
// when the chunk's minimum and maximum are not in the domain of t's values,
// keeping only the null count. ok is false when the chunk has no
// statistics the reader trusts.
func FromParquet(cc *metadata.ColumnChunkMetaData, t arrow.DataType, rows int64, withBounds bool) (Stats, bool) {
	ts, err := cc.Statistics()
	if err != nil || ts == nil {
		return Stats{}, false
	}
	st := Stats{Rows: rows, Nulls: -1}
	if ts.HasNullCount() {
		st.Nulls = ts.NullCount()
	}
	if !ts.HasMinMax() || !withBounds {
		return st, true
	}
	unsigned := false
	switch t.ID() {
	case arrow.UINT8, arrow.UINT16, arrow.UINT32, arrow.UINT64:
		unsigned = true
	}
	st.HasBounds = true
	switch s := ts.(type) {
	case *metadata.Int32Statistics:
		if unsigned {
			st.Min, st.Max = Uint(uint64(uint32(s.Min()))), Uint(uint64(uint32(s.Max())))
		} else {
			st.Min, st.Max = Int(int64(s.Min())), Int(int64(s.Max()))
		}
	case *metadata.Int64Statistics:
		if unsigned {
			st.Min, st.Max = Uint(uint64(s.Min())), Uint(uint64(s.Max()))
		} else {
			st.Min, st.Max = Int(s.Min()), Int(s.Max())
		}
	case *metadata.Float32Statistics:
		st.Min, st.Max = Float(float64(s.Min())), Float(float64(s.Max()))
	case *metadata.Float64Statistics:
		st.Min, st.Max = Float(s.Min()), Float(s.Max())
	case *metadata.BooleanStatistics:
		st.Min, st.Max = Bool(s.Min()), Bool(s.Max())
	case *metadata.ByteArrayStatistics:
		st.Min, st.Max = String(string(s.Min())), String(string(s.Max()))
		// Writers may store a truncated maximum for long strings.
		st.MaxIsPrefix = true
	default:
		st.HasBounds = false
	}
	return st, true
}
