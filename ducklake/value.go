package ducklake

import (
	"encoding/hex"
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/decimal128"
	"github.com/apache/arrow-go/v18/arrow/memory"
	"github.com/apache/arrow-go/v18/arrow/scalar"

	"lakeframe/exec/source/prune"
)

// parseScalar converts a value the catalog stores as text (an initial
// default, a statistic, a partition value) to a scalar of type t. The
// text forms are DuckDB's: 2024-01-31, 2024-01-31 12:00:00.5,
// 2024-01-31 12:00:00+00, 12.50, true.
func parseScalar(s string, t arrow.DataType) (scalar.Scalar, error) {
	switch t.ID() {
	case arrow.BOOL:
		switch strings.ToLower(strings.TrimSpace(s)) {
		case "true", "t", "1":
			return scalar.NewBooleanScalar(true), nil
		case "false", "f", "0":
			return scalar.NewBooleanScalar(false), nil
		}
		return nil, fmt.Errorf("not a boolean: %q", s)
	case arrow.INT8, arrow.INT16, arrow.INT32, arrow.INT64:
		v, err := strconv.ParseInt(strings.TrimSpace(s), 10, t.(arrow.FixedWidthDataType).BitWidth())
		if err != nil {
			return nil, err
		}
		switch t.ID() {
		case arrow.INT8:
			return scalar.NewInt8Scalar(int8(v)), nil
		case arrow.INT16:
			return scalar.NewInt16Scalar(int16(v)), nil
		case arrow.INT32:
			return scalar.NewInt32Scalar(int32(v)), nil
		}
		return scalar.NewInt64Scalar(v), nil
	case arrow.UINT8, arrow.UINT16, arrow.UINT32, arrow.UINT64:
		v, err := strconv.ParseUint(strings.TrimSpace(s), 10, t.(arrow.FixedWidthDataType).BitWidth())
		if err != nil {
			return nil, err
		}
		switch t.ID() {
		case arrow.UINT8:
			return scalar.NewUint8Scalar(uint8(v)), nil
		case arrow.UINT16:
			return scalar.NewUint16Scalar(uint16(v)), nil
		case arrow.UINT32:
			return scalar.NewUint32Scalar(uint32(v)), nil
		}
		return scalar.NewUint64Scalar(v), nil
	case arrow.FLOAT32:
		v, err := strconv.ParseFloat(strings.TrimSpace(s), 32)
		if err != nil {
			return nil, err
		}
		return scalar.NewFloat32Scalar(float32(v)), nil
	case arrow.FLOAT64:
		v, err := strconv.ParseFloat(strings.TrimSpace(s), 64)
		if err != nil {
			return nil, err
		}
		return scalar.NewFloat64Scalar(v), nil
	case arrow.DECIMAL128:
		dt := t.(*arrow.Decimal128Type)
		v, err := decimal128.FromString(strings.TrimSpace(s), dt.Precision, dt.Scale)
		if err != nil {
			return nil, err
		}
		return scalar.NewDecimal128Scalar(v, t), nil
	case arrow.DATE32:
		d, err := time.Parse("2006-01-02", strings.TrimSpace(s))
		if err != nil {
			return nil, err
		}
		return scalar.NewDate32Scalar(arrow.Date32(d.Unix() / 86400)), nil
	case arrow.TIME64:
		v, err := parseTimeOfDay(s)
		if err != nil {
			return nil, err
		}
		return scalar.NewTime64Scalar(arrow.Time64(v), t), nil
	case arrow.TIMESTAMP:
		ts, err := parseTimestampText(s)
		if err != nil {
			return nil, err
		}
		v, ok := timestampIn(ts, t.(*arrow.TimestampType).Unit)
		if !ok {
			return nil, fmt.Errorf("timestamp %q out of range", s)
		}
		return scalar.NewTimestampScalar(arrow.Timestamp(v), t), nil
	case arrow.STRING:
		return scalar.NewStringScalar(s), nil
	case arrow.BINARY:
		return scalar.NewBinaryScalar(memory.NewBufferBytes([]byte(s)), t), nil
	case arrow.FIXED_SIZE_BINARY:
		b, err := hex.DecodeString(strings.ReplaceAll(strings.TrimSpace(s), "-", ""))
		if err != nil || len(b) != t.(*arrow.FixedSizeBinaryType).ByteWidth {
			return nil, fmt.Errorf("not a uuid: %q", s)
		}
		return scalar.NewFixedSizeBinaryScalar(memory.NewBufferBytes(b), t), nil
	}
	return nil, fmt.Errorf("values of type %s cannot be given as text", t)
}

// timestampIn converts an instant to a count of unit since the epoch.
func timestampIn(ts time.Time, unit arrow.TimeUnit) (int64, bool) {
	switch unit {
	case arrow.Second:
		return ts.Unix(), true
	case arrow.Millisecond:
		return ts.UnixMilli(), true
	case arrow.Microsecond:
		return ts.UnixMicro(), true
	case arrow.Nanosecond:
		// UnixNano is undefined outside about 1678-2262.
		if ts.Year() < 1678 || ts.Year() > 2261 {
			return 0, false
		}
		return ts.UnixNano(), true
	}
	return 0, false
}

// parseTimeOfDay parses HH:MM:SS[.ffffff] as microseconds since midnight.
func parseTimeOfDay(s string) (int64, error) {
	t, err := time.Parse("15:04:05.999999999", strings.TrimSpace(s))
	if err != nil {
		return 0, err
	}
	return int64(t.Hour())*3600e6 + int64(t.Minute())*60e6 + int64(t.Second())*1e6 + int64(t.Nanosecond()/1000), nil
}

// pruneValue converts a scalar to the form statistics compare in; ok is
// false for types pruning does not handle, and for NaN.
func pruneValue(sc scalar.Scalar) (prune.Value, bool) {
	switch x := sc.(type) {
	case *scalar.Boolean:
		return prune.Bool(x.Value), true
	case *scalar.Int8:
		return prune.Int(int64(x.Value)), true
	case *scalar.Int16:
		return prune.Int(int64(x.Value)), true
	case *scalar.Int32:
		return prune.Int(int64(x.Value)), true
	case *scalar.Int64:
		return prune.Int(x.Value), true
	case *scalar.Uint8:
		return prune.Uint(uint64(x.Value)), true
	case *scalar.Uint16:
		return prune.Uint(uint64(x.Value)), true
	case *scalar.Uint32:
		return prune.Uint(uint64(x.Value)), true
	case *scalar.Uint64:
		return prune.Uint(x.Value), true
	case *scalar.Float32:
		if math.IsNaN(float64(x.Value)) {
			return prune.Value{}, false
		}
		return prune.Float(float64(x.Value)), true
	case *scalar.Float64:
		if math.IsNaN(x.Value) {
			return prune.Value{}, false
		}
		return prune.Float(x.Value), true
	case *scalar.Date32:
		return prune.Int(int64(x.Value)), true
	case *scalar.Timestamp:
		return prune.Int(int64(x.Value)), true
	case *scalar.String:
		return prune.String(x.String()), true
	}
	return prune.Value{}, false
}
