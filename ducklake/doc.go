// Package ducklake reads DuckLake tables into lakeframe, natively: the
// catalog tables (ducklake_snapshot, ducklake_table, ducklake_column,
// ducklake_data_file, ducklake_delete_file, ducklake_file_column_stats, ...)
// are read with plain SQL from whatever database holds them, and the data
// files with lakeframe's Parquet reading; no DuckDB extension is involved.
//
// A Catalog is opened from a SQLite file (OpenSQLite), a PostgreSQL
// database (OpenPostgres), a DuckDB file (package ducklake/duckdbcat, which
// needs cgo) or any *sql.DB (Open). Catalog versions 0.2 to 1.0 of the
// DuckLake specification are read; others fail with errs.ErrNotImplemented.
//
// A Source reads one table at one snapshot: the latest when it is built,
// or the one AtSnapshot or AsOf name (time travel). Its schema is the
// table's columns at that snapshot, resolved when the Source is built;
// the data files are listed only when the optimizer plans the scan.
//
// Reading follows the specification:
//   - a file belongs to the snapshot when begin_snapshot <= s and
//     end_snapshot is NULL or > s, and so does its delete file (at most one
//     per data file and snapshot, holding every deleted position);
//   - relative paths are joined as data_path + schema path + table path +
//     file path, each part relative to the one before unless its
//     path_is_relative flag says otherwise; Options.DataPath replaces the
//     catalog's data_path, and a relative data_path is taken relative to the
//     catalog file's directory (Options.CatalogDir);
//   - columns are matched to Parquet fields by field id (the column_id), so
//     renamed columns read under their new name, dropped columns are not
//     read, and files written before a column was added read it as its
//     initial_default, or NULL; values of a promoted type are cast;
//   - files and row positions written by compaction across snapshots
//     (partial_max) are filtered by their per-row snapshot id;
//   - rows and deletes the catalog keeps inline (data inlining:
//     ducklake_inlined_data_* and ducklake_inlined_delete_* tables) are
//     read with the files;
//   - files are pruned with ducklake_file_column_stats and partition
//     values before any file is opened, then row groups with the Parquet
//     statistics of the files left; the filter itself stays in the plan.
//
// Writes (Catalog.Write, DeleteRows, UpdateRows) follow the specification
// of the catalog's own version, 0.3, 0.4 or 1.0 (0.2 catalogs are read
// only), filling in the columns those versions share and the optional
// ones (author, commit_message, schema_versions.table_id) only where the
// catalog has them:
//   - every change is one catalog transaction that adds one snapshot:
//     a ducklake_snapshot row (schema_version raised when a table is
//     created; next_catalog_id and next_file_id past the ids handed out),
//     its ducklake_snapshot_changes entry (created_table:"s"."t",
//     inserted_into_table:id, deleted_from_table:id) and, for a new
//     table, a ducklake_schema_versions row;
//   - data files are written first, with lakeframe's Parquet writer,
//     under the table's directory, with field ids equal to column ids;
//     they are registered in ducklake_data_file with row_id_start from
//     ducklake_table_stats, their ducklake_file_column_stats (value and
//     null counts, contains_nan for floats, min and max as DuckDB spells
//     them for the types both compare alike) and the table's statistics;
//   - a delete writes, per data file with matching rows, a delete file of
//     (file_path, pos) holding every position deleted from the file so
//     far, and ends the file's previous delete file; an update is a
//     delete plus an append of the new rows, in the same snapshot; an
//     overwrite ends every live data and delete file;
//   - the new snapshot's id is the latest plus one: a writer that lost
//     the race (a duplicate snapshot id, a serialization failure, a busy
//     database) tries again on the new latest snapshot, up to
//     WriteOptions.MaxRetries times, with the files already written; a
//     delete or update recomputes its positions when a snapshot since the
//     one it read deleted from, altered or dropped the table. SQLite
//     writers take the write lock at the start (BEGIN IMMEDIATE) and wait
//     for each other;
//   - when a change fails, the catalog is untouched and the files it wrote
//     are removed.
//
// New tables get their columns numbered from 1 in pre-order (struct,
// list and map columns before their children, linked by parent_column);
// partitioned tables (WriteOptions.PartitionBy: identity, year, month,
// day, hour) get one file per partition value and their
// ducklake_file_partition_value rows. Nested columns have no statistics.
//
// Not written yet: data paths on object storage, and changes to a table's
// columns or partitioning; deletes and updates also refuse tables with
// rows the catalog keeps inline (data inlining) and files holding rows of
// several snapshots. Each fails with errs.ErrNotImplemented before
// anything is written.
package ducklake
