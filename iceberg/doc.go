// Package iceberg reads and writes Apache Iceberg tables for lakeframe. It opens
// tables from catalogs or straight from metadata files (with locations
// remapped for tables that moved), plans scans with the optimizer's
// pushdowns through iceberg-go's manifest, partition and metrics pruning,
// and reads the planned tasks with deletes and schema evolution applied.
//
// Predicates on identity-partition columns are exact: planning evaluates
// them on each file's partition values (lakeframe's semantics, NULLs
// included), so no filter remains above the scan, limits stop planning
// and reading early, and count(*) comes from manifests when no delete
// files apply. Other translatable predicates prune and are checked again
// on rows. What a plan kept is in its plan.ScanStats.
//
// Writes (Write: appends and overwrites of the table, of the rows a
// filter matches or of the partitions the new rows touch; DeleteRows,
// UpdateRows) create Parquet data files and, for merge-on-read changes,
// positional delete files, then commit them in one snapshot with
// optimistic retries (commit.retry.*). Files of a write that does not
// commit are removed; a writer killed mid-write leaves them behind, and
// FindOrphanFiles and RemoveOrphanFiles find and remove them.
package iceberg
