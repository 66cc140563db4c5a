package pgwire

import (
	"encoding/binary"
	"encoding/hex"
	"fmt"
	"math"
	"math/big"
	"strconv"
	"time"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/decimal128"
	"github.com/apache/arrow-go/v18/arrow/decimal256"
	"github.com/jackc/pgx/v5/pgtype"
)

const (
	textFormat   int16 = 0
	binaryFormat int16 = 1
)

// pgEpochDays is 2000-01-01, PostgreSQL's epoch, in days since 1970-01-01.
const pgEpochDays = 10957

// pgEpochMicros is the same instant in microseconds.
const pgEpochMicros = pgEpochDays * 86400 * 1_000_000

// cellEncoder appends the wire form of row r of its column to dst. Callers
// check for NULL first.
type cellEncoder func(dst []byte, r int) ([]byte, error)

// newCellEncoder binds column a to its encoder in format. The switch runs
// once per column and batch, not per value.
func newCellEncoder(a arrow.Array, format int16, types *pgtype.Map) cellEncoder {
	bin := format == binaryFormat
	switch x := a.(type) {
	case *array.Boolean:
		return func(dst []byte, r int) ([]byte, error) {
			v := x.Value(r)
			switch {
			case bin && v:
				return append(dst, 1), nil
			case bin:
				return append(dst, 0), nil
			case v:
				return append(dst, 't'), nil
			}
			return append(dst, 'f'), nil
		}
	case *array.Int8:
		return intEncoder(bin, 2, func(r int) int64 { return int64(x.Value(r)) })
	case *array.Int16:
		return intEncoder(bin, 2, func(r int) int64 { return int64(x.Value(r)) })
	case *array.Uint8:
		return intEncoder(bin, 2, func(r int) int64 { return int64(x.Value(r)) })
	case *array.Int32:
		return intEncoder(bin, 4, func(r int) int64 { return int64(x.Value(r)) })
	case *array.Uint16:
		return intEncoder(bin, 4, func(r int) int64 { return int64(x.Value(r)) })
	case *array.Int64:
		return intEncoder(bin, 8, x.Value)
	case *array.Uint32:
		return intEncoder(bin, 8, func(r int) int64 { return int64(x.Value(r)) })
	case *array.Uint64:
		if !bin {
			return func(dst []byte, r int) ([]byte, error) { return strconv.AppendUint(dst, x.Value(r), 10), nil }
		}
		return func(dst []byte, r int) ([]byte, error) {
			n := pgtype.Numeric{Int: new(big.Int).SetUint64(x.Value(r)), Valid: true}
			return types.Encode(pgtype.NumericOID, binaryFormat, n, dst)
		}
	case *array.Float32:
		return func(dst []byte, r int) ([]byte, error) {
			v := x.Value(r)
			if bin {
				return binary.BigEndian.AppendUint32(dst, math.Float32bits(v)), nil
			}
			return appendFloatText(dst, float64(v), 32), nil
		}
	case *array.Float64:
		return func(dst []byte, r int) ([]byte, error) {
			v := x.Value(r)
			if bin {
				return binary.BigEndian.AppendUint64(dst, math.Float64bits(v)), nil
			}
			return appendFloatText(dst, v, 64), nil
		}
	case *array.Decimal128:
		scale := x.DataType().(*arrow.Decimal128Type).Scale
		return numericEncoder(bin, types, scale, func(r int) *big.Int { return x.Value(r).BigInt() },
			func(r int) string { return decimal128String(x.Value(r), scale) })
	case *array.Decimal256:
		scale := x.DataType().(*arrow.Decimal256Type).Scale
		return numericEncoder(bin, types, scale, func(r int) *big.Int { return x.Value(r).BigInt() },
			func(r int) string { return decimal256String(x.Value(r), scale) })
	case *array.String:
		return func(dst []byte, r int) ([]byte, error) { return append(dst, x.Value(r)...), nil }
	case *array.LargeString:
		return func(dst []byte, r int) ([]byte, error) { return append(dst, x.Value(r)...), nil }
	case *array.Binary:
		return byteaEncoder(bin, x.Value)
	case *array.LargeBinary:
		return byteaEncoder(bin, x.Value)
	case *array.FixedSizeBinary:
		return byteaEncoder(bin, x.Value)
	case *array.Date32:
		return dateEncoder(bin, func(r int) int64 { return int64(x.Value(r)) })
	case *array.Date64:
		return dateEncoder(bin, func(r int) int64 { return int64(x.Value(r)) / 86_400_000 })
	case *array.Timestamp:
		tt := x.DataType().(*arrow.TimestampType)
		toMicros := microsOf(tt.Unit)
		zoned := tt.TimeZone != ""
		return func(dst []byte, r int) ([]byte, error) {
			us := toMicros(int64(x.Value(r)))
			if bin {
				return binary.BigEndian.AppendUint64(dst, uint64(us-pgEpochMicros)), nil
			}
			return appendTimestampText(dst, us, zoned), nil
		}
	case *array.Time64:
		toMicros := microsOf(x.DataType().(*arrow.Time64Type).Unit)
		return timeEncoder(bin, func(r int) int64 { return toMicros(int64(x.Value(r))) })
	case *array.Time32:
		toMicros := microsOf(x.DataType().(*arrow.Time32Type).Unit)
		return timeEncoder(bin, func(r int) int64 { return toMicros(int64(x.Value(r))) })
	case *array.List, *array.LargeList:
		oid := typeOf(a.DataType()).oid
		if oid != pgtype.TextOID {
			return listEncoder(a.(array.ListLike), oid, format, types)
		}
	}
	return func(dst []byte, r int) ([]byte, error) { return append(dst, a.ValueStr(r)...), nil }
}

