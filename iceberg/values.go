package iceberg

import (
	"encoding/hex"
	"fmt"
	"math"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/decimal128"
	"github.com/apache/arrow-go/v18/arrow/memory"
	"github.com/apache/arrow-go/v18/arrow/scalar"
	iceberg "github.com/apache/iceberg-go"
	"github.com/google/uuid"
)

// constArray is an array of n copies of a partition value or initial
// default, of type typ.
func constArray(v any, typ arrow.DataType, n int, mem memory.Allocator) (arrow.Array, error) {
	sc, err := constScalar(v, typ)
	if err != nil {
		return nil, err
	}
	return scalar.MakeArrayFromScalar(sc, n, mem)
}

// constScalar converts a partition value or a column's initial default
// (as table metadata JSON decodes it: numbers as float64, text as string)
// to an Arrow scalar of the column's type.
func constScalar(v any, typ arrow.DataType) (scalar.Scalar, error) {
	sc, err := partitionScalar(v, typ)
	if err == nil {
		return sc, nil
	}
	switch x := v.(type) {
	case float64:
		if x == math.Trunc(x) && math.Abs(x) < 1<<53 {
			if sc, err2 := partitionScalar(int64(x), typ); err2 == nil {
				return sc, nil
			}
		}
	case string:
		if sc, err2 := scalar.MakeScalar(x).CastTo(typ); err2 == nil {
			return sc, nil
		}
	}
	return nil, err
}

// partitionScalar converts a manifest partition value (as iceberg-go
// decodes it) to an Arrow scalar of the column's type.
func partitionScalar(v any, typ arrow.DataType) (scalar.Scalar, error) {
	if v == nil {
		return scalar.MakeNullScalar(typ), nil
	}
	if lit, ok := v.(iceberg.Literal); ok {
		v = lit.Any()
	}
	bad := func() (scalar.Scalar, error) {
		return nil, fmt.Errorf("cannot use a %T as %s", v, typ)
	}
	switch typ.ID() {
	case arrow.BOOL:
		b, ok := v.(bool)
		if !ok {
			return bad()
		}
		return scalar.NewBooleanScalar(b), nil
	case arrow.INT32:
		i, ok := asInt(v)
		if !ok {
			return bad()
		}
		return scalar.NewInt32Scalar(int32(i)), nil
	case arrow.INT64:
		i, ok := asInt(v)
		if !ok {
			return bad()
		}
		return scalar.NewInt64Scalar(i), nil
	case arrow.FLOAT32:
		switch x := v.(type) {
		case float32:
			return scalar.NewFloat32Scalar(x), nil
		case float64:
			return scalar.NewFloat32Scalar(float32(x)), nil
		}
		return bad()
	case arrow.FLOAT64:
		switch x := v.(type) {
		case float32:
			return scalar.NewFloat64Scalar(float64(x)), nil
		case float64:
			return scalar.NewFloat64Scalar(x), nil
		}
		return bad()
	case arrow.DATE32:
		i, ok := asInt(v)
		if !ok {
			return bad()
		}
		return scalar.NewDate32Scalar(arrow.Date32(i)), nil
	case arrow.TIMESTAMP:
		i, ok := asInt(v)
		if !ok {
			return bad()
		}
		return scalar.NewTimestampScalar(arrow.Timestamp(i), typ), nil
	case arrow.TIME64:
		i, ok := asInt(v)
		if !ok {
			return bad()
		}
		return scalar.NewTime64Scalar(arrow.Time64(i), typ), nil
	case arrow.DECIMAL128:
		switch x := v.(type) {
		case iceberg.Decimal:
			return scalar.NewDecimal128Scalar(x.Val, typ), nil
		case decimal128.Num:
			return scalar.NewDecimal128Scalar(x, typ), nil
		}
		return bad()
	case arrow.STRING:
		switch x := v.(type) {
		case string:
			return scalar.NewStringScalar(x), nil
		case uuid.UUID:
			return scalar.NewStringScalar(x.String()), nil
		case [16]byte:
			return scalar.NewStringScalar(uuid.UUID(x).String()), nil
		}
		return bad()
	case arrow.BINARY:
		b, ok := v.([]byte)
		if !ok {
			return bad()
		}
		return scalar.NewBinaryScalar(memory.NewBufferBytes(b), typ), nil
	case arrow.FIXED_SIZE_BINARY:
		b, ok := v.([]byte)
		if !ok {
			return bad()
		}
		return scalar.NewFixedSizeBinaryScalar(memory.NewBufferBytes(b), typ), nil
	}
	return bad()
}

func asInt(v any) (int64, bool) {
	switch x := v.(type) {
	case int32:
		return int64(x), true
	case int64:
		return x, true
	case int:
		return int64(x), true
	case iceberg.Date:
		return int64(x), true
	case iceberg.Timestamp:
		return int64(x), true
	case iceberg.TimestampNano:
		return int64(x), true
	case iceberg.Time:
		return int64(x), true
	}
	return 0, false
}

// uuidStrings formats 16-byte uuids as canonical lowercase text.
func uuidStrings(a *array.FixedSizeBinary, mem memory.Allocator) arrow.Array {
	b := array.NewStringBuilder(mem)
	defer b.Release()
	b.Reserve(a.Len())
	b.ReserveData(36 * a.Len())
	var buf [36]byte
	for i := 0; i < a.Len(); i++ {
		if a.IsNull(i) {
			b.AppendNull()
			continue
		}
		v := a.Value(i)
		if len(v) != 16 {
			b.AppendNull()
			continue
		}
		hex.Encode(buf[0:8], v[0:4])
		buf[8] = '-'
		hex.Encode(buf[9:13], v[4:6])
		buf[13] = '-'
		hex.Encode(buf[14:18], v[6:8])
		buf[18] = '-'
		hex.Encode(buf[19:23], v[8:10])
		buf[23] = '-'
		hex.Encode(buf[24:36], v[10:16])
		b.BinaryBuilder.Append(buf[:])
	}
	return b.NewArray()
}
