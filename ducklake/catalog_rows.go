package ducklake

import (
	"context"
	"database/sql"
	"fmt"

	"github.com/google/uuid"
)

// createTable adds the table and its columns, in the new snapshot.
func (tx *catalogTx) createTable(ctx context.Context, tgt *writeTarget, next *snapshotState) (int64, error) {
	id := next.catalogID()
	if err := tx.exec(ctx, "INSERT INTO "+tx.c.table("ducklake_table")+
		" (table_id, table_uuid, begin_snapshot, end_snapshot, schema_id, table_name, path, path_is_relative) VALUES (?, ?, ?, NULL, ?, ?, ?, ?)",
		id, uuid.Must(uuid.NewV7()).String(), next.id, tgt.schemaID, tgt.tableName, tgt.tableName+"/", true); err != nil {
		return 0, err
	}
	for i := range tgt.cols {
		if err := tx.insertColumn(ctx, id, &tgt.cols[i], int64(i+1), nil, next); err != nil {
			return 0, err
		}
	}
	if err := tx.exec(ctx, "INSERT INTO "+tx.c.table("ducklake_table_stats")+
		" (table_id, record_count, next_row_id, file_size_bytes) VALUES (?, 0, 0, 0)", id); err != nil {
		return 0, err
	}
	if tgt.spec != nil {
		tgt.spec.id = next.catalogID()
		if err := tx.exec(ctx, "INSERT INTO "+tx.c.table("ducklake_partition_info")+
			" (partition_id, table_id, begin_snapshot, end_snapshot) VALUES (?, ?, ?, NULL)", tgt.spec.id, id, next.id); err != nil {
			return 0, err
		}
		for i, k := range tgt.spec.keys {
			if err := tx.exec(ctx, "INSERT INTO "+tx.c.table("ducklake_partition_column")+
				" (partition_id, table_id, partition_key_index, column_id, transform) VALUES (?, ?, ?, ?, ?)",
				tgt.spec.id, id, int64(i), k.colID, k.transform); err != nil {
				return 0, err
			}
		}
	}
	next.schemaChange(id)
	next.changed("created_table:" + quoteIdent(tgt.schemaName) + "." + quoteIdent(tgt.tableName))
	return id, nil
}

// insertColumn adds a column and, under it, its nested columns.
func (tx *catalogTx) insertColumn(ctx context.Context, table int64, c *Column, order int64, parent any, next *snapshotState) error {
	if err := tx.exec(ctx, "INSERT INTO "+tx.c.table("ducklake_column")+
		" (column_id, begin_snapshot, end_snapshot, table_id, column_order, column_name, column_type, initial_default, default_value, nulls_allowed, parent_column)"+
		" VALUES (?, ?, NULL, ?, ?, ?, ?, NULL, NULL, ?, ?)",
		c.ID, next.id, table, order, c.Name, c.Type, true, parent); err != nil {
		return err
	}
	for i := range c.Children {
		if err := tx.insertColumn(ctx, table, &c.Children[i], int64(i+1), c.ID, next); err != nil {
			return err
		}
	}
	return nil
}

// truncate ends every live data and delete file of the table in the new
// snapshot and resets its statistics, for an overwrite.
func (tx *catalogTx) truncate(ctx context.Context, table int64, next *snapshotState) error {
	for _, t := range []string{"ducklake_data_file", "ducklake_delete_file"} {
		if err := tx.exec(ctx, "UPDATE "+tx.c.table(t)+" SET end_snapshot = ? WHERE table_id = ? AND end_snapshot IS NULL",
			next.id, table); err != nil {
			return err
		}
	}
	if err := tx.exec(ctx, "UPDATE "+tx.c.table("ducklake_table_stats")+" SET record_count = 0, file_size_bytes = 0 WHERE table_id = ?", table); err != nil {
		return err
	}
	if err := tx.exec(ctx, "DELETE FROM "+tx.c.table("ducklake_table_column_stats")+" WHERE table_id = ?", table); err != nil {
		return err
	}
	next.changed(fmt.Sprintf("deleted_from_table:%d", table))
	return nil
}

// partitionID is the partition_id of files written by spec, or NULL.
func partitionID(spec *partitionSpec) any {
	if spec == nil {
		return nil
	}
	return spec.id
}

// tableStats is a table's ducklake_table_stats row.
type tableStats struct {
	exists                 bool
	records, nextRow, size int64
}

