package ducklake

import (
	"cmp"
	"context"
	"database/sql"
	"fmt"
	"slices"
	"strconv"
	"strings"

	"lakeframe/errs"
)

// dataFile is a data file that is part of a table at a snapshot.
type dataFile struct {
	id          int64
	begin       int64
	order       sql.NullInt64
	path        string // resolved
	rows        int64
	size        int64
	partitionID sql.NullInt64
	mappingID   sql.NullInt64
	partialMax  sql.NullInt64
	deletes     []deleteFile
	inlined     []int64 // deleted positions kept in the catalog
}

// deleteFile lists deleted row positions of one data file.
type deleteFile struct {
	path       string // resolved
	count      int64
	size       int64
	partialMax sql.NullInt64
}

// liveRows is how many rows of the file are not deleted, when the delete
// counts are exact (no per-row snapshot filtering).
func (f *dataFile) liveRows() int64 {
	n := f.rows - int64(len(f.inlined))
	for _, d := range f.deletes {
		n -= d.count
	}
	return max(n, 0)
}

// exactRows reports whether liveRows is exact at a snapshot: neither the
// file nor its deletes hold rows of later snapshots.
func (f *dataFile) exactRows(snapshot int64) bool {
	if f.partialMax.Valid && f.partialMax.Int64 > snapshot {
		return false
	}
	for _, d := range f.deletes {
		if d.partialMax.Valid && d.partialMax.Int64 > snapshot {
			return false
		}
	}
	return true
}

// dataFiles lists the table's data files at its snapshot with their
// delete files, in file order.
func (t *Table) dataFiles(ctx context.Context) ([]*dataFile, error) {
	c, snap := t.cat, t.Snapshot.ID
	rows, err := c.query(ctx, "SELECT data_file_id, begin_snapshot, file_order, path, path_is_relative, file_format, record_count, file_size_bytes, partition_id, mapping_id, "+
		c.partialColumn()+" FROM "+c.table("ducklake_data_file")+
		" WHERE table_id = ? AND begin_snapshot <= ? AND (end_snapshot IS NULL OR end_snapshot > ?)", t.ID, snap, snap)
	if err != nil {
		return nil, fmt.Errorf("%w: list data files of %s: %w", errs.ErrExec, t.QualifiedName(), err)
	}
	defer rows.Close()
	var out []*dataFile
	byID := map[int64]*dataFile{}
	for rows.Next() {
		f := &dataFile{}
		var path, format sql.NullString
		var rel sql.NullBool
		var count, size sql.NullInt64
		var partial any
		if err := rows.Scan(&f.id, &f.begin, &f.order, &path, &rel, &format, &count, &size, &f.partitionID, &f.mappingID, &partial); err != nil {
			return nil, fmt.Errorf("%w: list data files of %s: %w", errs.ErrExec, t.QualifiedName(), err)
		}
		if format.Valid && !strings.EqualFold(format.String, "parquet") {
			return nil, fmt.Errorf("%w: data file %s is in format %q; lakeframe reads parquet", errs.ErrNotImplemented, path.String, format.String)
		}
		f.path = filePath(t.Path, path.String, !rel.Valid || rel.Bool)
		f.rows, f.size = count.Int64, size.Int64
		if f.partialMax, err = partialMax(partial); err != nil {
			return nil, fmt.Errorf("%w: data file %s: %w", errs.ErrExec, f.path, err)
		}
		out = append(out, f)
		byID[f.id] = f
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("%w: list data files of %s: %w", errs.ErrExec, t.QualifiedName(), err)
	}
	rows.Close()
	if err := t.attachDeletes(ctx, byID); err != nil {
		return nil, err
	}
	inlined, err := t.inlinedDeletes(ctx)
	if err != nil {
		return nil, err
	}
	for id, pos := range inlined {
		if f, ok := byID[id]; ok {
			f.inlined = pos
		}
	}
	slices.SortFunc(out, func(a, b *dataFile) int {
		if a.order.Valid && b.order.Valid && a.order.Int64 != b.order.Int64 {
			return cmp.Compare(a.order.Int64, b.order.Int64)
		}
		return cmp.Compare(a.id, b.id)
	})
	return out, nil
}

