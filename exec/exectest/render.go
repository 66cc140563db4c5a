package exectest

import (
	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
)

// Render returns the values of arr as strings, "NULL" for nulls, so that
// expected values read as plain text. Binary values render as their bytes.
func Render(arr arrow.Array) []string {
	out := make([]string, arr.Len())
	for i := range out {
		if arr.IsNull(i) {
			out[i] = "NULL"
			continue
		}
		switch a := arr.(type) {
		case *array.Binary:
			out[i] = string(a.Value(i))
		case *array.FixedSizeBinary:
			out[i] = string(a.Value(i))
		default:
			out[i] = arr.ValueStr(i)
		}
	}
	return out
}
