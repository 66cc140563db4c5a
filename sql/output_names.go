//go:build cgo

package sql

import (
	"fmt"

	"lakeframe/expr"
)

// outputColumns renames a query's plan columns to their SQL names. A frame
// needs unique column names where SQL allows repeats (SELECT a, a): a
// repeated name gets a suffix, a_2, a_3, ...
func outputColumns(cols []column) []any {
	seen := map[string]int{}
	out := make([]any, len(cols))
	for i, c := range cols {
		name := c.name
		seen[name]++
		for seen[name] > 1 {
			name = fmt.Sprintf("%s_%d", c.name, seen[c.name])
			if seen[name] == 0 {
				seen[name] = 1
				break
			}
			seen[c.name]++
		}
		out[i] = expr.Col(c.id).Alias(name)
	}
	return out
}
