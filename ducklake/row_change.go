package ducklake

import (
	"context"
	"errors"
	"fmt"
	"io"
	"slices"
	"strings"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"

	"lakeframe/errs"
	"lakeframe/exec"
	"lakeframe/exec/eval"
	"lakeframe/exec/kernel"
	"lakeframe/exec/source/parquet"
	"lakeframe/expr"
)

// ChangeResult is what a delete or update did.
type ChangeResult struct {
	// Snapshot is the new snapshot, or the latest one when no row
	// matched and nothing was committed.
	Snapshot Snapshot
	// Rows is how many rows were deleted or updated.
	Rows int64
}

// errStale marks a row change whose positions were computed on files that
// a concurrent delete, update, compaction or drop has changed since: it
// is computed again on the new latest snapshot.
var errStale = errors.New("the table's files changed while the change was computed")

// DeleteRows deletes the rows of table where `where` is true, in one new
// snapshot, as the specification does: for each data file with matching
// rows a delete file of (file_path, pos) holding every position deleted
// from it so far replaces the file's previous delete file. Rows where the
// condition is NULL are kept. A delete that matches no row commits
// nothing. When another writer deleted from, altered or dropped the table
// in the meantime, the delete is computed again on the new snapshot; rows
// another writer appended meanwhile are not looked at (snapshot
// isolation).
func (c *Catalog) DeleteRows(ctx context.Context, table string, where expr.Expr, opts WriteOptions) (ChangeResult, error) {
	return c.changeRows(ctx, "delete from ducklake table "+table, table, where, nil, opts)
}

// UpdateRows sets columns of the rows of table where `where` is true, in
// one new snapshot: the old rows are deleted as DeleteRows does and their
// new versions appended in new data files. set maps column names to an
// expr.Expr over the old row or a Go literal (nil is NULL).
func (c *Catalog) UpdateRows(ctx context.Context, table string, where expr.Expr, set map[string]any, opts WriteOptions) (ChangeResult, error) {
	if len(set) == 0 {
		return ChangeResult{}, fmt.Errorf("update ducklake table %s: %w: no column to set", table, errs.ErrPlan)
	}
	return c.changeRows(ctx, "update ducklake table "+table, table, where, set, opts)
}

func (c *Catalog) changeRows(ctx context.Context, what, table string, where expr.Expr, set map[string]any, opts WriteOptions) (ChangeResult, error) {
	if err := c.checkWritable(); err != nil {
		return ChangeResult{}, fmt.Errorf("%s: %w", what, err)
	}
	for try := 0; ; try++ {
		res, err := c.tryChangeRows(ctx, what, table, where, set, opts)
		if err == nil || !errors.Is(err, errStale) || try >= opts.maxRetries() {
			return res, err
		}
	}
}

// rowChange is one delete or update resolved against a table at its
// latest snapshot.
type rowChange struct {
	t      *Table
	src    *Source
	schema *arrow.Schema
	where  expr.Node
	set    []assignment
	spec   *partitionSpec // the table's partitioning, for updated rows
	mem    memory.Allocator
	// Found while scanning:
	deletes []*writtenFile
	updated rowWriter
	rows    int64
}

// assignment is a column an update sets and its new value, cast to the
// column's type.
type assignment struct {
	col   int
	value expr.Node
}

func (c *Catalog) tryChangeRows(ctx context.Context, what, table string, where expr.Expr, set map[string]any, opts WriteOptions) (ChangeResult, error) {
	t, err := c.Table(ctx, table)
	if err != nil {
		return ChangeResult{}, fmt.Errorf("%s: %w", what, err)
	}
	rc, err := newRowChange(ctx, t, where, set, opts)
	if err != nil {
		return ChangeResult{}, fmt.Errorf("%s: %w", what, err)
	}
	if err := rc.scan(ctx); err != nil {
		rc.abort()
		return ChangeResult{}, fmt.Errorf("%s: %w", what, err)
	}
	if rc.rows == 0 {
		rc.abort()
		return ChangeResult{Snapshot: t.Snapshot}, nil
	}
	var updated []*writtenFile
	if rc.updated != nil {
		if updated, err = rc.updated.close(); err != nil {
			rc.abort()
			return ChangeResult{}, fmt.Errorf("%s: %w", what, err)
		}
	}
	snap, err := c.commit(ctx, opts, what, func(ctx context.Context, tx *catalogTx, base Snapshot, next *snapshotState) error {
		if err := rc.validate(ctx, tx, base); err != nil {
			return err
		}
		if err := tx.replaceDeleteFiles(ctx, t.ID, rc.deletes, next); err != nil {
			return err
		}
		return tx.addDataFiles(ctx, t.ID, t.Columns, rc.spec, updated, next)
	})
	if err != nil {
		removeFiles(updated)
		rc.abort()
		return ChangeResult{}, err
	}
	return ChangeResult{Snapshot: snap, Rows: rc.rows}, nil
}

