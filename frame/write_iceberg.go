package frame

import (
	"context"
	"errors"
	"fmt"
	"io"
	"maps"
	"strings"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/iceberg-go/table"

	"lakeframe/expr"
	"lakeframe/iceberg"
)

// IcebergWriteOption tunes WriteIceberg.
type IcebergWriteOption func(*icebergWriteConfig)

type icebergWriteConfig struct {
	opts    iceberg.WriteOptions
	run     []Option
	rowMode iceberg.RowChangeMode
}

// IcebergOverwrite replaces all the table's rows instead of appending.
func IcebergOverwrite() IcebergWriteOption {
	return func(c *icebergWriteConfig) { c.opts.Mode = iceberg.Overwrite }
}

// IcebergOverwriteWhere replaces the table's rows where cond is true with
// the written rows, in one commit: data files whose rows all match are
// dropped, files with some matching rows are rewritten with the others,
// the rest are untouched. Rows where cond is NULL are kept.
func IcebergOverwriteWhere(cond expr.Expr) IcebergWriteOption {
	return func(c *icebergWriteConfig) {
		c.opts.Mode = iceberg.OverwriteWhere
		c.opts.Where = cond
	}
}

// IcebergOverwritePartitions replaces exactly the partitions the written
// rows fall in (dynamic partition overwrite), in one commit; the other
// partitions are untouched. On an unpartitioned table it replaces all
// rows.
func IcebergOverwritePartitions() IcebergWriteOption {
	return func(c *icebergWriteConfig) { c.opts.Mode = iceberg.OverwritePartitions }
}

// IcebergTargetFileSize rolls data files at about n bytes instead of the
// table's write.target-file-size-bytes.
func IcebergTargetFileSize(n int64) IcebergWriteOption {
	return func(c *icebergWriteConfig) { c.opts.TargetFileSize = n }
}

// IcebergSnapshotProperties adds entries to the new snapshot's summary.
func IcebergSnapshotProperties(props map[string]string) IcebergWriteOption {
	return func(c *icebergWriteConfig) {
		if c.opts.SnapshotProperties == nil {
			c.opts.SnapshotProperties = map[string]string{}
		}
		maps.Copy(c.opts.SnapshotProperties, props)
	}
}

// IcebergRun passes query options (parallelism, allocator, progress) to
// the query that produces the rows.
func IcebergRun(opts ...Option) IcebergWriteOption {
	return func(c *icebergWriteConfig) { c.run = append(c.run, opts...) }
}

// WriteIceberg runs the query and writes its rows to tbl (from
// iceberg.OpenCatalog or iceberg.CreateTable) in one commit: appended by
// default, or replacing all the table's rows (IcebergOverwrite), the rows
// matching a condition (IcebergOverwriteWhere) or the partitions the new
// rows fall in (IcebergOverwritePartitions). Rows stream from the query
// into Parquet data files, fanned out by the table's partition spec and
// rolled at the target file size; a table with a sort order gets them
// sorted by it (its leading identity keys). Columns match the table's by
// name. A commit that loses to a concurrent writer is retried with the
// same files, up to the table's commit.retry.* settings; when it cannot
// commit, the table is left as it was. It returns the table at its new
// snapshot.
func (df *DataFrame) WriteIceberg(ctx context.Context, tbl *table.Table, opts ...IcebergWriteOption) (*table.Table, error) {
	var cfg icebergWriteConfig
	for _, o := range opts {
		o(&cfg)
	}
	ident := "<nil>"
	if tbl != nil {
		ident = strings.Join(tbl.Identifier(), ".")
	}
	if tbl != nil {
		// Rows reach the writer in the table's sort order, so each data
		// file it cuts is sorted.
		if keys, _ := iceberg.WriteSortKeys(tbl); len(keys) > 0 {
			ks := make([]any, len(keys))
			for i, k := range keys {
				ks[i] = k
			}
			df = df.Sort(ks...)
		}
	}
	st, err := df.Stream(ctx, cfg.run...)
	if err != nil {
		return nil, fmt.Errorf("write_iceberg %s: %w", ident, err)
	}
	cfg.opts.Mem = newRunConfig(cfg.run).mem
	out, err := iceberg.Write(ctx, tbl, st.Schema(), streamBatches(ctx, st), cfg.opts)
	// Close only releases the query once it has reported io.EOF; its
	// error cannot undo a commit that already happened.
	_ = st.Close()
	if err != nil {
		return nil, fmt.Errorf("write_iceberg %s: %w", ident, err)
	}
	return out, nil
}

// streamBatches yields a stream's non-empty batches; the consumer owns
// each one.
func streamBatches(ctx context.Context, st *Stream) func(yield func(arrow.RecordBatch, error) bool) {
	return func(yield func(arrow.RecordBatch, error) bool) {
		for {
			rec, err := st.Next(ctx)
			if errors.Is(err, io.EOF) {
				return
			}
			if err != nil {
				yield(nil, err)
				return
			}
			if rec.NumRows() == 0 {
				rec.Release()
				continue
			}
			if !yield(rec, nil) {
				return
			}
		}
	}
}
