package ducklake

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"iter"
	"slices"
	"strings"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/google/uuid"

	"lakeframe/errs"
)

// writableVersions are the catalog versions this package writes: their
// tables have every column a write fills in (0.2 names its statistics
// table differently and lacks schema versions).
var writableVersions = []string{"0.3", "0.4", "1.0"}

// checkWritable tells whether the catalog can take writes: a version
// lakeframe writes and a local data path.
func (c *Catalog) checkWritable() error {
	if !slices.Contains(writableVersions, c.version) {
		return fmt.Errorf("%w: ducklake catalog version %q is read only for lakeframe (it writes versions %s)",
			errs.ErrNotImplemented, c.version, strings.Join(writableVersions, ", "))
	}
	if hasScheme(c.dataPath) {
		return fmt.Errorf("%w: writing to data path %s: lakeframe writes ducklake data files to local directories only",
			errs.ErrNotImplemented, c.dataPath)
	}
	return nil
}

// Write writes rows into a table in one new snapshot: appended, or
// replacing all its rows (WriteOptions.Mode). A table that does not exist
// is created, in the schema the name gives ("main" by default), with the
// rows' columns; the schema must exist. Columns are matched to the
// table's by name; each must be there, with a type that casts to the
// column's. Data files are written first, under the table's directory,
// and registered with their column statistics in one catalog
// transaction; when that fails they are removed. An append of no rows
// to an existing table commits nothing and returns the latest snapshot.
func (c *Catalog) Write(ctx context.Context, table string, schema *arrow.Schema, rows iter.Seq2[arrow.RecordBatch, error], opts WriteOptions) (Snapshot, error) {
	what := "write ducklake table " + table
	if schema == nil || rows == nil {
		return Snapshot{}, fmt.Errorf("%s: %w: no schema or no rows given", what, errs.ErrPlan)
	}
	if err := c.checkWritable(); err != nil {
		return Snapshot{}, fmt.Errorf("%s: %w", what, err)
	}
	tgt, err := c.writeTarget(ctx, table, schema, opts.PartitionBy)
	if err != nil {
		return Snapshot{}, fmt.Errorf("%s: %w", what, err)
	}
	files, err := tgt.writeRows(ctx, rows, opts)
	if err != nil {
		return Snapshot{}, fmt.Errorf("%s: %w", what, err)
	}
	if len(files) == 0 && tgt.table != nil && opts.Mode == Append {
		return tgt.table.Snapshot, nil
	}
	snap, err := c.commit(ctx, opts, what, func(ctx context.Context, tx *catalogTx, base Snapshot, next *snapshotState) error {
		id, err := tgt.prepare(ctx, tx, base, next)
		if err != nil {
			return err
		}
		if opts.Mode == Overwrite {
			if err := tx.truncate(ctx, id, next); err != nil {
				return err
			}
		}
		return tx.addDataFiles(ctx, id, tgt.cols, tgt.spec, files, next)
	})
	if err != nil {
		removeFiles(files)
		return Snapshot{}, err
	}
	return snap, nil
}

// writeTarget is the table a write goes to, existing or to be created.
type writeTarget struct {
	c          *Catalog
	schemaName string
	tableName  string
	schemaID   int64
	table      *Table // nil: the write creates the table
	cols       []Column
	dir        string // the table directory
	source     []int  // per table column, the written column that feeds it
	inSchema   *arrow.Schema
	outSchema  *arrow.Schema // the table's columns as Arrow types
	// spec is the table's partitioning (nil: none); for a new table, the
	// one WriteOptions.PartitionBy asks for, its id given at commit.
	spec *partitionSpec
}

// rowWriter writes a table's rows into data files: one stream of files,
// or one per partition.
type rowWriter interface {
	write(rec arrow.RecordBatch) error
	close() ([]*writtenFile, error)
	abort()
}

var (
	_ rowWriter = (*dataFileWriter)(nil)
	_ rowWriter = (*partitionedWriter)(nil)
)

