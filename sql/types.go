//go:build cgo

package sql

import (
	"strings"

	"github.com/apache/arrow-go/v18/arrow"
	pg "github.com/pganalyze/pg_query_go/v6"
)

// arrowType maps a PostgreSQL type name to the Arrow type lakeframe stores
// it as. numeric without a precision becomes float64: Arrow decimals need
// one, and PostgreSQL's unbounded numeric has no Arrow equivalent.
func arrowType(text string, tn *pg.TypeName) (arrow.DataType, error) {
	if tn == nil || len(tn.Names) == 0 {
		return nil, newError(text, -1, CodeSyntaxError, "missing type name")
	}
	if len(tn.ArrayBounds) > 0 {
		return nil, notSupported(text, tn.Location, "array types")
	}
	name := strings.ToLower(tn.Names[len(tn.Names)-1].GetString_().GetSval())
	switch name {
	case "int2", "smallint":
		return arrow.PrimitiveTypes.Int16, nil
	case "int4", "int", "integer":
		return arrow.PrimitiveTypes.Int32, nil
	case "int8", "bigint":
		return arrow.PrimitiveTypes.Int64, nil
	case "float4", "real":
		return arrow.PrimitiveTypes.Float32, nil
	case "float8", "double", "float":
		return arrow.PrimitiveTypes.Float64, nil
	case "numeric", "decimal":
		if len(tn.Typmods) == 0 {
			return arrow.PrimitiveTypes.Float64, nil
		}
		p := tn.Typmods[0].GetAConst().GetIval().GetIval()
		s := int32(0)
		if len(tn.Typmods) > 1 {
			s = tn.Typmods[1].GetAConst().GetIval().GetIval()
		}
		if p < 1 || p > 38 || s < 0 || s > p {
			return nil, newError(text, tn.Location, CodeInvalidParameter, "numeric(%d,%d) is out of range (precision 1 to 38, scale 0 to precision)", p, s)
		}
		return &arrow.Decimal128Type{Precision: p, Scale: s}, nil
	case "text", "varchar", "bpchar", "char", "character", "name":
		return arrow.BinaryTypes.String, nil
	case "bool", "boolean":
		return arrow.FixedWidthTypes.Boolean, nil
	case "date":
		return arrow.FixedWidthTypes.Date32, nil
	case "timestamp":
		return &arrow.TimestampType{Unit: arrow.Microsecond}, nil
	case "timestamptz":
		return &arrow.TimestampType{Unit: arrow.Microsecond, TimeZone: "UTC"}, nil
	case "bytea":
		return arrow.BinaryTypes.Binary, nil
	}
	return nil, newError(text, tn.Location, "42704", "type %q does not exist or is not supported", name)
}
