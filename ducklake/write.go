package ducklake

import (
	"context"
	"fmt"
	"iter"
	"slices"
	"strings"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"

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
