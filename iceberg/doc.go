// Package iceberg reads Apache Iceberg tables into lakeframe. It opens
// tables from catalogs or straight from metadata files (with locations
// remapped for tables that moved), plans scans with the optimizer's
// pushdowns through iceberg-go's manifest, partition and metrics pruning,
// and reads the planned tasks with deletes and schema evolution applied.
package iceberg
