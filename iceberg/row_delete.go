package iceberg

import (
	"context"
	"fmt"

	"github.com/apache/iceberg-go/table"

	"lakeframe/errs"
	"lakeframe/expr"
)

// DeleteRows deletes the rows of tbl where is true (a NULL does not match)
// in one commit. Copy-on-write rewrites the data files holding matching
// rows without them (a file whose rows all match is dropped whole);
// merge-on-read writes positional delete files. Rows already deleted stay
// deleted and are not matched again. A delete that matches no row commits
// nothing and returns tbl as it was. A commit that loses to a concurrent
// writer is planned again on the refreshed table.
func DeleteRows(ctx context.Context, tbl *table.Table, where expr.Expr, o RowChangeOptions) (*table.Table, error) {
	return changeRows(ctx, tbl, where, nil, o)
}

// UpdateRows sets columns of the rows of tbl where is true (a NULL does
// not match) in one commit. set maps column names to their new values: an
// expr.Expr evaluated on the old row, or a Go literal. Copy-on-write
// rewrites the data files holding matching rows; merge-on-read deletes the
// old rows by position and adds their new versions in new data files. An
// update that matches no row commits nothing and returns tbl as it was.
func UpdateRows(ctx context.Context, tbl *table.Table, where expr.Expr, set map[string]any, o RowChangeOptions) (*table.Table, error) {
	if len(set) == 0 {
		return nil, fmt.Errorf("%w: update iceberg table: no columns to set", errs.ErrPlan)
	}
	return changeRows(ctx, tbl, where, set, o)
}
