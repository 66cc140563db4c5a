package iceberg

import (
	"context"
	"fmt"

	"github.com/apache/iceberg-go/table"

	"lakeframe/errs"
	"lakeframe/expr"
)

func changeRows(ctx context.Context, tbl *table.Table, where expr.Expr, set map[string]any, o RowChangeOptions) (*table.Table, error) {
	if tbl == nil {
		return nil, fmt.Errorf("%w: change iceberg rows: nil table", errs.ErrPlan)
	}
	return nil, fmt.Errorf("%w: row-level changes to iceberg table %s", errs.ErrNotImplemented, name(tbl))
}