func intEncoder(bin bool, width int, value func(int) int64) cellEncoder {
	if !bin {
		return func(dst []byte, r int) ([]byte, error) { return strconv.AppendInt(dst, value(r), 10), nil }
	}
	switch width {
	case 2:
		return func(dst []byte, r int) ([]byte, error) {
			return binary.BigEndian.AppendUint16(dst, uint16(value(r))), nil
		}
	case 4:
		return func(dst []byte, r int) ([]byte, error) {
			return binary.BigEndian.AppendUint32(dst, uint32(value(r))), nil
		}
	}
	return func(dst []byte, r int) ([]byte, error) {
		return binary.BigEndian.AppendUint64(dst, uint64(value(r))), nil
	}
}

// appendFloatText writes a float as PostgreSQL's float4out/float8out do
// with extra_float_digits 1, the default: the shortest text that reads back
// exactly, in exponent form below 1e-4 and from 1e15 (1e6 for float4).
func appendFloatText(dst []byte, v float64, bits int) []byte {
	switch {
	case math.IsNaN(v):
		return append(dst, "NaN"...)
	case math.IsInf(v, 1):
		return append(dst, "Infinity"...)
	case math.IsInf(v, -1):
		return append(dst, "-Infinity"...)
	case v == 0:
		if math.Signbit(v) {
			return append(dst, "-0"...)
		}
		return append(dst, '0')
	}
	limit := 15
	if bits == 32 {
		limit = 6
	}
	exp := int(math.Floor(math.Log10(math.Abs(v))))
	// Log10 may be off by one next to powers of ten; the 'e' form knows.
	e := strconv.AppendFloat(nil, v, 'e', -1, bits)
	for i := len(e) - 1; i > 0; i-- {
		if e[i] == 'e' {
			exp, _ = strconv.Atoi(string(e[i+1:]))
			break
		}
	}
	if exp < -4 || exp >= limit {
		return append(dst, e...)
	}
	return strconv.AppendFloat(dst, v, 'f', -1, bits)
}

func numericEncoder(bin bool, types *pgtype.Map, scale int32, unscaled func(int) *big.Int, text func(int) string) cellEncoder {
	if !bin {
		return func(dst []byte, r int) ([]byte, error) { return append(dst, text(r)...), nil }
	}
	return func(dst []byte, r int) ([]byte, error) {
		n := pgtype.Numeric{Int: unscaled(r), Exp: -scale, Valid: true}
		return types.Encode(pgtype.NumericOID, binaryFormat, n, dst)
	}
}

// decimal128String spells a decimal with exactly scale digits after the
// point, as numeric's text form does.
func decimal128String(v decimal128.Num, scale int32) string {
	return scaledString(v.BigInt(), scale)
}

func decimal256String(v decimal256.Num, scale int32) string {
	return scaledString(v.BigInt(), scale)
}

func scaledString(unscaled *big.Int, scale int32) string {
	s := new(big.Int).Abs(unscaled).String()
	sign := ""
	if unscaled.Sign() < 0 {
		sign = "-"
	}
	if scale <= 0 {
		for range -scale {
			s += "0"
		}
		return sign + s
	}
	for len(s) <= int(scale) {
		s = "0" + s
	}
	return sign + s[:len(s)-int(scale)] + "." + s[len(s)-int(scale):]
}

