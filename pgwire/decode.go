package pgwire

import (
	"fmt"

	"github.com/jackc/pgx/v5/pgtype"
)

// decodeParam turns a Bind parameter into a Go value by its type: nil for
// NULL, a string for text and for parameters whose type is left open,
// otherwise what pgx decodes the type to (int16/32/64, float32/64, bool,
// string, []byte, time.Time, pgtype.Numeric, slices for arrays).
func decodeParam(types *pgtype.Map, oid uint32, format int16, data []byte) (any, error) {
	if data == nil {
		return nil, nil
	}
	if oid == 0 || oid == pgtype.TextOID || oid == pgtype.VarcharOID || oid == pgtype.UnknownOID {
		if format == binaryFormat && oid == 0 {
			return nil, fmt.Errorf("a binary parameter needs a declared type")
		}
		return string(data), nil
	}
	t, ok := types.TypeForOID(oid)
	if !ok {
		if format == textFormat {
			return string(data), nil
		}
		return nil, fmt.Errorf("binary parameter of unknown type OID %d", oid)
	}
	v, err := t.Codec.DecodeValue(types, oid, format, data)
	if err != nil && oid == pgtype.DateOID && format == textFormat && len(data) > 10 {
		// PostgreSQL's date input ignores a time of day after the date, and
		// clients send one (pgx spells a time.Time so).
		v, err = t.Codec.DecodeValue(types, oid, format, data[:10])
	}
	if err != nil {
		return nil, fmt.Errorf("parameter of type %s: %w", t.Name, err)
	}
	return v, nil
}
