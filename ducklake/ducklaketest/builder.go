// Package ducklaketest builds DuckLake catalogs for tests, the way a
// writer following the DuckLake specification would, in any database
// reachable through database/sql, and keeps a plain reference model of
// what a reader must return.
package ducklaketest

import (
	"context"
	"database/sql"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"
	"github.com/apache/arrow-go/v18/parquet"
	"github.com/apache/arrow-go/v18/parquet/pqarrow"

	"lakeframe/ducklake"
)

// TB is the part of testing.TB the builder uses, so that examples can
// build catalogs too.
type TB interface {
	Helper()
	Fatal(args ...any)
	Fatalf(format string, args ...any)
}

// DDL creates the catalog tables of DuckLake 1.0, written from the
// specification's table descriptions. Types are spelled so that DuckDB,
// SQLite and PostgreSQL all accept them.
var DDL = []string{
	`CREATE TABLE ducklake_metadata (key VARCHAR NOT NULL, value VARCHAR NOT NULL, scope VARCHAR, scope_id BIGINT)`,
	`CREATE TABLE ducklake_snapshot (snapshot_id BIGINT PRIMARY KEY, snapshot_time TIMESTAMPTZ, schema_version BIGINT, next_catalog_id BIGINT, next_file_id BIGINT)`,
	`CREATE TABLE ducklake_snapshot_changes (snapshot_id BIGINT PRIMARY KEY, changes_made VARCHAR, author VARCHAR, commit_message VARCHAR, commit_extra_info VARCHAR)`,
	`CREATE TABLE ducklake_schema (schema_id BIGINT PRIMARY KEY, schema_uuid UUID, begin_snapshot BIGINT, end_snapshot BIGINT, schema_name VARCHAR, path VARCHAR, path_is_relative BOOLEAN)`,
	`CREATE TABLE ducklake_table (table_id BIGINT, table_uuid UUID, begin_snapshot BIGINT, end_snapshot BIGINT, schema_id BIGINT, table_name VARCHAR, path VARCHAR, path_is_relative BOOLEAN)`,
	`CREATE TABLE ducklake_column (column_id BIGINT, begin_snapshot BIGINT, end_snapshot BIGINT, table_id BIGINT, column_order BIGINT, column_name VARCHAR, column_type VARCHAR, initial_default VARCHAR, default_value VARCHAR, nulls_allowed BOOLEAN, parent_column BIGINT, default_value_type VARCHAR, default_value_dialect VARCHAR)`,
	`CREATE TABLE ducklake_data_file (data_file_id BIGINT PRIMARY KEY, table_id BIGINT, begin_snapshot BIGINT, end_snapshot BIGINT, file_order BIGINT, path VARCHAR, path_is_relative BOOLEAN, file_format VARCHAR, record_count BIGINT, file_size_bytes BIGINT, footer_size BIGINT, row_id_start BIGINT, partition_id BIGINT, encryption_key VARCHAR, mapping_id BIGINT, partial_max BIGINT)`,
	`CREATE TABLE ducklake_delete_file (delete_file_id BIGINT PRIMARY KEY, table_id BIGINT, begin_snapshot BIGINT, end_snapshot BIGINT, data_file_id BIGINT, path VARCHAR, path_is_relative BOOLEAN, format VARCHAR, delete_count BIGINT, file_size_bytes BIGINT, footer_size BIGINT, encryption_key VARCHAR, partial_max BIGINT)`,
	`CREATE TABLE ducklake_file_column_stats (data_file_id BIGINT, table_id BIGINT, column_id BIGINT, column_size_bytes BIGINT, value_count BIGINT, null_count BIGINT, min_value VARCHAR, max_value VARCHAR, contains_nan BOOLEAN, extra_stats VARCHAR)`,
	`CREATE TABLE ducklake_table_stats (table_id BIGINT, record_count BIGINT, next_row_id BIGINT, file_size_bytes BIGINT)`,
	`CREATE TABLE ducklake_table_column_stats (table_id BIGINT, column_id BIGINT, contains_null BOOLEAN, contains_nan BOOLEAN, min_value VARCHAR, max_value VARCHAR, extra_stats VARCHAR)`,
	`CREATE TABLE ducklake_partition_info (partition_id BIGINT, table_id BIGINT, begin_snapshot BIGINT, end_snapshot BIGINT)`,
	`CREATE TABLE ducklake_partition_column (partition_id BIGINT, table_id BIGINT, partition_key_index BIGINT, column_id BIGINT, transform VARCHAR)`,
	`CREATE TABLE ducklake_file_partition_value (data_file_id BIGINT, table_id BIGINT, partition_key_index BIGINT, partition_value VARCHAR)`,
	`CREATE TABLE ducklake_files_scheduled_for_deletion (data_file_id BIGINT, path VARCHAR, path_is_relative BOOLEAN, schedule_start TIMESTAMPTZ)`,
	`CREATE TABLE ducklake_inlined_data_tables (table_id BIGINT, table_name VARCHAR, schema_version BIGINT)`,
	`CREATE TABLE ducklake_column_mapping (mapping_id BIGINT, table_id BIGINT, type VARCHAR)`,
	`CREATE TABLE ducklake_name_mapping (mapping_id BIGINT, column_id BIGINT, source_name VARCHAR, target_field_id BIGINT, parent_column BIGINT, is_partition BOOLEAN)`,
	`CREATE TABLE ducklake_schema_versions (begin_snapshot BIGINT, schema_version BIGINT, table_id BIGINT)`,
	`CREATE TABLE ducklake_view (view_id BIGINT, view_uuid UUID, begin_snapshot BIGINT, end_snapshot BIGINT, schema_id BIGINT, view_name VARCHAR, dialect VARCHAR, sql VARCHAR, column_aliases VARCHAR)`,
	`CREATE TABLE ducklake_tag (object_id BIGINT, begin_snapshot BIGINT, end_snapshot BIGINT, key VARCHAR, value VARCHAR)`,
	`CREATE TABLE ducklake_column_tag (table_id BIGINT, column_id BIGINT, begin_snapshot BIGINT, end_snapshot BIGINT, key VARCHAR, value VARCHAR)`,
}

