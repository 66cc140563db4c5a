package exectest

import (
	"bytes"
	"math"
	"slices"
)

// Same reports whether two test values are identical, floats bit for bit.
func Same(a, b any) bool {
	switch a := a.(type) {
	case nil:
		return b == nil
	case float32:
		b, ok := b.(float32)
		return ok && math.Float32bits(a) == math.Float32bits(b)
	case float64:
		b, ok := b.(float64)
		return ok && math.Float64bits(a) == math.Float64bits(b)
	case []byte:
		b, ok := b.([]byte)
		return ok && bytes.Equal(a, b)
	case []int64:
		b, ok := b.([]int64)
		return ok && slices.Equal(a, b)
	case []any:
		b, ok := b.([]any)
		return ok && slices.EqualFunc(a, b, Same)
	}
	return a == b
}