// newRowWriter writes files of cols under dir, by partition when spec is
// not nil.
func newRowWriter(dir string, cols []Column, spec *partitionSpec, opts WriteOptions) (rowWriter, error) {
	if spec != nil {
		return newPartitionedWriter(dir, cols, spec, opts), nil
	}
	return newDataFileWriter(dir, cols, opts)
}

// writeTarget resolves name at the latest snapshot, or plans a new table
// with the columns of schema.
func (c *Catalog) writeTarget(ctx context.Context, name string, schema *arrow.Schema, partitionBy []PartitionKey) (*writeTarget, error) {
	t, err := c.Table(ctx, name)
	if err == nil {
		spec, err := t.partitioning(ctx, t.Snapshot.ID)
		if err != nil {
			return nil, err
		}
		if len(partitionBy) > 0 {
			want, err := newPartitionSpec(t.QualifiedName(), t.Columns, partitionBy)
			if err != nil {
				return nil, err
			}
			if !want.sameKeys(spec) {
				return nil, fmt.Errorf("%w: ducklake table %s exists, partitioned by %s, not %s; lakeframe does not change a table's partitioning",
					errs.ErrPlan, t.QualifiedName(), spec, want)
			}
		}
		tgt := &writeTarget{c: c, schemaName: t.Schema, tableName: t.Name, table: t, cols: t.Columns, dir: t.Path, inSchema: schema, spec: spec}
		if hasScheme(t.Path) {
			return nil, fmt.Errorf("%w: table %s lives at %s: lakeframe writes ducklake data files to local directories only",
				errs.ErrNotImplemented, t.QualifiedName(), t.Path)
		}
		if tgt.source, err = matchColumns(t.QualifiedName(), t.Columns, schema); err != nil {
			return nil, err
		}
		return tgt, nil
	}
	if !errors.Is(err, errs.ErrPlan) || !strings.Contains(err.Error(), "does not exist") {
		return nil, err
	}
	schemaName, tableName, ok := strings.Cut(name, ".")
	if !ok {
		schemaName, tableName = "main", name
	}
	if tableName == "" || strings.ContainsAny(tableName, `/\`) {
		return nil, fmt.Errorf("%w: %q is not a table name to create", errs.ErrPlan, name)
	}
	snap, err := c.snapshot(ctx, nil)
	if err != nil {
		return nil, err
	}
	schemas, err := c.schemas(ctx, snap.ID)
	if err != nil {
		return nil, err
	}
	i := slices.IndexFunc(schemas, func(s schemaRow) bool { return s.name == schemaName })
	if i < 0 {
		names, _ := c.Schemas(ctx, AtSnapshot(snap.ID))
		return nil, fmt.Errorf("%w: cannot create ducklake table %s.%s: schema %q does not exist at snapshot %d; schemas: %s",
			errs.ErrPlan, schemaName, tableName, schemaName, snap.ID, strings.Join(names, ", "))
	}
	s := schemas[i]
	cols, err := newColumns(schemaName+"."+tableName, schema)
	if err != nil {
		return nil, err
	}
	spec, err := newPartitionSpec(schemaName+"."+tableName, cols, partitionBy)
	if err != nil {
		return nil, err
	}
	dir := joinPath(joinPath(c.dataPath, s.path, s.relative), tableName+"/", true)
	tgt := &writeTarget{c: c, schemaName: schemaName, tableName: tableName, schemaID: s.id, cols: cols, dir: dir, inSchema: schema, spec: spec}
	tgt.source = make([]int, len(cols))
	for k := range tgt.source {
		tgt.source[k] = k
	}
	return tgt, nil
}

// newColumns are the columns of a new table: the written columns in
// order, with column ids from 1 as DuckDB numbers them.
func newColumns(table string, schema *arrow.Schema) ([]Column, error) {
	if schema.NumFields() == 0 {
		return nil, fmt.Errorf("%w: cannot create ducklake table %s without columns", errs.ErrPlan, table)
	}
	seen := map[string]bool{}
	cols := make([]Column, schema.NumFields())
	for i, f := range schema.Fields() {
		if seen[strings.ToLower(f.Name)] {
			return nil, fmt.Errorf("%w: cannot create ducklake table %s: column name %q appears twice", errs.ErrPlan, table, f.Name)
		}
		seen[strings.ToLower(f.Name)] = true
		typ, err := columnType(f.Name, f.Type)
		if err != nil {
			return nil, err
		}
		cols[i] = Column{ID: int64(i + 1), Name: f.Name, Type: typ, Nullable: true, Position: i}
	}
	return cols, nil
}

// matchColumns finds, for each table column, the written column of the
// same name (exactly, else ignoring case as DuckDB does).
func matchColumns(table string, cols []Column, schema *arrow.Schema) ([]int, error) {
	source := make([]int, len(cols))
	used := make([]bool, schema.NumFields())
	var missing []string
	for i, c := range cols {
		source[i] = -1
		for k, f := range schema.Fields() {
			if f.Name == c.Name {
				source[i] = k
				break
			}
		}
		if source[i] < 0 {
			for k, f := range schema.Fields() {
				if strings.EqualFold(f.Name, c.Name) {
					source[i] = k
					break
				}
			}
		}
		if source[i] < 0 {
			missing = append(missing, c.Name)
			continue
		}
		used[source[i]] = true
	}
	var extra []string
	for k, u := range used {
		if !u {
			extra = append(extra, schema.Field(k).Name)
		}
	}
	if len(missing) > 0 || len(extra) > 0 {
		names := make([]string, len(cols))
		for i, c := range cols {
			names[i] = c.Name
		}
		var why []string
		if len(missing) > 0 {
			why = append(why, "missing "+strings.Join(missing, ", "))
		}
		if len(extra) > 0 {
			why = append(why, "not in the table: "+strings.Join(extra, ", "))
		}
		return nil, fmt.Errorf("%w: the written columns do not match ducklake table %s (columns %s): %s",
			errs.ErrPlan, table, strings.Join(names, ", "), strings.Join(why, "; "))
	}
	return source, nil
}

// writeRows streams the rows into data files. On an error the files
// written so far are removed.
func (tgt *writeTarget) writeRows(ctx context.Context, rows iter.Seq2[arrow.RecordBatch, error], opts WriteOptions) ([]*writtenFile, error) {
	var err error
	if tgt.outSchema, err = arrowSchema(tgt.cols); err != nil {
		return nil, err
	}
	w, err := newRowWriter(tgt.dir, tgt.cols, tgt.spec, opts)
	if err != nil {
		return nil, err
	}
	fail := func(err error) ([]*writtenFile, error) {
		w.abort()
		return nil, err
	}
	for rec, err := range rows {
		if err != nil {
			return fail(err)
		}
		if err := ctx.Err(); err != nil {
			rec.Release()
			return fail(err)
		}
		err = tgt.writeBatch(w, rec, opts)
		rec.Release()
		if err != nil {
			return fail(err)
		}
	}
	return w.close()
}

// writeBatch puts a written batch's columns in table order, cast to the
// table's types, and writes it.
func (tgt *writeTarget) writeBatch(w rowWriter, rec arrow.RecordBatch, opts WriteOptions) error {
	cols := make([]arrow.Array, len(tgt.cols))
	defer releaseAll(cols)
	schema := tgt.outSchema
	for i, src := range tgt.source {
		to := schema.Field(i).Type
		a, err := conform(opts.mem(), rec.Column(src), to)
		if err != nil {
			return fmt.Errorf("%w: column %s: %s does not cast to the table's %s: %w", errs.ErrPlan, tgt.cols[i].Name, rec.Column(src).DataType(), tgt.cols[i].Type, err)
		}
		cols[i] = a
	}
	out := array.NewRecordBatch(schema, cols, rec.NumRows())
	defer out.Release()
	return w.write(out)
}

// prepare checks, at the latest snapshot base, that the table the files
// were written for is still there with the same columns, or creates it.
// It returns the table id.
func (tgt *writeTarget) prepare(ctx context.Context, tx *catalogTx, base Snapshot, next *snapshotState) (int64, error) {
	qualified := tgt.schemaName + "." + tgt.tableName
	all, err := tgt.c.tables(ctx, base.ID)
	if err != nil {
		return 0, err
	}
	row, err := findTable(all, qualified, base.ID)
	if err == nil {
		// The table exists: the one written for, or one a concurrent
		// writer created; either way its columns must be those the
		// files hold.
		if tgt.table != nil && row.id != tgt.table.ID {
			return 0, fmt.Errorf("%w: ducklake table %s was dropped and created again while writing", errs.ErrPlan, qualified)
		}
		cols, err := tgt.c.columns(ctx, row.id, base.ID)
		if err != nil {
			return 0, err
		}
		if !sameColumns(cols, tgt.cols) {
			return 0, fmt.Errorf("%w: the columns of ducklake table %s changed while writing (now %s, written %s)",
				errs.ErrPlan, qualified, describeColumns(cols), describeColumns(tgt.cols))
		}
		t := &Table{ID: row.id, Schema: tgt.schemaName, Name: tgt.tableName, Columns: cols, cat: tgt.c}
		spec, err := t.partitioning(ctx, base.ID)
		if err != nil {
			return 0, err
		}
		if !spec.sameKeys(tgt.spec) {
			return 0, fmt.Errorf("%w: the partitioning of ducklake table %s changed while writing (now %s, written %s)",
				errs.ErrPlan, qualified, spec, tgt.spec)
		}
		if spec != nil {
			tgt.spec.id = spec.id
		}
		return row.id, nil
	}
	if tgt.table != nil {
		return 0, fmt.Errorf("%w: ducklake table %s was dropped while writing", errs.ErrPlan, qualified)
	}
	return tx.createTable(ctx, tgt, next)
}

// createTable adds the table and its columns, in the new snapshot.
func (tx *catalogTx) createTable(ctx context.Context, tgt *writeTarget, next *snapshotState) (int64, error) {
	id := next.catalogID()
	if err := tx.exec(ctx, "INSERT INTO "+tx.c.table("ducklake_table")+
		" (table_id, table_uuid, begin_snapshot, end_snapshot, schema_id, table_name, path, path_is_relative) VALUES (?, ?, ?, NULL, ?, ?, ?, ?)",
		id, uuid.Must(uuid.NewV7()).String(), next.id, tgt.schemaID, tgt.tableName, tgt.tableName+"/", true); err != nil {
		return 0, err
	}
	for i, c := range tgt.cols {
		if err := tx.exec(ctx, "INSERT INTO "+tx.c.table("ducklake_column")+
			" (column_id, begin_snapshot, end_snapshot, table_id, column_order, column_name, column_type, initial_default, default_value, nulls_allowed, parent_column)"+
			" VALUES (?, ?, NULL, ?, ?, ?, ?, NULL, NULL, ?, NULL)",
			c.ID, next.id, id, int64(i+1), c.Name, c.Type, true); err != nil {
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

// sameColumns reports whether two column lists have the same ids, names
// and types in the same order.
func sameColumns(a, b []Column) bool {
	return slices.EqualFunc(a, b, func(x, y Column) bool { return x.ID == y.ID && x.Name == y.Name && x.Type == y.Type })
}

func describeColumns(cols []Column) string {
	parts := make([]string, len(cols))
	for i, c := range cols {
		parts[i] = fmt.Sprintf("%s %s", c.Name, c.Type)
	}
	return "(" + strings.Join(parts, ", ") + ")"
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
