package iceberg

import (
	"context"
	"fmt"
	"iter"
	"time"

	"github.com/apache/arrow-go/v18/arrow"
	iceberg "github.com/apache/iceberg-go"
	"github.com/apache/iceberg-go/table"

	"lakeframe/errs"
	"lakeframe/expr"
)

// changeRows runs a delete (set is nil) or an update as one commit. Each
// attempt plans on the table's current snapshot and pins it: a commit
// that loses to a concurrent writer is not replayed over rows that may
// have changed, but its files are removed and the change planned again on
// the refreshed table, up to the table's commit.retry.* settings.
func changeRows(ctx context.Context, tbl *table.Table, where expr.Expr, set map[string]any, o RowChangeOptions) (*table.Table, error) {
	if tbl == nil {
		return nil, fmt.Errorf("%w: nil table", errs.ErrPlan)
	}
	key := DeleteModeKey
	if set != nil {
		key = UpdateModeKey
	}
	run := func(cur *table.Table) (*rowChange, error) {
		mode, err := resolveMode(cur, o.Mode, key)
		if err != nil {
			return nil, err
		}
		return newRowChange(cur, where, set, mode, o.mem())
	}
	out, _, err := retryChange(ctx, tbl, func(ctx context.Context, cur *table.Table) (*table.Table, []string, commitState, error) {
		c, err := run(cur)
		if err != nil {
			return nil, nil, commitRejected, err
		}
		return c.apply(ctx, cur, nil, o)
	})
	return out, err
}

// attemptFunc makes one attempt at a change on cur. It returns the paths
// of the files it wrote, which the caller removes unless the commit
// succeeded or its outcome is unknown.
type attemptFunc func(ctx context.Context, cur *table.Table) (*table.Table, []string, commitState, error)

// retryChange runs attempt until it commits, fails for another reason
// than a conflict, or the table's retry settings run out. unknown says
// the catalog may have accepted the failed commit.
func retryChange(ctx context.Context, tbl *table.Table, attempt attemptFunc) (out *table.Table, unknown bool, err error) {
	policy := retryPolicyOf(tbl.Properties())
	start := time.Now()
	cur := tbl
	for n := 1; ; n++ {
		out, written, st, err := attempt(ctx, cur)
		if err == nil {
			return out, false, nil
		}
		if st == commitUnknown {
			return nil, true, fmt.Errorf("%w: commit to iceberg table %s (attempt %d; state unknown, its %d new files were kept): %w",
				errs.ErrExec, name(tbl), n, len(written), err)
		}
		removePaths(ctx, cur, written)
		if st == commitRejected || !isConflict(err) {
			return nil, false, err
		}
		wait := policy.backoff(n)
		if n > policy.retries || time.Since(start)+wait > policy.total {
			return nil, false, fmt.Errorf("%w: table %s: gave up after %d attempts in %s (commit.retry.num-retries=%d): %w",
				ErrCommitConflict, name(tbl), n, time.Since(start).Round(time.Millisecond), policy.retries, err)
		}
		if err := sleep(ctx, wait); err != nil {
			return nil, false, fmt.Errorf("commit to iceberg table %s: %w", name(tbl), err)
		}
		fresh := *cur
		if err := fresh.Refresh(ctx); err != nil {
			return nil, false, fmt.Errorf("%w: refresh iceberg table %s for commit retry: %w", errs.ErrExec, name(tbl), err)
		}
		cur = &fresh
	}
}

// apply plans the change on tbl's current snapshot, writes its files and
// commits them, with extra data files added in the same snapshot. A
// change that touches no row and adds nothing commits nothing and returns
// tbl.
func (c *rowChange) apply(ctx context.Context, tbl *table.Table, extra []iceberg.DataFile, o RowChangeOptions) (*table.Table, []string, commitState, error) {
	tasks, err := c.targets(ctx)
	if err != nil {
		return nil, nil, commitRejected, err
	}
	var changed []*fileChange
	var written []string
	var data []iceberg.DataFile
	if len(tasks) > 0 {
		data, err = writeDataFiles(ctx, tbl, c.src.schema, c.outputs(ctx, tasks, &changed), o.TargetFileSize)
		for _, f := range data {
			written = append(written, f.FilePath())
		}
		if err != nil {
			return nil, written, commitRejected, fmt.Errorf("%w: write data files: %w", errs.ErrExec, err)
		}
	}
	if len(changed) == 0 && len(extra) == 0 {
		return tbl, written, 0, nil
	}

	txn := tbl.NewTransaction()
	if err := txn.AssertRefSnapshotID(table.MainBranch); err != nil {
		return nil, written, commitRejected, err
	}
	props := o.props()
	if c.mode == MergeOnRead {
		var deletes []iceberg.DataFile
		for _, fc := range changed {
			d, err := writePositionDeletes(ctx, tbl, fc.task.File, fc.matched, c.mem)
			if err != nil {
				return nil, written, commitRejected, fmt.Errorf("%w: %w", errs.ErrExec, err)
			}
			written = append(written, d.FilePath())
			deletes = append(deletes, d)
		}
		rd := txn.NewRowDelta(props)
		rd.AddRows(append(data, extra...)...)
		rd.AddDeletes(deletes...)
		err = rd.Commit(ctx)
	} else {
		removed, dangling := c.replaced(ctx, changed)
		err = txn.ReplaceFiles(ctx, removed, append(data, extra...), dangling, props, table.WithoutDuplicateCheck())
	}
	if err != nil {
		return nil, written, commitRejected, err
	}
	out, st, err := commitTxn(ctx, tbl, txn)
	return out, written, st, err
}

// outputs reads the target files one after another and yields the rows to
// write; it appends each file with matching rows to changed.
func (c *rowChange) outputs(ctx context.Context, tasks []table.FileScanTask, changed *[]*fileChange) iter.Seq2[arrow.RecordBatch, error] {
	return func(yield func(arrow.RecordBatch, error) bool) {
		for _, ft := range tasks {
			fc, err := c.scanFile(ctx, ft)
			if err != nil {
				yield(nil, err)
				return
			}
			if !fc.changed() {
				continue
			}
			*changed = append(*changed, fc)
			out := fc.out
			fc.out = nil
			for i, b := range out {
				if !yield(b, nil) {
					releaseAll(out[i+1:])
					return
				}
			}
		}
	}
}

// replaced returns the data files copy-on-write replaces and the
// positional delete files left with nothing to apply to: every data file
// they name is replaced.
func (c *rowChange) replaced(ctx context.Context, changed []*fileChange) (removed, dangling []iceberg.DataFile) {
	gone := map[string]bool{}
	for _, fc := range changed {
		removed = append(removed, fc.task.File)
		gone[c.src.resolvePath(fc.task.File.FilePath())] = true
	}
	seen := map[string]bool{}
	for _, fc := range changed {
		for _, d := range fc.task.DeleteFiles {
			if seen[d.FilePath()] {
				continue
			}
			seen[d.FilePath()] = true
			// Read (and cached) already, to find the changed rows.
			targets, err := c.src.positionDeleteFile(ctx, d.FilePath())
			all := err == nil
			for target := range targets {
				all = all && gone[target]
			}
			if all {
				dangling = append(dangling, d)
			}
		}
	}
	return removed, dangling
}
