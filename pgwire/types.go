package pgwire

import (
	"fmt"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/jackc/pgx/v5/pgtype"
)

// pgType is how one Arrow type appears on the wire.
type pgType struct {
	oid    uint32
	size   int16 // pg_type.typlen: -1 for variable length
	typmod int32 // -1 when the type has none
}

// typeOf maps an Arrow type to the PostgreSQL type a client sees. Types
// without a closer match are sent as text.
func typeOf(t arrow.DataType) pgType {
	switch x := t.(type) {
	case *arrow.BooleanType:
		return pgType{pgtype.BoolOID, 1, -1}
	case *arrow.Int8Type, *arrow.Int16Type, *arrow.Uint8Type:
		return pgType{pgtype.Int2OID, 2, -1}
	case *arrow.Int32Type, *arrow.Uint16Type:
		return pgType{pgtype.Int4OID, 4, -1}
	case *arrow.Int64Type, *arrow.Uint32Type:
		return pgType{pgtype.Int8OID, 8, -1}
	case *arrow.Uint64Type:
		return pgType{pgtype.NumericOID, -1, -1}
	case *arrow.Float16Type, *arrow.Float32Type:
		return pgType{pgtype.Float4OID, 4, -1}
	case *arrow.Float64Type:
		return pgType{pgtype.Float8OID, 8, -1}
	case *arrow.Decimal128Type:
		return pgType{pgtype.NumericOID, -1, numericTypmod(x.Precision, x.Scale)}
	case *arrow.Decimal256Type:
		return pgType{pgtype.NumericOID, -1, numericTypmod(x.Precision, x.Scale)}
	case *arrow.StringType, *arrow.LargeStringType, *arrow.StringViewType:
		return pgType{pgtype.TextOID, -1, -1}
	case *arrow.BinaryType, *arrow.LargeBinaryType, *arrow.BinaryViewType, *arrow.FixedSizeBinaryType:
		return pgType{pgtype.ByteaOID, -1, -1}
	case *arrow.Date32Type, *arrow.Date64Type:
		return pgType{pgtype.DateOID, 4, -1}
	case *arrow.TimestampType:
		if x.TimeZone != "" {
			return pgType{pgtype.TimestamptzOID, 8, -1}
		}
		return pgType{pgtype.TimestampOID, 8, -1}
	case *arrow.Time32Type, *arrow.Time64Type:
		return pgType{pgtype.TimeOID, 8, -1}
	case *arrow.ListType:
		if elem, ok := arrayOIDs[typeOf(x.Elem()).oid]; ok {
			return pgType{elem, -1, -1}
		}
	case *arrow.LargeListType:
		if elem, ok := arrayOIDs[typeOf(x.Elem()).oid]; ok {
			return pgType{elem, -1, -1}
		}
	}
	return pgType{pgtype.TextOID, -1, -1}
}

// arrayOIDs maps an element type's OID to its array type's.
var arrayOIDs = map[uint32]uint32{
	pgtype.BoolOID:        pgtype.BoolArrayOID,
	pgtype.Int2OID:        pgtype.Int2ArrayOID,
	pgtype.Int4OID:        pgtype.Int4ArrayOID,
	pgtype.Int8OID:        pgtype.Int8ArrayOID,
	pgtype.Float4OID:      pgtype.Float4ArrayOID,
	pgtype.Float8OID:      pgtype.Float8ArrayOID,
	pgtype.NumericOID:     pgtype.NumericArrayOID,
	pgtype.TextOID:        pgtype.TextArrayOID,
	pgtype.ByteaOID:       pgtype.ByteaArrayOID,
	pgtype.DateOID:        pgtype.DateArrayOID,
	pgtype.TimestampOID:   pgtype.TimestampArrayOID,
	pgtype.TimestamptzOID: pgtype.TimestamptzArrayOID,
}

// numericTypmod is numeric(p, s)'s type modifier.
func numericTypmod(precision, scale int32) int32 { return (precision<<16 | scale) + 4 }

// TypeName is the SQL name of the PostgreSQL type an Arrow type is sent
// as, for catalogs that describe columns (information_schema, \d).
func TypeName(t arrow.DataType) string {
	pt := typeOf(t)
	if dt, ok := pgtype.NewMap().TypeForOID(pt.oid); ok {
		if pt.oid == pgtype.NumericOID && pt.typmod > 0 {
			return fmt.Sprintf("numeric(%d,%d)", (pt.typmod-4)>>16, (pt.typmod-4)&0xffff)
		}
		return dt.Name
	}
	return "text"
}

// TypeOID is the OID of the PostgreSQL type an Arrow type is sent as.
func TypeOID(t arrow.DataType) uint32 { return typeOf(t).oid }
