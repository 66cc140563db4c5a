package iceberg

import (
	"context"
	"fmt"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/compute"
	iceberg "github.com/apache/iceberg-go"
	"github.com/apache/iceberg-go/table"
)

// toFileSchema turns a write's batches into the table's file schema:
// columns matched to the table's by name (field ids from the table),
// missing optional columns as NULLs or their write defaults, types
// promoted, nanosecond timestamps cut to microseconds; then rows sorted
// by the table's sort order within each batch, as iceberg-go's writer
// did (a frame sorts the whole input before it gets here).
type toFileSchema struct {
	s     *dataFileSettings
	input *iceberg.Schema
	opts  table.SchemaOptions
	sort  []compute.SortKey
}

func newToFileSchema(tbl *table.Table, s *dataFileSettings, schema *arrow.Schema) (*toFileSchema, error) {
	props := tbl.Properties()
	input, err := table.ArrowSchemaToIcebergWithOptions(schema, table.ArrowToIcebergOptions{
		NameMapping:     tbl.Schema().NameMapping(),
		TableSchema:     tbl.Schema(),
		TableProperties: props,
	})
	if err != nil {
		return nil, fmt.Errorf("arrow schema is not compatible with the table schema: %w", err)
	}
	return &toFileSchema{
		s:     s,
		input: input,
		opts:  table.SchemaOptions{DowncastTimestamp: true, IncludeFieldIDs: true, UseWriteDefault: true, TableProperties: props},
		sort:  sortKeysOf(tbl.SortOrder(), s.schema),
	}, nil
}

// sortKeysOf returns the leading keys of order that sort raw column
// values in the order's order: identity and order-preserving transforms
// of top-level columns.
func sortKeysOf(order table.SortOrder, sc *iceberg.Schema) []compute.SortKey {
	var keys []compute.SortKey
	for _, f := range order.Fields() {
		if !f.Transform.PreservesOrder() {
			break
		}
		idx := -1
		for i, c := range sc.Fields() {
			if c.ID == f.SourceID() {
				idx = i
			}
		}
		if idx < 0 {
			break
		}
		k := compute.SortKey{ColumnIndex: idx, Order: compute.SortOrderAscending, NullPlacement: compute.SortNullsAtEnd}
		if f.Direction == table.SortDESC {
			k.Order = compute.SortOrderDescending
		}
		if f.NullOrder == table.NullsFirst {
			k.NullPlacement = compute.SortNullsAtStart
		}
		keys = append(keys, k)
	}
	return keys
}

// convert returns rec in the file schema; the caller keeps ownership of
// rec and owns the result.
func (c *toFileSchema) convert(ctx context.Context, rec arrow.RecordBatch) (arrow.RecordBatch, error) {
	conv, err := table.ToRequestedSchema(compute.WithAllocator(ctx, c.s.mem), c.s.schema, c.input, rec, c.opts)
	if err != nil {
		return nil, fmt.Errorf("convert rows to the table schema: %w", err)
	}
	defer conv.Release()
	if int(conv.NumCols()) != c.s.arrow.NumFields() {
		return nil, fmt.Errorf("rows have %d columns, the table %d", conv.NumCols(), c.s.arrow.NumFields())
	}
	for i, col := range conv.Columns() {
		if want := c.s.arrow.Field(i).Type; !arrow.TypeEqual(col.DataType(), want) {
			return nil, fmt.Errorf("column %s is %s, the table's file schema wants %s", c.s.arrow.Field(i).Name, col.DataType(), want)
		}
	}
	out := array.NewRecordBatch(c.s.arrow, conv.Columns(), conv.NumRows())
	if len(c.sort) == 0 || out.NumRows() < 2 {
		return out, nil
	}
	defer out.Release()
	sorted, err := compute.SortRecordBatch(compute.WithAllocator(ctx, c.s.mem), out, c.sort)
	if err != nil {
		return nil, fmt.Errorf("sort rows by the table's sort order: %w", err)
	}
	return sorted, nil
}