func newRowChange(ctx context.Context, t *Table, where expr.Expr, set map[string]any, opts WriteOptions) (*rowChange, error) {
	spec, err := t.partitioning(ctx, t.Snapshot.ID)
	if err != nil {
		return nil, err
	}
	src, err := t.Source(SourceOptions{})
	if err != nil {
		return nil, err
	}
	rc := &rowChange{t: t, src: src, schema: src.schema, spec: spec, mem: opts.mem()}
	if where.Node() == nil {
		return nil, fmt.Errorf("%w: no condition (use expr.Lit(true) to match every row)", errs.ErrPlan)
	}
	if rc.where, err = expr.Resolve(where.Node(), rc.schema); err != nil {
		return nil, fmt.Errorf("where %s: %w", where, err)
	}
	wt, err := expr.TypeOf(rc.where, rc.schema)
	if err != nil {
		return nil, fmt.Errorf("where %s: %w", where, err)
	}
	if wt.ID() != arrow.BOOL && wt.ID() != arrow.NULL {
		return nil, fmt.Errorf("%w: where %s is %s, not boolean", errs.ErrPlan, where, wt)
	}
	if hasScheme(t.Path) {
		return nil, fmt.Errorf("%w: table %s lives at %s: lakeframe writes ducklake files to local directories only",
			errs.ErrNotImplemented, t.QualifiedName(), t.Path)
	}
	for name, v := range set {
		a, err := rc.assign(name, v)
		if err != nil {
			return nil, err
		}
		rc.set = append(rc.set, a)
	}
	slices.SortFunc(rc.set, func(a, b assignment) int { return a.col - b.col })
	if len(rc.set) > 0 {
		if rc.updated, err = newRowWriter(t.Path, t.Columns, spec, opts); err != nil {
			return nil, err
		}
	}
	return rc, nil
}

// assign resolves an update's new value for column name against the
// table's columns, cast to the column's type when it differs.
func (rc *rowChange) assign(name string, v any) (assignment, error) {
	col := rc.schema.FieldIndices(name)
	if len(col) == 0 {
		return assignment{}, fmt.Errorf("set: %w", expr.UnknownColumnError(name, rc.schema))
	}
	val, ok := v.(expr.Expr)
	if !ok {
		val = expr.Lit(v)
	}
	to := rc.schema.Field(col[0]).Type
	n, err := expr.Resolve(val.Cast(to).Node(), rc.schema)
	if err != nil {
		return assignment{}, fmt.Errorf("set %s (%s) to %s: %w", name, to, val, err)
	}
	return assignment{col: col[0], value: n}, nil
}

// scan reads every data file the condition may match and finds the
// matching live rows; it writes the delete files and, for updates, the
// new rows.
func (rc *rowChange) scan(ctx context.Context) error {
	t := rc.t
	inlined, err := t.inlinedRows(ctx, t.Columns)
	if err != nil {
		return err
	}
	if len(inlined) > 0 {
		return fmt.Errorf("%w: ducklake table %s keeps rows in the catalog (data inlining); flush them to files before changing rows with lakeframe",
			errs.ErrNotImplemented, t.QualifiedName())
	}
	files, err := t.dataFiles(ctx)
	if err != nil {
		return err
	}
	pr, err := t.newPruner(ctx, rc.schema, []expr.Node{rc.where}, files)
	if err != nil {
		return err
	}
	names, err := t.fileMappings(ctx, files)
	if err != nil {
		return err
	}
	for _, f := range files {
		if !pr.keep(f) {
			continue
		}
		if err := rc.scanFile(ctx, f, names); err != nil {
			return err
		}
	}
	return nil
}

// scanFile reads one data file whole, in order, so that the n-th row is
// at position n, and evaluates the condition on the rows not deleted yet.
func (rc *rowChange) scanFile(ctx context.Context, f *dataFile, names map[int64]*NameMapping) error {
	if f.partialMax.Valid && f.partialMax.Int64 > rc.t.Snapshot.ID {
		return fmt.Errorf("%w: data file %s holds rows of several snapshots (compaction); lakeframe does not change its rows",
			errs.ErrNotImplemented, f.path)
	}
	deleted := parquet.NewRowSet(f.rows)
	for _, p := range f.inlined {
		deleted.Add(p)
	}
	fs := fileScan(f, names)
	for i := range fs.Deletes {
		if err := readDeletes(ctx, rc.src.fs, &fs.Deletes[i], f.rows, rc.t.Snapshot.ID, deleted); err != nil {
			return err
		}
	}
	fs.Deletes, fs.InlinedDeletes = nil, nil
	task := &Task{Table: rc.t.QualifiedName(), Snapshot: rc.t.Snapshot.ID, Columns: rc.t.Columns, Files: []FileScan{fs}, Limit: -1}
	st, err := rc.src.Open(ctx, &exec.TaskContext{Mem: rc.mem}, task)
	if err != nil {
		return err
	}
	defer st.Close()
	var pos, matched int64
	for {
		rec, err := st.Next(ctx)
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return err
		}
		n, err := rc.scanBatch(ctx, rec, pos, deleted)
		pos += rec.NumRows()
		rec.Release()
		if err != nil {
			return fmt.Errorf("%w: data file %s: %w", errs.ErrExec, f.path, err)
		}
		matched += n
	}
	if pos != f.rows {
		return fmt.Errorf("%w: data file %s: read %d rows, the catalog says %d", errs.ErrExec, f.path, pos, f.rows)
	}
	if matched == 0 {
		return nil
	}
	var all []int64
	deleted.Each(0, f.rows, func(p int64) { all = append(all, p) })
	df, err := writeDeleteFile(rc.t.Path, f.path, f.id, all, rc.mem)
	if err != nil {
		return err
	}
	rc.deletes = append(rc.deletes, df)
	rc.rows += matched
	return nil
}

