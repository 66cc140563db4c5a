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
// Appends are a later step. The catalog type keeps the *sql.DB and the
// resolved data path, so a writer can add, in one transaction, a snapshot,
// its ducklake_snapshot_changes row, the ducklake_data_file and
// ducklake_file_column_stats rows of files written beforehand under the
// table's path, and the updated ducklake_table_stats, retrying on a
// conflicting snapshot id.
package ducklake
