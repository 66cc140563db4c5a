package frame

import (
	"context"
	"fmt"

	"lakeframe/ducklake"
	"lakeframe/errs"
	"lakeframe/plan"
)

// ReadDuckLake reads a table of a DuckLake catalog: "schema.table", or a
// table name alone for schema "main". By default it reads the latest
// snapshot at the time the frame is built; ducklake.AtSnapshot(id) and
// ducklake.AsOf(t) travel back in time. The table's columns are read now
// to fix the schema; the data files are listed, pruned by filters and read
// at Collect.
//
//	cat, err := ducklake.OpenSQLite(ctx, "lake.sqlite", ducklake.Options{})
//	df := frame.ReadDuckLake(cat, "main.orders", ducklake.AtSnapshot(3)).
//		Where(expr.Col("region").Eq("EU"))
func ReadDuckLake(cat *ducklake.Catalog, table string, opts ...ducklake.ReadOption) *DataFrame {
	return ReadDuckLakeWith(cat, table, ducklake.SourceOptions{}, opts...)
}

// ReadDuckLakeWith is ReadDuckLake with options for splitting the scan.
func ReadDuckLakeWith(cat *ducklake.Catalog, table string, so ducklake.SourceOptions, opts ...ducklake.ReadOption) *DataFrame {
	if cat == nil {
		return failed(fmt.Errorf("read_ducklake %s: %w: nil catalog", table, errs.ErrPlan))
	}
	t, err := cat.Table(context.Background(), table, opts...)
	if err != nil {
		return failed(fmt.Errorf("read_ducklake %s: %w", table, err))
	}
	src, err := t.Source(so)
	if err != nil {
		return failed(fmt.Errorf("read_ducklake %s: %w", table, err))
	}
	return fromNode(plan.NewScan(src))
}
