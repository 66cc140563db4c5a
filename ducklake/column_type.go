package ducklake

import (
	"fmt"

	"github.com/apache/arrow-go/v18/arrow"

	"lakeframe/errs"
)

// columnType is the DuckLake type name a new table's column gets for an
// Arrow type; arrowType maps it back to the same Arrow type (large
// strings and binaries become their 32-bit offset forms). Nested types
// are not written yet.
func columnType(name string, t arrow.DataType) (string, error) {
	switch tt := t.(type) {
	case *arrow.BooleanType:
		return "boolean", nil
	case *arrow.Int8Type:
		return "int8", nil
	case *arrow.Int16Type:
		return "int16", nil
	case *arrow.Int32Type:
		return "int32", nil
	case *arrow.Int64Type:
		return "int64", nil
	case *arrow.Uint8Type:
		return "uint8", nil
	case *arrow.Uint16Type:
		return "uint16", nil
	case *arrow.Uint32Type:
		return "uint32", nil
	case *arrow.Uint64Type:
		return "uint64", nil
	case *arrow.Float32Type:
		return "float32", nil
	case *arrow.Float64Type:
		return "float64", nil
	case *arrow.Date32Type:
		return "date", nil
	case *arrow.Time64Type:
		if tt.Unit == arrow.Microsecond {
			return "time", nil
		}
	case *arrow.TimestampType:
		if tt.TimeZone != "" {
			// DuckLake's timestamptz is an instant in microseconds.
			if tt.Unit == arrow.Microsecond {
				return "timestamptz", nil
			}
			break
		}
		switch tt.Unit {
		case arrow.Second:
			return "timestamp_s", nil
		case arrow.Millisecond:
			return "timestamp_ms", nil
		case arrow.Microsecond:
			return "timestamp", nil
		case arrow.Nanosecond:
			return "timestamp_ns", nil
		}
	case *arrow.StringType, *arrow.LargeStringType, *arrow.StringViewType:
		return "varchar", nil
	case *arrow.BinaryType, *arrow.LargeBinaryType, *arrow.BinaryViewType:
		return "blob", nil
	case *arrow.Decimal128Type:
		return fmt.Sprintf("decimal(%d,%d)", tt.Precision, tt.Scale), nil
	}
	return "", fmt.Errorf("%w: column %s has type %s, which lakeframe does not write to ducklake tables yet", errs.ErrNotImplemented, name, t)
}