// Builder writes a DuckLake catalog and its data files the way a writer
// following the specification would: Parquet files with field ids equal
// to column ids, delete files of (file_path, pos), catalog rows with
// begin/end snapshots.
type Builder struct {
	t        TB
	db       *sql.DB
	postgres bool
	dataDir  string // the data_path, ends with "/"
	nextFile int64
	// RowGroupRows is the row group size of the files the builder writes;
	// small by default so that files have several.
	RowGroupRows int64
}

// NewBuilder creates the catalog tables in db and records dataDir as the
// data path.
func NewBuilder(t TB, db *sql.DB, dialect ducklake.Dialect, dataDir string) *Builder {
	t.Helper()
	b := &Builder{t: t, db: db, postgres: dialect == ducklake.Postgres, dataDir: filepath.ToSlash(dataDir) + "/", RowGroupRows: 40}
	for _, q := range DDL {
		b.Exec(q)
	}
	b.Exec(`INSERT INTO ducklake_metadata (key, value) VALUES ('version', '1.0'), ('created_by', 'lakeframe test'), ('data_path', ?), ('encrypted', 'false')`, b.dataDir)
	return b
}

func (b *Builder) Exec(q string, args ...any) {
	b.t.Helper()
	if b.postgres {
		n := 0
		var sb strings.Builder
		for _, r := range q {
			if r == '?' {
				n++
				fmt.Fprintf(&sb, "$%d", n)
				continue
			}
			sb.WriteRune(r)
		}
		q = sb.String()
	}
	if _, err := b.db.ExecContext(context.Background(), q, args...); err != nil {
		b.t.Fatalf("%s: %v", q, err)
	}
}

// Snapshot records a snapshot at SnapshotTime(id).
func (b *Builder) Snapshot(id, schemaVersion int64, changes string) {
	b.t.Helper()
	ts := SnapshotTime(id).Format("2006-01-02 15:04:05-07")
	b.Exec(`INSERT INTO ducklake_snapshot VALUES (?, ?, ?, ?, ?)`, id, ts, schemaVersion, 100, b.nextFile)
	b.Exec(`INSERT INTO ducklake_snapshot_changes (snapshot_id, changes_made) VALUES (?, ?)`, id, changes)
}

// SnapshotTime is when the builder says snapshot id was taken: one minute
// apart from 2025-01-01 00:00 UTC.
func SnapshotTime(id int64) time.Time {
	return time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC).Add(time.Duration(id) * time.Minute)
}

