package parquet

import (
	"github.com/apache/arrow-go/v18/arrow"
	pq "github.com/apache/arrow-go/v18/parquet"
	"github.com/apache/arrow-go/v18/parquet/metadata"
	"github.com/apache/arrow-go/v18/parquet/schema"

	"lakeframe/exec/source/prune"
)

// statsUsable reports whether the statistics of a Parquet leaf column are
// in the same domain as the values of its Arrow column, so that literals
// of the Arrow type can be compared with them.
func statsUsable(col *schema.Column, t arrow.DataType) bool {
	if !prune.Prunable(t) {
		return false
	}
	phys := col.PhysicalType()
	switch t.ID() {
	case arrow.INT8, arrow.INT16, arrow.INT32, arrow.UINT8, arrow.UINT16, arrow.UINT32, arrow.DATE32:
		return phys == pq.Types.Int32
	case arrow.INT64, arrow.UINT64:
		return phys == pq.Types.Int64
	case arrow.TIMESTAMP:
		ts, ok := col.LogicalType().(interface{ TimeUnit() schema.TimeUnitType })
		if !ok || phys != pq.Types.Int64 {
			return false
		}
		var want schema.TimeUnitType
		switch t.(*arrow.TimestampType).Unit {
		case arrow.Millisecond:
			want = schema.TimeUnitMillis
		case arrow.Microsecond:
			want = schema.TimeUnitMicros
		case arrow.Nanosecond:
			want = schema.TimeUnitNanos
		default:
			return false
		}
		return ts.TimeUnit() == want
	case arrow.FLOAT32:
		return phys == pq.Types.Float
	case arrow.FLOAT64:
		return phys == pq.Types.Double
	case arrow.STRING, arrow.LARGE_STRING:
		return phys == pq.Types.ByteArray
	case arrow.BOOL:
		return phys == pq.Types.Boolean
	}
	return false
}

// chunkStats converts the statistics of one column chunk. ok is false
// when the chunk has none the reader trusts.
func chunkStats(cc *metadata.ColumnChunkMetaData, t arrow.DataType, rows int64) (prune.Stats, bool) {
	ts, err := cc.Statistics()
	if err != nil || ts == nil {
		return prune.Stats{}, false
	}
	st := prune.Stats{Rows: rows, Nulls: -1}
	if ts.HasNullCount() {
		st.Nulls = ts.NullCount()
	}
	if !ts.HasMinMax() {
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
			st.Min, st.Max = prune.Uint(uint64(uint32(s.Min()))), prune.Uint(uint64(uint32(s.Max())))
		} else {
			st.Min, st.Max = prune.Int(int64(s.Min())), prune.Int(int64(s.Max()))
		}
	case *metadata.Int64Statistics:
		if unsigned {
			st.Min, st.Max = prune.Uint(uint64(s.Min())), prune.Uint(uint64(s.Max()))
		} else {
			st.Min, st.Max = prune.Int(s.Min()), prune.Int(s.Max())
		}
	case *metadata.Float32Statistics:
		st.Min, st.Max = prune.Float(float64(s.Min())), prune.Float(float64(s.Max()))
	case *metadata.Float64Statistics:
		st.Min, st.Max = prune.Float(s.Min()), prune.Float(s.Max())
	case *metadata.BooleanStatistics:
		st.Min, st.Max = prune.Bool(s.Min()), prune.Bool(s.Max())
	case *metadata.ByteArrayStatistics:
		st.Min, st.Max = prune.String(string(s.Min())), prune.String(string(s.Max()))
		// Writers may store a truncated maximum for long strings.
		st.MaxIsPrefix = true
	default:
		st.HasBounds = false
	}
	return st, true
}
