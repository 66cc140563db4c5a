package postgres

import (
	"fmt"

	"github.com/apache/arrow-go/v18/arrow"
)

// PostgreSQL type OIDs the source decodes from the binary format. They
// are fixed in pg_type.dat and the same on every server.
const (
	oidBool        = 16
	oidBytea       = 17
	oidName        = 19
	oidInt8        = 20
	oidInt2        = 21
	oidInt4        = 23
	oidText        = 25
	oidJSON        = 114
	oidFloat4      = 700
	oidFloat8      = 701
	oidBpchar      = 1042
	oidVarchar     = 1043
	oidDate        = 1082
	oidTimestamp   = 1114
	oidTimestamptz = 1184
	oidNumeric     = 1700
	oidUUID        = 2950
	oidJSONB       = 3802
)

// arrayElems maps the OID of each one-dimensional array type the source
// decodes to the OID of its elements.
var arrayElems = map[uint32]uint32{
	1000: oidBool, 1001: oidBytea, 1003: oidName, 1016: oidInt8, 1005: oidInt2,
	1007: oidInt4, 1009: oidText, 199: oidJSON, 1021: oidFloat4, 1022: oidFloat8,
	1014: oidBpchar, 1015: oidVarchar, 1182: oidDate, 1115: oidTimestamp,
	1185: oidTimestamptz, 1231: oidNumeric, 2951: oidUUID, 3807: oidJSONB,
}

// Unconstrained numeric columns (numeric without a precision) become
// decimal128 with this precision and scale: 28 digits before the point
// and 10 after. A value that does not fit fails the read, naming the
// column, rather than being rounded; a query casting to numeric(p,s)
// picks another shape.
const (
	unconstrainedPrecision = 38
	unconstrainedScale     = 10
)

// kind says how one column's values are decoded.
type kind uint8

const (
	kindText kind = iota // text, varchar, name, json, and any type sent as text
	kindBpchar
	kindBool
	kindInt2
	kindInt4
	kindInt8
	kindFloat4
	kindFloat8
	kindNumeric
	kindDate
	kindTimestamp
	kindTimestamptz
	kindBytea
	kindUUID
	kindJSONB
	kindArray
)

// column is one output column: its PostgreSQL type and the Arrow type
// it becomes.
type column struct {
	Name   string `json:"name"`
	OID    uint32 `json:"oid"`
	Typmod int32  `json:"typmod"`
	// Text is set when the column travels in the text format: its type
	// has no binary decoder here and the column is read as a string.
	Text bool `json:"text,omitempty"`
}

// binaryKind returns how values of a scalar type are decoded, and false
// for types read as text.
func binaryKind(oid uint32) (kind, bool) {
	switch oid {
	case oidBool:
		return kindBool, true
	case oidInt2:
		return kindInt2, true
	case oidInt4:
		return kindInt4, true
	case oidInt8:
		return kindInt8, true
	case oidFloat4:
		return kindFloat4, true
	case oidFloat8:
		return kindFloat8, true
	case oidNumeric:
		return kindNumeric, true
	case oidDate:
		return kindDate, true
	case oidTimestamp:
		return kindTimestamp, true
	case oidTimestamptz:
		return kindTimestamptz, true
	case oidBytea:
		return kindBytea, true
	case oidUUID:
		return kindUUID, true
	case oidJSONB:
		return kindJSONB, true
	case oidBpchar:
		return kindBpchar, true
	case oidText, oidVarchar, oidName, oidJSON:
		return kindText, true
	}
	return 0, false
}

// newColumn describes a result column of the given type. Types the
// source cannot decode in binary are read in text and become strings.
func newColumn(name string, oid uint32, typmod int32) column {
	c := column{Name: name, OID: oid, Typmod: typmod}
	if _, ok := binaryKind(oid); ok {
		return c
	}
	if _, ok := arrayElems[oid]; ok {
		return c
	}
	c.Text = true
	return c
}

// kind is how the column is decoded.
func (c *column) kind() kind {
	if c.Text {
		return kindText
	}
	if k, ok := binaryKind(c.OID); ok {
		return k
	}
	return kindArray
}

// arrowType is the Arrow type of the column.
func (c *column) arrowType() (arrow.DataType, error) {
	if c.Text {
		return arrow.BinaryTypes.String, nil
	}
	if elem, ok := arrayElems[c.OID]; ok {
		// Element typmods are the array's (numeric(10,2)[] keeps its scale).
		e := column{Name: c.Name, OID: elem, Typmod: c.Typmod}
		et, err := e.arrowType()
		if err != nil {
			return nil, err
		}
		return arrow.ListOf(et), nil
	}
	switch c.kind() {
	case kindBool:
		return arrow.FixedWidthTypes.Boolean, nil
	case kindInt2:
		return arrow.PrimitiveTypes.Int16, nil
	case kindInt4:
		return arrow.PrimitiveTypes.Int32, nil
	case kindInt8:
		return arrow.PrimitiveTypes.Int64, nil
	case kindFloat4:
		return arrow.PrimitiveTypes.Float32, nil
	case kindFloat8:
		return arrow.PrimitiveTypes.Float64, nil
	case kindNumeric:
		p, s := c.numericShape()
		if p > 38 {
			return nil, fmt.Errorf("column %s: numeric(%d,%d) has more than 38 digits, the most a decimal128 holds; cast it in a query (to text or a smaller numeric)", c.Name, p, s)
		}
		return &arrow.Decimal128Type{Precision: p, Scale: s}, nil
	case kindDate:
		return arrow.FixedWidthTypes.Date32, nil
	case kindTimestamp:
		return &arrow.TimestampType{Unit: arrow.Microsecond}, nil
	case kindTimestamptz:
		return &arrow.TimestampType{Unit: arrow.Microsecond, TimeZone: "UTC"}, nil
	case kindBytea:
		return arrow.BinaryTypes.Binary, nil
	}
	// text, varchar, char(n), name, json, jsonb, uuid.
	return arrow.BinaryTypes.String, nil
}

// numericShape is the precision and scale of a numeric column: from its
// typmod, or the documented default when it has none. A negative scale
// (numeric(3,-2), PostgreSQL 15) keeps whole numbers, so its values are
// read with scale 0 and as many more digits.
func (c *column) numericShape() (precision, scale int32) {
	if c.Typmod < 4 {
		return unconstrainedPrecision, unconstrainedScale
	}
	m := c.Typmod - 4
	precision = (m >> 16) & 0xffff
	scale = ((m & 0x7ff) ^ 1024) - 1024
	if scale < 0 {
		return precision - scale, 0
	}
	return precision, scale
}