// DataDir is the catalog's data path; it ends with "/".
func (b *Builder) DataDir() string { return b.dataDir }

// Partitioning adds a partitioning of a table from snap on: keys[i] is the
// transform and column id of partition key i.
func (b *Builder) Partitioning(id, table, snap int64, keys ...PartitionKey) {
	b.t.Helper()
	b.Exec(`INSERT INTO ducklake_partition_info VALUES (?, ?, ?, NULL)`, id, table, snap)
	for i, k := range keys {
		b.Exec(`INSERT INTO ducklake_partition_column VALUES (?, ?, ?, ?, ?)`, id, table, i, k.Column, k.Transform)
	}
}

// PartitionKey is one key of a partitioning.
type PartitionKey struct {
	Column    int64
	Transform string // identity, year, month, day, hour
}

// PartitionValues records a data file's partition values by key index.
func (b *Builder) PartitionValues(table, dataFile int64, values ...string) {
	b.t.Helper()
	for i, v := range values {
		b.Exec(`INSERT INTO ducklake_file_partition_value VALUES (?, ?, ?, ?)`, dataFile, table, i, v)
	}
}

func uuidText(n int64) string { return fmt.Sprintf("00000000-0000-0000-0000-%012d", n) }

// Schema adds a schema at snap with a path relative to the data path.
func (b *Builder) Schema(id, snap int64, name, path string) {
	b.t.Helper()
	b.Exec(`INSERT INTO ducklake_schema VALUES (?, ?, ?, NULL, ?, ?, true)`, id, uuidText(id), snap, name, path)
}

// Table adds a table at snap with a path relative to its schema's.
func (b *Builder) Table(id, schemaID, snap int64, name, path string) {
	b.t.Helper()
	b.Exec(`INSERT INTO ducklake_table VALUES (?, ?, ?, NULL, ?, ?, ?, true)`, id, uuidText(id), snap, schemaID, name, path)
}

// Column adds a column version; initialDefault "" means NULL.
func (b *Builder) Column(table, id, snap, order int64, name, typ, initialDefault string) {
	b.t.Helper()
	var def any
	if initialDefault != "" {
		def = initialDefault
	}
	b.Exec(`INSERT INTO ducklake_column (column_id, begin_snapshot, end_snapshot, table_id, column_order, column_name, column_type, initial_default, default_value, nulls_allowed, parent_column)
		VALUES (?, ?, NULL, ?, ?, ?, ?, ?, ?, true, NULL)`, id, snap, table, order, name, typ, def, def)
}

// EndColumn ends the live version of a column at snap.
func (b *Builder) EndColumn(table, id, snap int64) {
	b.t.Helper()
	b.Exec(`UPDATE ducklake_column SET end_snapshot = ? WHERE table_id = ? AND column_id = ? AND end_snapshot IS NULL`, snap, table, id)
}

// FileCol is one column of a data file: its field id and values.
type FileCol struct {
	ID   int64 // the Parquet field id; negative writes none
	Name string
	Type arrow.DataType
	Vals []any // bool, int32, int64, float64, string, arrow.Date32 or nil
}

// Stat is a statistics row to record for a column of a file.
type Stat struct {
	ID       int64
	Min, Max string
	Nulls    int64
}

// DataFile writes a Parquet file under the table directory and registers
// it. It returns the data file id.
func (b *Builder) DataFile(table, snap int64, tableDir string, cols []FileCol, stats []Stat, partitionID any) int64 {
	b.t.Helper()
	id := b.nextFile
	b.nextFile++
	name := fmt.Sprintf("data-%d.parquet", id)
	path := filepath.Join(b.dataDir, tableDir, name)
	size := writeParquet(b.t, path, cols, b.RowGroupRows)
	rows := len(cols[0].Vals)
	b.Exec(`INSERT INTO ducklake_data_file (data_file_id, table_id, begin_snapshot, end_snapshot, file_order, path, path_is_relative, file_format, record_count, file_size_bytes, footer_size, row_id_start, partition_id)
		VALUES (?, ?, ?, NULL, ?, ?, true, 'parquet', ?, ?, NULL, 0, ?)`, id, table, snap, id, name, rows, size, partitionID)
	for _, s := range stats {
		b.Exec(`INSERT INTO ducklake_file_column_stats (data_file_id, table_id, column_id, value_count, null_count, min_value, max_value, contains_nan)
			VALUES (?, ?, ?, ?, ?, ?, ?, NULL)`, id, table, s.ID, rows, s.Nulls, s.Min, s.Max)
	}
	return id
}