func (tx *catalogTx) tableStats(ctx context.Context, table int64) (tableStats, error) {
	rows, err := tx.query(ctx, "SELECT record_count, next_row_id, file_size_bytes FROM "+tx.c.table("ducklake_table_stats")+" WHERE table_id = ?", table)
	if err != nil {
		return tableStats{}, err
	}
	defer rows.Close()
	var s tableStats
	if rows.Next() {
		var r, n, z sql.NullInt64
		if err := rows.Scan(&r, &n, &z); err != nil {
			return tableStats{}, err
		}
		s = tableStats{exists: true, records: r.Int64, nextRow: n.Int64, size: z.Int64}
	}
	return s, rows.Err()
}

// addDataFiles registers data files of the table in the new snapshot,
// with their column statistics, and updates the table's statistics.
func (tx *catalogTx) addDataFiles(ctx context.Context, table int64, cols []Column, spec *partitionSpec, files []*writtenFile, next *snapshotState) error {
	if len(files) == 0 {
		return nil
	}
	ts, err := tx.tableStats(ctx, table)
	if err != nil {
		return err
	}
	prior := ts.records
	for _, f := range files {
		id := next.fileID()
		if err := tx.exec(ctx, "INSERT INTO "+tx.c.table("ducklake_data_file")+
			" (data_file_id, table_id, begin_snapshot, end_snapshot, file_order, path, path_is_relative, file_format, record_count, file_size_bytes, footer_size, row_id_start, partition_id, encryption_key, mapping_id)"+
			" VALUES (?, ?, ?, NULL, NULL, ?, ?, 'parquet', ?, ?, ?, ?, ?, NULL, NULL)",
			id, table, next.id, f.name, true, f.rows, f.size, f.footerSize, ts.nextRow, partitionID(spec)); err != nil {
			return err
		}
		for k, v := range f.partition {
			var value any
			if v != nil {
				value = *v
			}
			if err := tx.exec(ctx, "INSERT INTO "+tx.c.table("ducklake_file_partition_value")+
				" (data_file_id, table_id, partition_key_index, partition_value) VALUES (?, ?, ?, ?)",
				id, table, int64(k), value); err != nil {
				return err
			}
		}
		for i, st := range f.stats {
			if len(cols[i].Children) > 0 {
				// DuckDB keeps statistics of nested columns by leaf;
				// lakeframe records none for them.
				continue
			}
			var lo, hi, nan any
			if l, h, ok := st.bounds(); ok {
				lo, hi = l, h
			}
			if st.isFloat() {
				nan = st.nan
			}
			if err := tx.exec(ctx, "INSERT INTO "+tx.c.statsTable()+
				" (data_file_id, table_id, column_id, column_size_bytes, value_count, null_count, min_value, max_value, contains_nan) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
				id, table, cols[i].ID, st.compressedSize, st.values, st.nulls, lo, hi, nan); err != nil {
				return err
			}
		}
		ts.records += f.rows
		ts.nextRow += f.rows
		ts.size += f.size
	}
	q := "UPDATE " + tx.c.table("ducklake_table_stats") + " SET record_count = ?, next_row_id = ?, file_size_bytes = ? WHERE table_id = ?"
	if !ts.exists {
		q = "INSERT INTO " + tx.c.table("ducklake_table_stats") + " (record_count, next_row_id, file_size_bytes, table_id) VALUES (?, ?, ?, ?)"
	}
	if err := tx.exec(ctx, q, ts.records, ts.nextRow, ts.size, table); err != nil {
		return err
	}
	if err := tx.mergeColumnStats(ctx, table, cols, files, prior > 0); err != nil {
		return err
	}
	next.changed(fmt.Sprintf("inserted_into_table:%d", table))
	return nil
}

// replaceDeleteFiles registers new delete files in the new snapshot and
// ends the delete files they replace.
func (tx *catalogTx) replaceDeleteFiles(ctx context.Context, table int64, files []*writtenFile, next *snapshotState) error {
	for _, f := range files {
		if err := tx.exec(ctx, "UPDATE "+tx.c.table("ducklake_delete_file")+
			" SET end_snapshot = ? WHERE table_id = ? AND data_file_id = ? AND end_snapshot IS NULL",
			next.id, table, f.dataFileID); err != nil {
			return err
		}
		if err := tx.exec(ctx, "INSERT INTO "+tx.c.table("ducklake_delete_file")+
			" (delete_file_id, table_id, begin_snapshot, end_snapshot, data_file_id, path, path_is_relative, format, delete_count, file_size_bytes, footer_size, encryption_key)"+
			" VALUES (?, ?, ?, NULL, ?, ?, ?, 'parquet', ?, ?, ?, NULL)",
			next.fileID(), table, next.id, f.dataFileID, f.name, true, f.rows, f.size, f.footerSize); err != nil {
			return err
		}
	}
	next.changed(fmt.Sprintf("deleted_from_table:%d", table))
	return nil
}
