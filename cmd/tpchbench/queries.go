//go:build cgo

package main

import (
	"fmt"
	"strings"

	"lakeframe/examples/tpch/queries"
)

// allQueryNames is the default of -queries: q1 to q22.
func allQueryNames() string {
	var names []string
	for _, q := range queries.All() {
		names = append(names, q.Name)
	}
	return strings.Join(names, ",")
}

// findQuery looks a query up by name (q1 to q22). Each query is written
// twice in lakeframe/examples/tpch/queries: with the DataFrame API and as
// the specification's SQL, for DuckDB.
func findQuery(name string) (queries.Query, error) {
	for _, q := range queries.All() {
		if q.Name == name {
			return q, nil
		}
	}
	return queries.Query{}, fmt.Errorf("unknown query %q (want q1 to q22)", name)
}
