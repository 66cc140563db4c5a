package iceberg

import (
	"context"
	"errors"
	"fmt"
	"io"
	"slices"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/iceberg-go/table"

	"lakeframe/errs"
	"lakeframe/exec/eval"
	"lakeframe/exec/kernel"
)

// fileChange is what a change does to one data file.
type fileChange struct {
	task table.FileScanTask
	// matched are the positions of the file's live rows that match, in
	// increasing order.
	matched []int64
	// out are the rows to write: for copy-on-write the file's live rows
	// that do not match, then (updates) the new versions of those that do.
	out []arrow.RecordBatch
	// whole: every row of the file matches; it was not read.
	whole bool
}

func (fc *fileChange) changed() bool { return fc.whole || len(fc.matched) > 0 }

// scanFile reads a data file whole, in order, so that the n-th row read is
// at position n; skips the rows its positional delete files delete; and
// evaluates the condition on the others.
func (c *rowChange) scanFile(ctx context.Context, ft table.FileScanTask) (*fileChange, error) {
	path := ft.File.FilePath()
	if c.wholeFiles {
		// Read the delete files only, to know which ones dangle after.
		if _, err := c.deletedPositions(ctx, ft); err != nil {
			return nil, err
		}
		return &fileChange{task: ft, whole: true}, nil
	}
	if len(ft.EqualityDeleteFiles) > 0 || len(ft.DeletionVectorFiles) > 0 {
		return nil, fmt.Errorf("%w: data file %s has equality deletes or deletion vectors; row-level changes handle positional deletes only",
			errs.ErrNotImplemented, path)
	}
	deleted, err := c.deletedPositions(ctx, ft)
	if err != nil {
		return nil, err
	}
	whole := ft
	whole.DeleteFiles, whole.EqualityDeleteFiles, whole.DeletionVectorFiles = nil, nil, nil
	task := &Task{Files: []table.FileScanTask{whole}}
	fr, err := c.src.openFile(ctx, task, whole, c.src.schema, c.mem, 0)
	if err != nil {
		return nil, err
	}
	defer fr.close()

	fc := &fileChange{task: ft}
	var kept, updated []arrow.RecordBatch
	fail := func(err error) (*fileChange, error) {
		releaseAll(kept)
		releaseAll(updated)
		return nil, err
	}
	var pos int64
	next := 0 // index of the first deleted position not passed yet
	for {
		rec, err := fr.next(ctx)
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return fail(err)
		}
		k, u, err := c.scanBatch(ctx, rec, pos, deleted, &next, fc)
		pos += rec.NumRows()
		rec.Release()
		if err != nil {
			return fail(fmt.Errorf("%w: data file %s: %w", errs.ErrExec, path, err))
		}
		if k != nil {
			kept = append(kept, k)
		}
		if u != nil {
			updated = append(updated, u)
		}
	}
	if pos != ft.File.Count() {
		return fail(fmt.Errorf("%w: data file %s: read %d rows, its manifest says %d", errs.ErrExec, path, pos, ft.File.Count()))
	}
	if len(fc.matched) == 0 {
		releaseAll(kept)
		releaseAll(updated)
		return fc, nil
	}
	fc.out = append(kept, updated...)
	return fc, nil
}

// scanBatch evaluates the condition on rec, whose first row is at
// position base, and returns the rows copy-on-write keeps (nil for
// merge-on-read) and the updated versions of the matching rows (nil for a
// delete). next walks deleted along with the positions.
func (c *rowChange) scanBatch(ctx context.Context, rec arrow.RecordBatch, base int64, deleted []int64, next *int, fc *fileChange) (kept, updated arrow.RecordBatch, err error) {
	mask, err := eval.EvalPredicate(ctx, c.mem, c.where, rec)
	if err != nil {
		return nil, nil, err
	}
	defer mask.Release()
	n := int(rec.NumRows())
	matchB := array.NewBooleanBuilder(c.mem)
	defer matchB.Release()
	keepB := array.NewBooleanBuilder(c.mem)
	defer keepB.Release()
	matchB.Reserve(n)
	keepB.Reserve(n)
	matches := 0
	for i := 0; i < n; i++ {
		p := base + int64(i)
		for *next < len(deleted) && deleted[*next] < p {
			*next++
		}
		live := *next >= len(deleted) || deleted[*next] != p
		m := live && mask.IsValid(i) && mask.Value(i)
		if m {
			fc.matched = append(fc.matched, p)
			matches++
		}
		matchB.UnsafeAppend(m)
		keepB.UnsafeAppend(live && !m)
	}
	matchMask := matchB.NewBooleanArray()
	defer matchMask.Release()
	keepMask := keepB.NewBooleanArray()
	defer keepMask.Release()

	if c.mode == CopyOnWrite {
		if kept, err = kernel.Filter(c.mem, rec, keepMask); err != nil {
			return nil, nil, err
		}
		if kept.NumRows() == 0 {
			kept.Release()
			kept = nil
		}
	}
	if len(c.set) > 0 && matches > 0 {
		if updated, err = c.updateRows(ctx, rec, matchMask); err != nil {
			if kept != nil {
				kept.Release()
			}
			return nil, nil, err
		}
	}
	return kept, updated, nil
}

// updateRows returns the rows of rec that mask selects, with the assigned
// columns replaced by their new values, computed from the old rows.
func (c *rowChange) updateRows(ctx context.Context, rec arrow.RecordBatch, mask *array.Boolean) (arrow.RecordBatch, error) {
	old, err := kernel.Filter(c.mem, rec, mask)
	if err != nil {
		return nil, err
	}
	defer old.Release()
	cols := make([]arrow.Array, old.NumCols())
	release := func() {
		for _, col := range cols {
			if col != nil {
				col.Release()
			}
		}
	}
	for _, a := range c.set {
		v, err := eval.Eval(ctx, c.mem, a.value, old)
		if err != nil {
			release()
			return nil, fmt.Errorf("set %s: %w", old.ColumnName(a.col), err)
		}
		col, err := conform(v, old.Schema().Field(a.col).Type, c.mem)
		v.Release()
		if err != nil {
			release()
			return nil, fmt.Errorf("set %s: %w", old.ColumnName(a.col), err)
		}
		cols[a.col] = col
	}
	for i := range cols {
		if cols[i] == nil {
			cols[i] = old.Column(i)
			cols[i].Retain()
		}
	}
	out := array.NewRecordBatch(old.Schema(), cols, old.NumRows())
	release()
	return out, nil
}

// deletedPositions lists, in increasing order, the positions of ft's
// data file that its positional delete files delete.
func (c *rowChange) deletedPositions(ctx context.Context, ft table.FileScanTask) ([]int64, error) {
	var out []int64
	for _, d := range ft.DeleteFiles {
		pos, err := c.src.deletedPositions(ctx, d.FilePath(), ft.File.FilePath())
		if err != nil {
			return nil, err
		}
		out = append(out, pos...)
	}
	slices.Sort(out)
	return slices.Compact(out), nil
}

func releaseAll(bs []arrow.RecordBatch) {
	for _, b := range bs {
		b.Release()
	}
}
