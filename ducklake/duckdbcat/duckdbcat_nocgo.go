//go:build !cgo

// Package duckdbcat opens DuckLake catalogs kept in a DuckDB database file,
// through DuckDB's Go driver, which needs cgo. This build has no cgo.
package duckdbcat

import (
	"context"
	"fmt"

	"lakeframe/ducklake"
	"lakeframe/errs"
)

// Open fails: reading a DuckDB file needs a build with cgo.
func Open(ctx context.Context, path string, opts ducklake.Options) (*ducklake.Catalog, error) {
	return nil, fmt.Errorf("%w: opening the DuckDB catalog %s needs a build with cgo", errs.ErrNotImplemented, path)
}
