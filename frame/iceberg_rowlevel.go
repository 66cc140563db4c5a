package frame

import (
	"context"
	"fmt"
	"strings"

	"github.com/apache/iceberg-go/table"

	"lakeframe/expr"
	"lakeframe/iceberg"
)

// IcebergCopyOnWrite makes DeleteIceberg and UpdateIceberg rewrite the data
// files holding changed rows, whatever the table's write.delete.mode and
// write.update.mode say.
func IcebergCopyOnWrite() IcebergWriteOption {
	return func(c *icebergWriteConfig) { c.rowMode = iceberg.CopyOnWrite }
}

// IcebergMergeOnRead makes DeleteIceberg and UpdateIceberg write positional
// delete files (and new data files for updated rows), whatever the table's
// write.delete.mode and write.update.mode say.
func IcebergMergeOnRead() IcebergWriteOption {
	return func(c *icebergWriteConfig) { c.rowMode = iceberg.MergeOnRead }
}

// DeleteIceberg deletes the rows of tbl where `where` is true in one
// commit; rows where it is NULL are kept. The mode follows the table's
// write.delete.mode (copy-on-write unless it says merge-on-read), or
// IcebergCopyOnWrite / IcebergMergeOnRead. A delete that matches no row
// commits nothing and returns tbl unchanged (no new snapshot). A predicate
// on an unknown column fails before anything is read, naming the column
// and the table's columns. It returns the table at its new snapshot.
func DeleteIceberg(ctx context.Context, tbl *table.Table, where expr.Expr, opts ...IcebergWriteOption) (*table.Table, error) {
	cfg := rowChangeConfig(opts)
	out, err := iceberg.DeleteRows(ctx, tbl, where, cfg)
	if err != nil {
		return nil, fmt.Errorf("delete_iceberg %s: %w", identOf(tbl), err)
	}
	return out, nil
}

// UpdateIceberg sets columns of the rows of tbl where `where` is true in
// one commit; rows where it is NULL are left alone. set maps column names
// to new values: an expr.Expr evaluated on the old row (expr.Col("n").Add(1))
// or a Go literal (a NULL is nil). The mode follows the table's
// write.update.mode, or IcebergCopyOnWrite / IcebergMergeOnRead. An update
// that matches no row commits nothing and returns tbl unchanged. It
// returns the table at its new snapshot.
func UpdateIceberg(ctx context.Context, tbl *table.Table, where expr.Expr, set map[string]any, opts ...IcebergWriteOption) (*table.Table, error) {
	cfg := rowChangeConfig(opts)
	out, err := iceberg.UpdateRows(ctx, tbl, where, set, cfg)
	if err != nil {
		return nil, fmt.Errorf("update_iceberg %s: %w", identOf(tbl), err)
	}
	return out, nil
}

func rowChangeConfig(opts []IcebergWriteOption) iceberg.RowChangeOptions {
	var cfg icebergWriteConfig
	for _, o := range opts {
		o(&cfg)
	}
	rc := iceberg.RowChangeOptions{
		Mode:               cfg.rowMode,
		TargetFileSize:     cfg.opts.TargetFileSize,
		SnapshotProperties: cfg.opts.SnapshotProperties,
	}
	rc.Mem = newRunConfig(cfg.run).mem
	return rc
}

func identOf(tbl *table.Table) string {
	if tbl == nil {
		return "<nil>"
	}
	return strings.Join(tbl.Identifier(), ".")
}