// DeleteFile writes a positional delete file for a data file and
// registers it at snap. It returns the delete file id.
func (b *Builder) DeleteFile(table, snap, dataFileID int64, tableDir string, positions []int64) int64 {
	b.t.Helper()
	id := b.nextFile
	b.nextFile++
	name := fmt.Sprintf("delete-%d.parquet", id)
	path := filepath.Join(b.dataDir, tableDir, name)
	target := fmt.Sprintf("%s%sdata-%d.parquet", b.dataDir, tableDir, dataFileID)
	paths := make([]any, len(positions))
	pos := make([]any, len(positions))
	for i, p := range positions {
		paths[i], pos[i] = target, p
	}
	size := writeParquet(b.t, path, []FileCol{
		{ID: -1, Name: "file_path", Type: arrow.BinaryTypes.String, Vals: paths},
		{ID: -1, Name: "pos", Type: arrow.PrimitiveTypes.Int64, Vals: pos},
	}, b.RowGroupRows)
	b.Exec(`INSERT INTO ducklake_delete_file (delete_file_id, table_id, begin_snapshot, end_snapshot, data_file_id, path, path_is_relative, format, delete_count, file_size_bytes, footer_size)
		VALUES (?, ?, ?, NULL, ?, ?, true, 'parquet', ?, ?, NULL)`, id, table, snap, dataFileID, name, len(positions), size)
	return id
}

// EndDeleteFile ends a delete file at snap (a newer one replaces it).
func (b *Builder) EndDeleteFile(id, snap int64) {
	b.t.Helper()
	b.Exec(`UPDATE ducklake_delete_file SET end_snapshot = ? WHERE delete_file_id = ?`, snap, id)
}

// WriteParquet writes columns to a Parquet file, with field ids for ids
// >= 0, in row groups of 40 rows, and returns its size.
func WriteParquet(t TB, path string, cols []FileCol) int64 {
	t.Helper()
	return writeParquet(t, path, cols, 40)
}

func writeParquet(t TB, path string, cols []FileCol, rowGroup int64) int64 {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	mem := memory.NewGoAllocator()
	fields := make([]arrow.Field, len(cols))
	arrs := make([]arrow.Array, len(cols))
	for i, c := range cols {
		fields[i] = arrow.Field{Name: c.Name, Type: c.Type, Nullable: true}
		if c.ID >= 0 {
			fields[i].Metadata = arrow.NewMetadata([]string{"PARQUET:field_id"}, []string{strconv.FormatInt(c.ID, 10)})
		}
		arrs[i] = buildArray(t, mem, c.Type, c.Vals)
		defer arrs[i].Release()
	}
	schema := arrow.NewSchema(fields, nil)
	rec := array.NewRecordBatch(schema, arrs, int64(len(cols[0].Vals)))
	defer rec.Release()
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	props := parquet.NewWriterProperties(parquet.WithMaxRowGroupLength(rowGroup), parquet.WithStats(true))
	w, err := pqarrow.NewFileWriter(schema, f, props, pqarrow.DefaultWriterProps())
	if err != nil {
		t.Fatal(err)
	}
	if err := w.Write(rec); err != nil {
		t.Fatal(err)
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	st, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	return st.Size()
}

func buildArray(t TB, mem memory.Allocator, typ arrow.DataType, vals []any) arrow.Array {
	t.Helper()
	b := array.NewBuilder(mem, typ)
	defer b.Release()
	for _, v := range vals {
		if v == nil {
			b.AppendNull()
			continue
		}
		switch x := b.(type) {
		case *array.Int32Builder:
			x.Append(v.(int32))
		case *array.Int64Builder:
			x.Append(v.(int64))
		case *array.Float64Builder:
			x.Append(v.(float64))
		case *array.StringBuilder:
			x.Append(v.(string))
		case *array.Date32Builder:
			x.Append(v.(arrow.Date32))
		case *array.BooleanBuilder:
			x.Append(v.(bool))
		default:
			t.Fatalf("buildArray: unsupported type %s", typ)
		}
	}
	return b.NewArray()
}
