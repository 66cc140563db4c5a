package ducklake

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/apache/arrow-go/v18/arrow"

	"lakeframe/errs"
)

// arrowSchema is the Arrow schema of a table's columns.
func arrowSchema(cols []Column) (*arrow.Schema, error) {
	fields := make([]arrow.Field, len(cols))
	for i := range cols {
		f, err := arrowField(&cols[i])
		if err != nil {
			return nil, err
		}
		fields[i] = f
	}
	return arrow.NewSchema(fields, nil), nil
}

func arrowField(c *Column) (arrow.Field, error) {
	t, err := arrowType(c)
	if err != nil {
		return arrow.Field{}, err
	}
	return arrow.Field{Name: c.Name, Type: t, Nullable: true}, nil
}

// arrowType maps a DuckLake column type to the Arrow type lakeframe reads
// it as. Nested types take their children from the column tree; list and
// map children use the names Parquet readers give them.
func arrowType(c *Column) (arrow.DataType, error) {
	t := c.Type
	switch t {
	case "boolean":
		return arrow.FixedWidthTypes.Boolean, nil
	case "int8":
		return arrow.PrimitiveTypes.Int8, nil
	case "int16":
		return arrow.PrimitiveTypes.Int16, nil
	case "int32":
		return arrow.PrimitiveTypes.Int32, nil
	case "int64":
		return arrow.PrimitiveTypes.Int64, nil
	case "uint8":
		return arrow.PrimitiveTypes.Uint8, nil
	case "uint16":
		return arrow.PrimitiveTypes.Uint16, nil
	case "uint32":
		return arrow.PrimitiveTypes.Uint32, nil
	case "uint64":
		return arrow.PrimitiveTypes.Uint64, nil
	case "float32":
		return arrow.PrimitiveTypes.Float32, nil
	case "float64":
		return arrow.PrimitiveTypes.Float64, nil
	case "date":
		return arrow.FixedWidthTypes.Date32, nil
	case "time":
		return arrow.FixedWidthTypes.Time64us, nil
	case "timestamp", "timestamp_us":
		return &arrow.TimestampType{Unit: arrow.Microsecond}, nil
	case "timestamp_ms":
		return &arrow.TimestampType{Unit: arrow.Millisecond}, nil
	case "timestamp_ns":
		return &arrow.TimestampType{Unit: arrow.Nanosecond}, nil
	case "timestamp_s":
		return &arrow.TimestampType{Unit: arrow.Second}, nil
	case "timestamptz":
		return &arrow.TimestampType{Unit: arrow.Microsecond, TimeZone: "UTC"}, nil
	case "varchar", "json":
		return arrow.BinaryTypes.String, nil
	case "blob":
		return arrow.BinaryTypes.Binary, nil
	case "uuid":
		return &arrow.FixedSizeBinaryType{ByteWidth: 16}, nil
	case "struct":
		if len(c.Children) == 0 {
			return nil, typeError(c, "a struct without fields")
		}
		fields := make([]arrow.Field, len(c.Children))
		for i := range c.Children {
			f, err := arrowField(&c.Children[i])
			if err != nil {
				return nil, err
			}
			fields[i] = f
		}
		return arrow.StructOf(fields...), nil
	case "list":
		if len(c.Children) != 1 {
			return nil, typeError(c, fmt.Sprintf("a list with %d children", len(c.Children)))
		}
		elem, err := arrowType(&c.Children[0])
		if err != nil {
			return nil, err
		}
		return arrow.ListOfField(arrow.Field{Name: "element", Type: elem, Nullable: true}), nil
	case "map":
		if len(c.Children) != 2 {
			return nil, typeError(c, fmt.Sprintf("a map with %d children", len(c.Children)))
		}
		k, err := arrowType(&c.Children[0])
		if err != nil {
			return nil, err
		}
		v, err := arrowType(&c.Children[1])
		if err != nil {
			return nil, err
		}
		return arrow.MapOf(k, v), nil
	}
	if strings.HasPrefix(t, "decimal(") && strings.HasSuffix(t, ")") {
		p, s, ok := strings.Cut(t[len("decimal("):len(t)-1], ",")
		prec, err1 := strconv.Atoi(strings.TrimSpace(p))
		scale, err2 := strconv.Atoi(strings.TrimSpace(s))
		if !ok || err1 != nil || err2 != nil || prec < 1 || prec > 38 || scale < 0 || scale > prec {
			return nil, typeError(c, "a malformed or too wide decimal")
		}
		return &arrow.Decimal128Type{Precision: int32(prec), Scale: int32(scale)}, nil
	}
	return nil, typeError(c, "a type lakeframe does not read")
}

func typeError(c *Column, what string) error {
	return fmt.Errorf("%w: ducklake column %s has type %q, %s", errs.ErrNotImplemented, c.Name, c.Type, what)
}
