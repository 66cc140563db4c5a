//go:build cgo

package frame_test

import (
	"context"
	"database/sql"
	"fmt"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// DuckDB as a DuckLake oracle that shares no code with lakeframe: the
// snapshot's files are listed from the catalog with the specification's
// own queries (plain SQL on the catalog database), and DuckDB reads the
// Parquet data files and removes the positions their delete files list.

// duckLakeFiles lists the data files of schema.table live at snap, each
// with its live delete file ("" when none), as local paths.
func duckLakeFiles(t *testing.T, catDB *sql.DB, dataPath, schema, table string, snap int64) (data, deletes []string) {
	t.Helper()
	live := fmt.Sprintf("begin_snapshot <= %d AND (end_snapshot IS NULL OR end_snapshot > %d)", snap, snap)
	var schemaID int64
	var schemaPath string
	if err := catDB.QueryRow("SELECT schema_id, path FROM ducklake_schema WHERE schema_name = '"+schema+"' AND "+live).Scan(&schemaID, &schemaPath); err != nil {
		t.Fatalf("oracle: schema %s at %d: %v", schema, snap, err)
	}
	var tableID int64
	var tablePath string
	if err := catDB.QueryRow(fmt.Sprintf("SELECT table_id, path FROM ducklake_table WHERE schema_id = %d AND table_name = '%s' AND ", schemaID, table)+live).Scan(&tableID, &tablePath); err != nil {
		t.Fatalf("oracle: table %s.%s at %d: %v", schema, table, snap, err)
	}
	dir := filepath.Join(dataPath, schemaPath, tablePath)
	rows, err := catDB.Query(fmt.Sprintf(`SELECT data.path, data.path_is_relative, del.path
		FROM ducklake_data_file AS data
		LEFT JOIN (SELECT * FROM ducklake_delete_file WHERE %s) AS del USING (data_file_id)
		WHERE data.table_id = %d AND data.begin_snapshot <= %d AND (data.end_snapshot IS NULL OR data.end_snapshot > %d)
		ORDER BY data.data_file_id`, live, tableID, snap, snap))
	if err != nil {
		t.Fatalf("oracle: list files: %v", err)
	}
	defer rows.Close()
	for rows.Next() {
		var p string
		var rel bool
		var del sql.NullString
		if err := rows.Scan(&p, &rel, &del); err != nil {
			t.Fatal(err)
		}
		if !rel {
			t.Fatalf("oracle: data file %s has an absolute path", p)
		}
		data = append(data, filepath.Join(dir, p))
		d := ""
		if del.Valid {
			d = filepath.Join(dir, del.String)
		}
		deletes = append(deletes, d)
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	return data, deletes
}

// duckLakeOracle returns the rows of schema.table at snap as DuckDB reads
// its files, rendered as sorted "a|b|..." lines of cols (NULL for null).
func duckLakeOracle(t *testing.T, catDB *sql.DB, dataPath, schema, table string, snap int64, cols []string) []string {
	t.Helper()
	ctx := context.Background()
	data, deletes := duckLakeFiles(t, catDB, dataPath, schema, table, snap)
	if len(data) == 0 {
		return nil
	}
	render := make([]string, len(cols))
	for i, c := range cols {
		render[i] = fmt.Sprintf(`coalesce(CAST("%s" AS VARCHAR), 'NULL')`, c)
	}
	line := strings.Join(render, " || '|' || ")
	var parts []string
	for i, f := range data {
		q := fmt.Sprintf("SELECT %s AS line FROM read_parquet(%s, file_row_number = true)", line, sqlString(f))
		if deletes[i] != "" {
			q += fmt.Sprintf(" WHERE file_row_number NOT IN (SELECT pos FROM read_parquet(%s))", sqlString(deletes[i]))
		}
		parts = append(parts, q)
	}
	conn := duckConn(ctx, t)
	rows, err := conn.QueryContext(ctx, strings.Join(parts, " UNION ALL "))
	if err != nil {
		t.Fatalf("oracle: duckdb: %v", err)
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var s string
		if err := rows.Scan(&s); err != nil {
			t.Fatal(err)
		}
		out = append(out, s)
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	slices.Sort(out)
	return out
}
