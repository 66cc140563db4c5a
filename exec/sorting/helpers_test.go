package sorting

import (
	"testing"

	"lakeframe/exec/exectest"
)

// refLess orders rows given as key values by order.
func refLess(t testing.TB, a, b []any, order []Key) bool {
	for j, k := range order {
		x, y := a[j], b[j]
		if x == nil || y == nil {
			if x == nil && y == nil {
				continue
			}
			return (x == nil) == k.NullsFirst
		}
		c := exectest.Compare(t, x, y)
		if k.Desc {
			c = -c
		}
		if c != 0 {
			return c < 0
		}
	}
	return false
}
