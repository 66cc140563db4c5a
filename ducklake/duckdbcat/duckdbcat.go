//go:build cgo

// Package duckdbcat opens DuckLake catalogs kept in a DuckDB database file
// (the ".ducklake" file DuckDB's ducklake extension writes), through
// DuckDB's Go driver. It needs cgo; package ducklake itself does not.
package duckdbcat

import (
	"context"
	"database/sql"
	"fmt"
	"path/filepath"
	"strings"

	// duckdb registers the "duckdb" database/sql driver.
	_ "github.com/duckdb/duckdb-go/v2"

	"lakeframe/ducklake"
)

// Open opens the catalog in a DuckDB file, read-only so that other
// readers may open it too. A relative data_path is resolved against the
// file's directory unless opts says otherwise.
func Open(ctx context.Context, path string, opts ducklake.Options) (*ducklake.Catalog, error) {
	dsn := strings.TrimPrefix(path, "ducklake:")
	db, err := sql.Open("duckdb", dsn+"?access_mode=read_only")
	if err != nil {
		return nil, fmt.Errorf("open ducklake catalog %s: %w", path, err)
	}
	if opts.CatalogDir == "" {
		opts.CatalogDir = filepath.Dir(dsn)
	}
	opts.CloseDB = true
	return ducklake.Open(ctx, db, ducklake.DuckDB, opts)
}
