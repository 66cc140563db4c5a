package frame

import (
	"context"
	"fmt"

	"lakeframe/ducklake"
	"lakeframe/errs"
)

// DuckLakeWriteOption tunes WriteDuckLake, DeleteDuckLake and
// UpdateDuckLake.
type DuckLakeWriteOption func(*duckLakeWriteConfig)

type duckLakeWriteConfig struct {
	opts ducklake.WriteOptions
	run  []Option
}

// DuckLakeOverwrite replaces all the table's rows instead of appending.
func DuckLakeOverwrite() DuckLakeWriteOption {
	return func(c *duckLakeWriteConfig) { c.opts.Mode = ducklake.Overwrite }
}

// DuckLakePartitionBy partitions a table WriteDuckLake creates by keys:
// columns with the identity, year, month, day or hour transform. Rows are
// written into one file per partition value, which DuckDB and lakeframe
// prune by. For an existing table the keys must be its own.
func DuckLakePartitionBy(keys ...ducklake.PartitionKey) DuckLakeWriteOption {
	return func(c *duckLakeWriteConfig) { c.opts.PartitionBy = append(c.opts.PartitionBy, keys...) }
}

// DuckLakeTargetFileSize rolls data files at about n bytes (64 MiB by
// default).
func DuckLakeTargetFileSize(n int64) DuckLakeWriteOption {
	return func(c *duckLakeWriteConfig) { c.opts.TargetFileSize = n }
}

// DuckLakeCommitMessage records an author and a message with the new
// snapshot, in catalogs whose ducklake_snapshot_changes has those columns.
func DuckLakeCommitMessage(author, message string) DuckLakeWriteOption {
	return func(c *duckLakeWriteConfig) { c.opts.Author, c.opts.CommitMessage = author, message }
}

// DuckLakeMaxRetries bounds how often a commit that lost to another
// writer is tried again (20 by default).
func DuckLakeMaxRetries(n int) DuckLakeWriteOption {
	return func(c *duckLakeWriteConfig) { c.opts.MaxRetries = n }
}

// DuckLakeRun passes query options (parallelism, allocator, progress) to
// the query that produces or reads the rows.
func DuckLakeRun(opts ...Option) DuckLakeWriteOption {
	return func(c *duckLakeWriteConfig) { c.run = append(c.run, opts...) }
}

func newDuckLakeWriteConfig(opts []DuckLakeWriteOption) duckLakeWriteConfig {
	var cfg duckLakeWriteConfig
	for _, o := range opts {
		o(&cfg)
	}
	cfg.opts.Mem = newRunConfig(cfg.run).mem
	return cfg
}

// WriteDuckLake runs the query and writes its rows to a table of a
// DuckLake catalog ("schema.table", or a name alone for schema "main")
// in one new snapshot: appended by default, or replacing all rows
// (DuckLakeOverwrite). A table that does not exist is created with the
// query's columns (partitioned as DuckLakePartitionBy says). Columns match the table's by name. Rows stream into
// Parquet data files under the table's directory, registered with their
// statistics in one catalog transaction, retried when another writer
// committed first; on failure the catalog is left as it was and the
// files are removed. It returns the new snapshot (the latest one when an
// append had no rows).
func (df *DataFrame) WriteDuckLake(ctx context.Context, cat *ducklake.Catalog, table string, opts ...DuckLakeWriteOption) (ducklake.Snapshot, error) {
	if cat == nil {
		return ducklake.Snapshot{}, fmt.Errorf("write_ducklake %s: %w: nil catalog", table, errs.ErrPlan)
	}
	cfg := newDuckLakeWriteConfig(opts)
	st, err := df.Stream(ctx, cfg.run...)
	if err != nil {
		return ducklake.Snapshot{}, fmt.Errorf("write_ducklake %s: %w", table, err)
	}
	snap, err := cat.Write(ctx, table, st.Schema(), streamBatches(ctx, st), cfg.opts)
	// Close only releases the query; its error cannot undo a commit.
	_ = st.Close()
	if err != nil {
		return ducklake.Snapshot{}, fmt.Errorf("write_ducklake %s: %w", table, err)
	}
	return snap, nil
}
