package iceberg

import (
	"context"
	"fmt"
	"iter"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/iceberg-go/table"

	"lakeframe/errs"
)

// overwriteWhere writes batches and, in the same commit, deletes the rows
// where o.Where is true, copy-on-write: data files whose live rows all
// match are dropped, files with some matching rows are rewritten without
// them. The new data files are written once; the deletion is planned
// again on the refreshed table after each lost commit.
func overwriteWhere(ctx context.Context, tbl *table.Table, schema *arrow.Schema, batches iter.Seq2[arrow.RecordBatch, error], o WriteOptions) (*table.Table, error) {
	ro := RowChangeOptions{Mode: CopyOnWrite, TargetFileSize: o.TargetFileSize, SnapshotProperties: o.SnapshotProperties, Mem: o.Mem}
	// A bad condition fails before anything is written.
	if _, err := newRowChange(tbl, o.Where, nil, CopyOnWrite, ro.mem()); err != nil {
		return nil, fmt.Errorf("write iceberg table %s: overwrite where: %w", name(tbl), err)
	}
	files, err := writeDataFiles(ctx, tbl, schema, batches, o.TargetFileSize)
	if err != nil {
		removeDataFiles(ctx, tbl, files)
		return nil, fmt.Errorf("%w: write iceberg table %s: %w", errs.ErrExec, name(tbl), err)
	}
	out, unknown, err := retryChange(ctx, tbl, func(ctx context.Context, cur *table.Table) (*table.Table, []string, commitState, error) {
		c, err := newRowChange(cur, o.Where, nil, CopyOnWrite, ro.mem())
		if err != nil {
			return nil, nil, commitRejected, err
		}
		return c.apply(ctx, cur, files, ro)
	})
	if err != nil {
		if !unknown {
			removeDataFiles(ctx, tbl, files)
		}
		return nil, fmt.Errorf("write iceberg table %s: overwrite where %s: %w", name(tbl), o.Where, err)
	}
	return out, nil
}
