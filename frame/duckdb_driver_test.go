//go:build cgo

package frame_test

// DuckDB, the oracle of many tests here, needs cgo; without it openDuck
// skips those tests.
import _ "github.com/duckdb/duckdb-go/v2"
