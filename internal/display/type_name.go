package display

import (
	"strconv"
	"strings"

	"github.com/apache/arrow-go/v18/arrow"
)

// typeName is the short name of a column type shown under the column
// name: Arrow's names, but "string" rather than "utf8" and nested types
// without their child field names and nullability, which rarely matter
// when reading a result.
func typeName(dt arrow.DataType) string {
	var sb strings.Builder
	writeTypeName(&sb, dt)
	return sb.String()
}

func writeTypeName(sb *strings.Builder, dt arrow.DataType) {
	switch t := dt.(type) {
	case *arrow.StringType:
		sb.WriteString("string")
	case *arrow.LargeStringType:
		sb.WriteString("large_string")
	case *arrow.StringViewType:
		sb.WriteString("string_view")
	case *arrow.BooleanType:
		sb.WriteString("bool")
	case *arrow.MapType:
		sb.WriteString("map<")
		writeTypeName(sb, t.KeyType())
		sb.WriteString(", ")
		writeTypeName(sb, t.ItemType())
		sb.WriteString(">")
	case *arrow.ListType:
		writeWrapped(sb, "list<", t.Elem(), ">")
	case *arrow.LargeListType:
		writeWrapped(sb, "large_list<", t.Elem(), ">")
	case *arrow.ListViewType:
		writeWrapped(sb, "list_view<", t.Elem(), ">")
	case *arrow.LargeListViewType:
		writeWrapped(sb, "large_list_view<", t.Elem(), ">")
	case *arrow.FixedSizeListType:
		writeWrapped(sb, "fixed_size_list<", t.Elem(), ">")
		sb.WriteString("[")
		sb.WriteString(strconv.Itoa(int(t.Len())))
		sb.WriteString("]")
	case *arrow.StructType:
		sb.WriteString("struct<")
		for i, f := range t.Fields() {
			if i > 0 {
				sb.WriteString(", ")
			}
			sb.WriteString(f.Name)
			sb.WriteString(": ")
			writeTypeName(sb, f.Type)
		}
		sb.WriteString(">")
	case *arrow.DictionaryType:
		writeWrapped(sb, "dictionary<", t.ValueType, ">")
	case *arrow.RunEndEncodedType:
		writeWrapped(sb, "run_end_encoded<", t.Encoded(), ">")
	default:
		// Arrow's own names are already short: int64, float64,
		// decimal(15, 2), date32, timestamp[us, tz=UTC], binary.
		sb.WriteString(dt.String())
	}
}

func writeWrapped(sb *strings.Builder, open string, inner arrow.DataType, closing string) {
	sb.WriteString(open)
	writeTypeName(sb, inner)
	sb.WriteString(closing)
}
