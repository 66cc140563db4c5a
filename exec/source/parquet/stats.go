package parquet

import (
	"github.com/apache/arrow-go/v18/arrow"
	pq "github.com/apache/arrow-go/v18/parquet"
	"github.com/apache/arrow-go/v18/parquet/schema"

	"lakeframe/exec/source/prune"
)

// StatsUsable reports whether the statistics of a Parquet leaf column are
// in the same domain as the values of an Arrow column of type t, so that
// literals of t can be compared with them. A column read as a wider type
// (an int read as a long, a float as a double) qualifies.
func StatsUsable(col *schema.Column, t arrow.DataType) bool {
	if !prune.Prunable(t) {
		return false
	}
	phys := col.PhysicalType()
	switch t.ID() {
	case arrow.INT8, arrow.INT16, arrow.INT32, arrow.UINT8, arrow.UINT16, arrow.UINT32, arrow.DATE32:
		return phys == pq.Types.Int32
	case arrow.INT64:
		return phys == pq.Types.Int64 || phys == pq.Types.Int32 && isSigned(col)
	case arrow.UINT64:
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
		return phys == pq.Types.Double || phys == pq.Types.Float
	case arrow.STRING, arrow.LARGE_STRING:
		return phys == pq.Types.ByteArray
	case arrow.BOOL:
		return phys == pq.Types.Boolean
	}
	return false
}

// isSigned reports whether an integer column holds signed values.
func isSigned(col *schema.Column) bool {
	it, ok := col.LogicalType().(*schema.IntLogicalType)
	return !ok || it.IsSigned()
}