func byteaEncoder(bin bool, value func(int) []byte) cellEncoder {
	if bin {
		return func(dst []byte, r int) ([]byte, error) { return append(dst, value(r)...), nil }
	}
	return func(dst []byte, r int) ([]byte, error) {
		dst = append(dst, '\\', 'x')
		return hex.AppendEncode(dst, value(r)), nil
	}
}

func dateEncoder(bin bool, days func(int) int64) cellEncoder {
	return func(dst []byte, r int) ([]byte, error) {
		d := days(r)
		if bin {
			return binary.BigEndian.AppendUint32(dst, uint32(int32(d-pgEpochDays))), nil
		}
		return appendDateText(dst, time.Unix(d*86400, 0).UTC()), nil
	}
}

// appendDateText writes an ISO date; years before 1 are written as
// PostgreSQL does, counted back with BC (year 0 is 1 BC).
func appendDateText(dst []byte, t time.Time) []byte {
	if y := t.Year(); y <= 0 {
		dst = fmt.Appendf(dst, "%04d-%02d-%02d", 1-y, int(t.Month()), t.Day())
		return append(dst, " BC"...)
	}
	return t.AppendFormat(dst, time.DateOnly)
}

func appendTimestampText(dst []byte, micros int64, zoned bool) []byte {
	t := time.UnixMicro(micros).UTC()
	bc := t.Year() <= 0
	if bc {
		dst = fmt.Appendf(dst, "%04d", 1-t.Year())
		dst = t.AppendFormat(dst, "-01-02 15:04:05.999999")
	} else {
		dst = t.AppendFormat(dst, "2006-01-02 15:04:05.999999")
	}
	if zoned {
		dst = append(dst, "+00"...)
	}
	if bc {
		dst = append(dst, " BC"...)
	}
	return dst
}

func timeEncoder(bin bool, micros func(int) int64) cellEncoder {
	return func(dst []byte, r int) ([]byte, error) {
		us := micros(r)
		if bin {
			return binary.BigEndian.AppendUint64(dst, uint64(us)), nil
		}
		return time.UnixMicro(us).UTC().AppendFormat(dst, "15:04:05.999999"), nil
	}
}

// microsOf converts a count of unit to microseconds, rounding down.
func microsOf(unit arrow.TimeUnit) func(int64) int64 {
	switch unit {
	case arrow.Second:
		return func(v int64) int64 { return v * 1_000_000 }
	case arrow.Millisecond:
		return func(v int64) int64 { return v * 1_000 }
	case arrow.Nanosecond:
		return func(v int64) int64 {
			q := v / 1_000
			if v%1_000 < 0 {
				q--
			}
			return q
		}
	}
	return func(v int64) int64 { return v }
}

// listEncoder sends a list as a PostgreSQL array, through pgx's array
// codec; lists are rare enough in results that boxing their elements is
// fine.
func listEncoder(a array.ListLike, oid uint32, format int16, types *pgtype.Map) cellEncoder {
	values := a.ListValues()
	return func(dst []byte, r int) ([]byte, error) {
		start, end := a.ValueOffsets(r)
		items := make([]any, 0, end-start)
		for i := int(start); i < int(end); i++ {
			items = append(items, goValue(values, i))
		}
		return types.Encode(oid, format, items, dst)
	}
}

// goValue is element i of a as the Go value pgx encodes for its type.
func goValue(a arrow.Array, i int) any {
	if a.IsNull(i) {
		return nil
	}
	switch x := a.(type) {
	case *array.Boolean:
		return x.Value(i)
	case *array.Int8:
		return int16(x.Value(i))
	case *array.Int16:
		return x.Value(i)
	case *array.Uint8:
		return int16(x.Value(i))
	case *array.Int32:
		return x.Value(i)
	case *array.Uint16:
		return int32(x.Value(i))
	case *array.Int64:
		return x.Value(i)
	case *array.Uint32:
		return int64(x.Value(i))
	case *array.Float32:
		return x.Value(i)
	case *array.Float64:
		return x.Value(i)
	case *array.String:
		return x.Value(i)
	case *array.LargeString:
		return x.Value(i)
	case *array.Binary:
		return x.Value(i)
	case *array.Decimal128:
		return pgtype.Numeric{Int: x.Value(i).BigInt(), Exp: -x.DataType().(*arrow.Decimal128Type).Scale, Valid: true}
	case *array.Date32:
		return x.Value(i).ToTime()
	case *array.Timestamp:
		return time.UnixMicro(microsOf(x.DataType().(*arrow.TimestampType).Unit)(int64(x.Value(i)))).UTC()
	}
	return a.ValueStr(i)
}