// scanBatch evaluates the condition on rec, whose first row is at
// position base, adds the live matching positions to deleted and, for an
// update, writes the new versions of those rows. It returns how many
// rows matched.
func (rc *rowChange) scanBatch(ctx context.Context, rec arrow.RecordBatch, base int64, deleted parquet.RowSet) (int64, error) {
	mask, err := eval.EvalPredicate(ctx, rc.mem, rc.where, rec)
	if err != nil {
		return 0, err
	}
	defer mask.Release()
	n := int(rec.NumRows())
	b := array.NewBooleanBuilder(rc.mem)
	defer b.Release()
	b.Reserve(n)
	var matched int64
	for i := 0; i < n; i++ {
		p := base + int64(i)
		m := mask.IsValid(i) && mask.Value(i) && deleted[p/64]&(1<<(p%64)) == 0
		b.UnsafeAppend(m)
		if m {
			matched++
		}
	}
	if matched == 0 {
		return 0, nil
	}
	sel := b.NewBooleanArray()
	defer sel.Release()
	for i := 0; i < n; i++ {
		if sel.Value(i) {
			deleted.Add(base + int64(i))
		}
	}
	if len(rc.set) == 0 {
		return matched, nil
	}
	return matched, rc.writeUpdated(ctx, rec, sel)
}

// writeUpdated writes the rows of rec that sel selects with the assigned
// columns replaced by their new values, computed from the old rows.
func (rc *rowChange) writeUpdated(ctx context.Context, rec arrow.RecordBatch, sel *array.Boolean) error {
	old, err := kernel.Filter(rc.mem, rec, sel)
	if err != nil {
		return err
	}
	defer old.Release()
	cols := make([]arrow.Array, old.NumCols())
	defer releaseAll(cols)
	for _, a := range rc.set {
		v, err := eval.Eval(ctx, rc.mem, a.value, old)
		if err != nil {
			return fmt.Errorf("set %s: %w", old.ColumnName(a.col), err)
		}
		cols[a.col] = v
	}
	for i := range cols {
		if cols[i] == nil {
			cols[i] = old.Column(i)
			cols[i].Retain()
		}
	}
	out := array.NewRecordBatch(rc.schema, cols, old.NumRows())
	defer out.Release()
	return rc.updated.write(out)
}

// validate checks, at the latest snapshot base, that no snapshot since
// the one scanned changed the table's existing rows or columns (deleted
// from it, compacted, altered or dropped it); appends do not matter.
func (rc *rowChange) validate(ctx context.Context, tx *catalogTx, base Snapshot) error {
	if base.ID == rc.t.Snapshot.ID {
		return nil
	}
	rows, err := tx.query(ctx, "SELECT snapshot_id, changes_made FROM "+tx.c.table("ducklake_snapshot_changes")+
		" WHERE snapshot_id > ? AND snapshot_id <= ?", rc.t.Snapshot.ID, base.ID)
	if err != nil {
		return err
	}
	defer rows.Close()
	id := fmt.Sprint(rc.t.ID)
	for rows.Next() {
		var snap int64
		var changes *string
		if err := rows.Scan(&snap, &changes); err != nil {
			return err
		}
		if changes == nil {
			continue
		}
		for entry := range strings.SplitSeq(*changes, ",") {
			kind, target, _ := strings.Cut(entry, ":")
			switch kind {
			case "deleted_from_table", "compacted_table", "altered_table", "dropped_table":
				if target == id {
					return fmt.Errorf("%w (snapshot %d: %s)", errStale, snap, entry)
				}
			}
		}
	}
	return rows.Err()
}

// abort removes the files the change wrote.
func (rc *rowChange) abort() {
	removeFiles(rc.deletes)
	rc.deletes = nil
	if rc.updated != nil {
		rc.updated.abort()
	}
}
