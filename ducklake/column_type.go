package ducklake

import (
	"fmt"
	"strconv"

	"github.com/apache/arrow-go/v18/arrow"

	"lakeframe/errs"
)

// newColumn is a new table's column for an Arrow field, with column ids
// handed out from next in pre-order (a nested column before its
// children, as DuckDB numbers them). Struct fields keep their names;
// list and map children are called element, key and value.
func newColumn(name string, t arrow.DataType, next *int64) (Column, error) {
	c := Column{ID: *next, Name: name, Nullable: true}
	*next++
	var kids []arrow.Field
	switch tt := t.(type) {
	case *arrow.StructType:
		c.Type, kids = "struct", tt.Fields()
		if len(kids) == 0 {
			return Column{}, fmt.Errorf("%w: column %s is a struct without fields", errs.ErrPlan, name)
		}
	case *arrow.ListType:
		c.Type, kids = "list", []arrow.Field{{Name: "element", Type: tt.Elem()}}
	case *arrow.LargeListType:
		c.Type, kids = "list", []arrow.Field{{Name: "element", Type: tt.Elem()}}
	case *arrow.MapType:
		c.Type, kids = "map", []arrow.Field{{Name: "key", Type: tt.KeyType()}, {Name: "value", Type: tt.ItemType()}}
	default:
		typ, err := columnType(name, t)
		if err != nil {
			return Column{}, err
		}
		c.Type = typ
		return c, nil
	}
	for _, k := range kids {
		child, err := newColumn(k.Name, k.Type, next)
		if err != nil {
			return Column{}, fmt.Errorf("column %s: %w", name, err)
		}
		c.Children = append(c.Children, child)
	}
	return c, nil
}

// fieldWithIDs is the Arrow field of a column with Parquet field ids on
// it and on every nested field, so that readers find each by its id.
func fieldWithIDs(c *Column) (arrow.Field, error) {
	f, err := arrowField(c)
	if err != nil {
		return arrow.Field{}, err
	}
	if len(c.Children) > 0 {
		kids := make([]arrow.Field, len(c.Children))
		for i := range c.Children {
			if kids[i], err = fieldWithIDs(&c.Children[i]); err != nil {
				return arrow.Field{}, err
			}
		}
		switch c.Type {
		case "struct":
			f.Type = arrow.StructOf(kids...)
		case "list":
			f.Type = arrow.ListOfField(kids[0])
		case "map":
			f.Type = arrow.MapOfWithMetadata(kids[0].Type, kids[0].Metadata, kids[1].Type, kids[1].Metadata)
		}
	}
	f.Metadata = arrow.NewMetadata([]string{"PARQUET:field_id"}, []string{strconv.FormatInt(c.ID, 10)})
	return f, nil
}

// columnType is the DuckLake type name a new table's column gets for a
// primitive Arrow type; arrowType maps it back to the same Arrow type
// (large strings and binaries become their 32-bit offset forms).
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
