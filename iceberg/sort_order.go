package iceberg

import (
	"fmt"

	iceberg "github.com/apache/iceberg-go"
	"github.com/apache/iceberg-go/table"

	"lakeframe/expr"
)

// SortKey is one key of a new table's sort order.
type SortKey struct {
	// Column is the source column's name.
	Column string
	// Transform maps column values to sort values; nil is identity.
	Transform iceberg.Transform
	// Descending sorts from high to low.
	Descending bool
	// NullsFirst puts NULLs before other values.
	NullsFirst bool
}

// Ascending sorts by the column from low to high, NULLs first (Iceberg's
// default for ascending keys).
func Ascending(column string) SortKey { return SortKey{Column: column, NullsFirst: true} }

// Descending sorts by the column from high to low, NULLs last (Iceberg's
// default for descending keys).
func Descending(column string) SortKey { return SortKey{Column: column, Descending: true} }

// WithSortOrder sets the table's sort order: writers sort the rows of
// each data file by these keys.
func WithSortOrder(keys ...SortKey) CreateOption {
	return func(c *createConfig) { c.sort = append(c.sort, keys...) }
}

// sortOrder builds the sort order of keys over sc.
func sortOrder(sc *iceberg.Schema, keys []SortKey) (table.SortOrder, error) {
	if len(keys) == 0 {
		return table.UnsortedSortOrder, nil
	}
	fields := make([]table.SortField, len(keys))
	for i, k := range keys {
		f, ok := sc.FindFieldByName(k.Column)
		if !ok {
			return table.SortOrder{}, fmt.Errorf("sort order: no column %q", k.Column)
		}
		tr := k.Transform
		if tr == nil {
			tr = iceberg.IdentityTransform{}
		}
		if !tr.CanTransform(f.Type) {
			return table.SortOrder{}, fmt.Errorf("sort order: %s cannot apply to column %s of type %s", tr, k.Column, f.Type)
		}
		fields[i] = table.SortField{SourceIDs: []int{f.ID}, Transform: tr, Direction: table.SortASC, NullOrder: table.NullsLast}
		if k.Descending {
			fields[i].Direction = table.SortDESC
		}
		if k.NullsFirst {
			fields[i].NullOrder = table.NullsFirst
		}
	}
	order, err := table.NewSortOrder(table.InitialSortOrderID, fields)
	if err != nil {
		return table.SortOrder{}, fmt.Errorf("sort order: %w", err)
	}
	return order, nil
}

// WriteSortKeys returns the lakeframe sort keys that put rows in tbl's
// sort order, for a writer to sort by before the data files are cut. The
// order's leading identity keys are returned; a key with another
// transform ends the list (rows sorted by the keys before it are still
// in the table's order as far as it goes), and complete is then false.
func WriteSortKeys(tbl *table.Table) (keys []expr.Expr, complete bool) {
	order := tbl.SortOrder()
	sc := tbl.Schema()
	for _, f := range order.Fields() {
		if _, ok := f.Transform.(iceberg.IdentityTransform); !ok {
			return keys, false
		}
		col, ok := sc.FindColumnName(f.SourceID())
		if !ok {
			return keys, false
		}
		k := expr.Col(col).Asc()
		if f.Direction == table.SortDESC {
			k = expr.Col(col).Desc()
		}
		if f.NullOrder == table.NullsFirst {
			k = k.NullsFirst()
		}
		keys = append(keys, k)
	}
	return keys, true
}
