package eval

import (
	"fmt"
	"strconv"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/bitutil"
)

// parseRows calls parse with the text of each valid row of a string or
// large string array, and returns the first text parse rejects, quoted,
// or "".
func parseRows(arr arrow.Array, parse func(i int, s string) bool) (string, error) {
	switch a := arr.(type) {
	case *array.String:
		return parseEach(a.ValueOffsets(), stringData(a), arr, parse), nil
	case *array.LargeString:
		return parseEach(a.ValueOffsets(), stringData(a), arr, parse), nil
	}
	return "", fmt.Errorf("parse text of type %s", arr.DataType())
}

func parseEach[O int32 | int64](offsets []O, data []byte, arr arrow.Array, parse func(int, string) bool) string {
	var valid []byte
	if arr.NullN() > 0 {
		valid = arr.NullBitmapBytes()
	}
	off := arr.Data().Offset()
	for i := range arr.Len() {
		if valid != nil && !bitutil.BitIsSet(valid, off+i) {
			continue
		}
		if s := stringAt(offsets, data, i); !parse(i, s) {
			return strconv.Quote(s)
		}
	}
	return ""
}