// attachDeletes adds the live delete files to their data files.
func (t *Table) attachDeletes(ctx context.Context, byID map[int64]*dataFile) error {
	c, snap := t.cat, t.Snapshot.ID
	partial := "NULL"
	if c.partialColumn() == "partial_max" {
		partial = "partial_max"
	}
	rows, err := c.query(ctx, "SELECT data_file_id, path, path_is_relative, format, delete_count, file_size_bytes, "+partial+
		" FROM "+c.table("ducklake_delete_file")+
		" WHERE table_id = ? AND begin_snapshot <= ? AND (end_snapshot IS NULL OR end_snapshot > ?)", t.ID, snap, snap)
	if err != nil {
		return fmt.Errorf("%w: list delete files of %s: %w", errs.ErrExec, t.QualifiedName(), err)
	}
	defer rows.Close()
	for rows.Next() {
		var dataID int64
		var path, format sql.NullString
		var rel sql.NullBool
		var count, size sql.NullInt64
		var partial any
		if err := rows.Scan(&dataID, &path, &rel, &format, &count, &size, &partial); err != nil {
			return fmt.Errorf("%w: list delete files of %s: %w", errs.ErrExec, t.QualifiedName(), err)
		}
		d := deleteFile{path: filePath(t.Path, path.String, !rel.Valid || rel.Bool), count: count.Int64, size: size.Int64}
		if format.Valid && !strings.EqualFold(format.String, "parquet") {
			return fmt.Errorf("%w: delete file %s is in format %q; lakeframe reads parquet", errs.ErrNotImplemented, d.path, format.String)
		}
		if d.partialMax, err = partialMax(partial); err != nil {
			return fmt.Errorf("%w: delete file %s: %w", errs.ErrExec, d.path, err)
		}
		f, ok := byID[dataID]
		if !ok {
			// The data file is not part of this snapshot; its deletes
			// do not matter.
			continue
		}
		f.deletes = append(f.deletes, d)
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("%w: list delete files of %s: %w", errs.ErrExec, t.QualifiedName(), err)
	}
	return nil
}

// partialMax reads a partial_max column (a number) or a partial_file_info
// string ("partial_max:N", before version 0.4).
func partialMax(v any) (sql.NullInt64, error) {
	switch x := v.(type) {
	case nil:
		return sql.NullInt64{}, nil
	case int64:
		return sql.NullInt64{Int64: x, Valid: true}, nil
	case int32:
		return sql.NullInt64{Int64: int64(x), Valid: true}, nil
	case []byte:
		return partialMax(string(x))
	case string:
		for part := range strings.SplitSeq(x, "|") {
			k, val, ok := strings.Cut(strings.TrimSpace(part), ":")
			if ok && k == "partial_max" {
				n, err := strconv.ParseInt(strings.TrimSpace(val), 10, 64)
				if err != nil {
					return sql.NullInt64{}, fmt.Errorf("bad partial file info %q", x)
				}
				return sql.NullInt64{Int64: n, Valid: true}, nil
			}
		}
		if n, err := strconv.ParseInt(strings.TrimSpace(x), 10, 64); err == nil {
			return sql.NullInt64{Int64: n, Valid: true}, nil
		}
		return sql.NullInt64{}, nil
	}
	return sql.NullInt64{}, fmt.Errorf("partial_max of type %T", v)
}

// fileMappings loads the name mappings of those files that have one.
func (t *Table) fileMappings(ctx context.Context, files []*dataFile) (map[int64]*NameMapping, error) {
	var ids []int64
	for _, f := range files {
		if f.mappingID.Valid {
			ids = append(ids, f.mappingID.Int64)
		}
	}
	return t.nameMappings(ctx, ids)
}

// nameMappings loads the name mappings of files registered from other
// tools: which top-level file column (or hive directory) holds each column
// id (the mapping's target field id).
func (t *Table) nameMappings(ctx context.Context, ids []int64) (map[int64]*NameMapping, error) {
	out := map[int64]*NameMapping{}
	if len(ids) == 0 {
		return out, nil
	}
	slices.Sort(ids)
	ids = slices.Compact(ids)
	ph := strings.TrimSuffix(strings.Repeat("?,", len(ids)), ",")
	args := make([]any, len(ids))
	for i, id := range ids {
		args[i] = id
		out[id] = &NameMapping{Names: map[int64]string{}}
	}
	hive := "is_partition"
	if t.cat.version == "0.2" {
		hive = "false"
	}
	rows, err := t.cat.query(ctx, "SELECT mapping_id, target_field_id, source_name, "+hive+" FROM "+t.cat.table("ducklake_name_mapping")+
		" WHERE parent_column IS NULL AND mapping_id IN ("+ph+")", args...)
	if err != nil {
		return nil, fmt.Errorf("%w: read ducklake_name_mapping: %w", errs.ErrExec, err)
	}
	defer rows.Close()
	for rows.Next() {
		var mapping, field int64
		var name sql.NullString
		var isHive sql.NullBool
		if err := rows.Scan(&mapping, &field, &name, &isHive); err != nil {
			return nil, fmt.Errorf("%w: read ducklake_name_mapping: %w", errs.ErrExec, err)
		}
		m := out[mapping]
		m.Names[field] = name.String
		if isHive.Bool {
			if m.Hive == nil {
				m.Hive = map[int64]bool{}
			}
			m.Hive[field] = true
		}
	}
	return out, rows.Err()
}
