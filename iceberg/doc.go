// Package iceberg reads and writes Apache Iceberg tables for lakeframe. It opens
// tables from catalogs or straight from metadata files (with locations
// remapped for tables that moved) through iceberg-go, which also parses
// manifests and commits. The data path is lakeframe's own: planning prunes
// manifests by partition summaries and data files by partition values
// (through every transform) and column metrics, with the rules of
// exec/source/prune that Parquet row groups use too; delete files are
// matched to data files by partition and sequence number; data files are
// read by exec/source/parquet's row-group reader, columns matched by field
// id or name mapping, row groups pruned, deletes (positional, deletion
// vectors, equality) applied by lakeframe.
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
