package ducklake

import (
	"context"
	"database/sql"
	"fmt"
	"slices"
	"strings"

	"github.com/apache/arrow-go/v18/arrow"

	"lakeframe/errs"
)

// PartitionKey is one key of a table's partitioning: a column and a
// transform, one of identity, year, month, day and hour (the latter four
// of a date or timestamp column, in UTC).
type PartitionKey struct {
	Column    string
	Transform string
}

// partitionSpec is a table's live partitioning: ducklake_partition_info
// and its ducklake_partition_column rows.
type partitionSpec struct {
	id   int64
	keys []specKey
}

// specKey is a partition key resolved against the table's columns.
type specKey struct {
	col       int // position among the table's columns
	colID     int64
	transform string
	typ       arrow.DataType
}

// maxPartitionKeys bounds the keys of a partitioning lakeframe writes.
const maxPartitionKeys = 8

// partitioning reads the table's partitioning at snap; nil means the
// table is not partitioned.
func (t *Table) partitioning(ctx context.Context, snap int64) (*partitionSpec, error) {
	c := t.cat
	rows, err := c.query(ctx, "SELECT pi.partition_id, pc.partition_key_index, pc.column_id, pc.transform FROM "+
		c.table("ducklake_partition_info")+" pi JOIN "+c.table("ducklake_partition_column")+
		" pc ON pc.partition_id = pi.partition_id AND pc.table_id = pi.table_id"+
		" WHERE pi.table_id = ? AND pi.begin_snapshot <= ? AND (pi.end_snapshot IS NULL OR pi.end_snapshot > ?)"+
		" ORDER BY pc.partition_key_index", t.ID, snap, snap)
	if err != nil {
		return nil, fmt.Errorf("%w: read partitioning of %s: %w", errs.ErrExec, t.QualifiedName(), err)
	}
	defer rows.Close()
	var spec *partitionSpec
	for rows.Next() {
		var id, index, colID int64
		var tr sql.NullString
		if err := rows.Scan(&id, &index, &colID, &tr); err != nil {
			return nil, fmt.Errorf("%w: read partitioning of %s: %w", errs.ErrExec, t.QualifiedName(), err)
		}
		if spec == nil {
			spec = &partitionSpec{id: id}
		}
		if id != spec.id || index != int64(len(spec.keys)) {
			return nil, fmt.Errorf("%w: ducklake table %s has a partitioning lakeframe cannot follow (partition %d key %d)",
				errs.ErrNotImplemented, t.QualifiedName(), id, index)
		}
		col := slices.IndexFunc(t.Columns, func(c Column) bool { return c.ID == colID })
		if col < 0 {
			return nil, fmt.Errorf("%w: ducklake table %s is partitioned by column id %d, which it does not have",
				errs.ErrExec, t.QualifiedName(), colID)
		}
		k, err := newSpecKey(t.Columns, col, tr.String)
		if err != nil {
			return nil, fmt.Errorf("ducklake table %s: %w", t.QualifiedName(), err)
		}
		spec.keys = append(spec.keys, k)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("%w: read partitioning of %s: %w", errs.ErrExec, t.QualifiedName(), err)
	}
	if spec != nil && len(spec.keys) > maxPartitionKeys {
		return nil, fmt.Errorf("%w: ducklake table %s has %d partition keys; lakeframe writes at most %d",
			errs.ErrNotImplemented, t.QualifiedName(), len(spec.keys), maxPartitionKeys)
	}
	return spec, nil
}

// newSpecKey checks that a transform applies to the column's type.
func newSpecKey(cols []Column, col int, transform string) (specKey, error) {
	c := &cols[col]
	typ, err := arrowType(c)
	if err != nil {
		return specKey{}, err
	}
	k := specKey{col: col, colID: c.ID, transform: strings.ToLower(strings.TrimSpace(transform)), typ: typ}
	if k.transform == "" {
		k.transform = "identity"
	}
	switch k.transform {
	case "identity":
		if newColumnStats(typ).bounded {
			return k, nil
		}
	case "year", "month", "day", "hour":
		if typ.ID() == arrow.DATE32 || typ.ID() == arrow.TIMESTAMP {
			return k, nil
		}
	}
	return specKey{}, fmt.Errorf("%w: partition key %s(%s) on a %s column is not written by lakeframe",
		errs.ErrNotImplemented, k.transform, c.Name, c.Type)
}

// newPartitionSpec resolves the keys a new table is partitioned by.
func newPartitionSpec(table string, cols []Column, keys []PartitionKey) (*partitionSpec, error) {
	if len(keys) == 0 {
		return nil, nil
	}
	if len(keys) > maxPartitionKeys {
		return nil, fmt.Errorf("%w: %d partition keys; lakeframe writes at most %d", errs.ErrNotImplemented, len(keys), maxPartitionKeys)
	}
	spec := &partitionSpec{}
	for _, pk := range keys {
		col := slices.IndexFunc(cols, func(c Column) bool { return c.Name == pk.Column })
		if col < 0 {
			return nil, fmt.Errorf("%w: cannot partition ducklake table %s by %q: no such column (columns %s)",
				errs.ErrPlan, table, pk.Column, describeColumns(cols))
		}
		k, err := newSpecKey(cols, col, pk.Transform)
		if err != nil {
			return nil, err
		}
		spec.keys = append(spec.keys, k)
	}
	return spec, nil
}

// sameKeys reports whether two partitionings have the same keys.
func (s *partitionSpec) sameKeys(o *partitionSpec) bool {
	if s == nil || o == nil {
		return s == nil && o == nil
	}
	return slices.EqualFunc(s.keys, o.keys, func(a, b specKey) bool { return a.colID == b.colID && a.transform == b.transform })
}

func (s *partitionSpec) String() string {
	if s == nil {
		return "none"
	}
	parts := make([]string, len(s.keys))
	for i, k := range s.keys {
		parts[i] = fmt.Sprintf("%s(column %d)", k.transform, k.colID)
	}
	return strings.Join(parts, ", ")
}
