package frame

import (
	"context"
	"fmt"

	"lakeframe/ducklake"
	"lakeframe/errs"
	"lakeframe/expr"
)

// DeleteDuckLake deletes the rows of a DuckLake table ("schema.table", or
// a name alone for schema "main") where `where` is true, in one new
// snapshot; rows where it is NULL are kept. Deletes are merge-on-read, as
// the DuckLake specification defines them: each data file with matching
// rows gets a new delete file of (file_path, pos) that replaces its
// previous one. A delete that matches no row commits nothing. A commit
// that loses to another writer is retried, and recomputed when that
// writer changed the table's rows. It returns the snapshot and the number
// of rows deleted.
func DeleteDuckLake(ctx context.Context, cat *ducklake.Catalog, table string, where expr.Expr, opts ...DuckLakeWriteOption) (ducklake.ChangeResult, error) {
	if cat == nil {
		return ducklake.ChangeResult{}, fmt.Errorf("delete_ducklake %s: %w: nil catalog", table, errs.ErrPlan)
	}
	cfg := newDuckLakeWriteConfig(opts)
	res, err := cat.DeleteRows(ctx, table, where, cfg.opts)
	if err != nil {
		return ducklake.ChangeResult{}, fmt.Errorf("delete_ducklake %s: %w", table, err)
	}
	return res, nil
}

// UpdateDuckLake sets columns of the rows of a DuckLake table where
// `where` is true, in one new snapshot; rows where it is NULL are left
// alone. set maps column names to new values: an expr.Expr evaluated on
// the old row (expr.Col("n").Add(1)) or a Go literal (a NULL is nil). The
// old rows are deleted as DeleteDuckLake does and their new versions
// appended in new data files. An update that matches no row commits
// nothing. It returns the snapshot and the number of rows updated.
func UpdateDuckLake(ctx context.Context, cat *ducklake.Catalog, table string, where expr.Expr, set map[string]any, opts ...DuckLakeWriteOption) (ducklake.ChangeResult, error) {
	if cat == nil {
		return ducklake.ChangeResult{}, fmt.Errorf("update_ducklake %s: %w: nil catalog", table, errs.ErrPlan)
	}
	cfg := newDuckLakeWriteConfig(opts)
	res, err := cat.UpdateRows(ctx, table, where, set, cfg.opts)
	if err != nil {
		return ducklake.ChangeResult{}, fmt.Errorf("update_ducklake %s: %w", table, err)
	}
	return res, nil
}
