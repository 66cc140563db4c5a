package ducklaketest

import (
	"database/sql"

	"lakeframe/ducklake"
)

// NewEmpty creates the catalog tables in db with snapshot 0 and schema
// main and no tables, as DuckDB's ducklake extension starts a catalog,
// and returns the builder for more.
func NewEmpty(t TB, db *sql.DB, dialect ducklake.Dialect, dataDir string) *Builder {
	t.Helper()
	b := NewBuilder(t, db, dialect, dataDir)
	b.Snapshot(0, 0, `created_schema:"main"`)
	b.Schema(0, 0, "main", "main/")
	return b
}
