package iceberg

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	iceberg "github.com/apache/iceberg-go"
	"github.com/apache/iceberg-go/table"

	"lakeframe/errs"
)

// ErrCommitConflict marks a write that kept losing to concurrent commits
// until its retries ran out; nothing of it is in the table.
var ErrCommitConflict = errors.New("iceberg commit conflict")

// commitWithRetry commits files to tbl in one snapshot. A conflict (a
// concurrent writer moved the branch first) re-plans the snapshot on the
// refreshed table, reusing the data files, after a jittered backoff; the
// metadata files of the lost attempt are removed. When retries run out or
// a commit fails cleanly, the data files are removed too. When the
// catalog may have accepted a commit despite the error, nothing is
// removed.
func commitWithRetry(ctx context.Context, tbl *table.Table, files []iceberg.DataFile, mode WriteMode, props iceberg.Properties) (*table.Table, error) {
	policy := retryPolicyOf(tbl.Properties())
	start := time.Now()
	cur := tbl
	for attempt := 1; ; attempt++ {
		out, st, err := commitOnce(ctx, cur, files, mode, props)
		if err == nil {
			return out, nil
		}
		if st == commitUnknown {
			return nil, fmt.Errorf("%w: commit to iceberg table %s (attempt %d; state unknown, its %d data files were kept): %w",
				errs.ErrExec, name(tbl), attempt, len(files), err)
		}
		if st == commitRejected || !isConflict(err) {
			removeDataFiles(ctx, tbl, files)
			return nil, fmt.Errorf("%w: commit to iceberg table %s: %w", errs.ErrExec, name(tbl), err)
		}
		wait := policy.backoff(attempt)
		if attempt > policy.retries || time.Since(start)+wait > policy.total {
			removeDataFiles(ctx, tbl, files)
			return nil, fmt.Errorf("%w: table %s: gave up after %d attempts in %s (commit.retry.num-retries=%d): %w",
				ErrCommitConflict, name(tbl), attempt, time.Since(start).Round(time.Millisecond), policy.retries, err)
		}
		if err := sleep(ctx, wait); err != nil {
			removeDataFiles(ctx, tbl, files)
			return nil, fmt.Errorf("commit to iceberg table %s: %w", name(tbl), err)
		}
		fresh := *cur
		if err := fresh.Refresh(ctx); err != nil {
			removeDataFiles(ctx, tbl, files)
			return nil, fmt.Errorf("%w: refresh iceberg table %s for commit retry: %w", errs.ErrExec, name(tbl), err)
		}
		cur = &fresh
	}
}

// commitState says what a failed commit attempt left behind.
type commitState int

const (
	// commitRejected: the snapshot could not be planned; nothing was sent.
	commitRejected commitState = iota
	// commitRefused: the catalog refused the commit; retrying may succeed.
	commitRefused
	// commitUnknown: the catalog may have accepted the commit.
	commitUnknown
)

// commitOnce plans one snapshot with files on tbl's current state and
// commits it. On a refused commit it removes the manifests and manifest
// list it wrote.
func commitOnce(ctx context.Context, tbl *table.Table, files []iceberg.DataFile, mode WriteMode, props iceberg.Properties) (*table.Table, commitState, error) {
	txn := tbl.NewTransaction()
	var err error
	switch mode {
	case Overwrite, OverwritePartitions:
		// What is replaced depends on the snapshot: pin it, so that a
		// concurrent commit makes this attempt fail and the next one
		// plans again, rather than iceberg-go replaying it as it is.
		if err = txn.AssertRefSnapshotID(table.MainBranch); err != nil {
			break
		}
		var data, deletes []iceberg.DataFile
		data, deletes, err = liveFiles(ctx, tbl)
		if err == nil && mode == OverwritePartitions {
			data, deletes = partitionsOverwritten(files, data, deletes)
		}
		if err == nil {
			err = txn.ReplaceFiles(ctx, data, files, deletes, props, table.WithoutDuplicateCheck())
		}
	default:
		err = txn.AddDataFiles(ctx, files, props, table.WithoutDuplicateCheck())
	}
	if err != nil {
		return nil, commitRejected, err
	}
	return commitTxn(ctx, tbl, txn)
}

// commitTxn commits a transaction planned on tbl. On a refused commit it
// removes the manifests and manifest list the attempt wrote.
func commitTxn(ctx context.Context, tbl *table.Table, txn *table.Transaction) (*table.Table, commitState, error) {
	staged, err := txn.StagedTable()
	if err != nil {
		return nil, commitRejected, err
	}
	out, err := txn.Commit(ctx)
	if err == nil {
		return out, 0, nil
	}
	if errors.Is(err, table.ErrCommitFailed) || isConflict(err) {
		removePaths(ctx, tbl, newMetadataFiles(ctx, tbl, staged.Table))
		return nil, commitRefused, err
	}
	return nil, commitUnknown, err
}

// isConflict reports whether err says another writer committed first:
// the catalog's compare-and-swap lost (ErrCommitFailed), or the SQL
// catalog found the branch moved (or created, on a table's first
// snapshot) while checking the commit's requirements, before it wrote
// anything. iceberg-go does not retry the latter itself and gives them no
// sentinel, so they are told by their text.
func isConflict(err error) bool {
	if errors.Is(err, table.ErrCommitFailed) {
		return true
	}
	msg := err.Error()
	return strings.Contains(msg, "requirement failed: branch ") &&
		(strings.Contains(msg, " has changed") || strings.Contains(msg, " was created concurrently"))
}

// liveFiles lists the data and delete files of tbl's current snapshot.
func liveFiles(ctx context.Context, tbl *table.Table) (data, deletes []iceberg.DataFile, err error) {
	snap := tbl.CurrentSnapshot()
	if snap == nil {
		return nil, nil, nil
	}
	fs, err := tbl.FS(ctx)
	if err != nil {
		return nil, nil, err
	}
	manifests, err := snap.Manifests(fs)
	if err != nil {
		return nil, nil, err
	}
	for _, m := range manifests {
		entries, err := m.FetchEntries(fs, true)
		if err != nil {
			return nil, nil, err
		}
		for _, e := range entries {
			if m.ManifestContent() == iceberg.ManifestContentData {
				data = append(data, e.DataFile())
			} else {
				deletes = append(deletes, e.DataFile())
			}
		}
	}
	return data, deletes, nil
}

// newMetadataFiles lists the manifest lists and manifests that staged's
// snapshots added over base: the metadata a refused attempt wrote.
func newMetadataFiles(ctx context.Context, base, staged *table.Table) []string {
	fs, err := staged.FS(ctx)
	if err != nil {
		return nil
	}
	var paths []string
	for _, s := range staged.Metadata().Snapshots() {
		if base.SnapshotByID(s.SnapshotID) != nil || s.ManifestList == "" {
			continue
		}
		paths = append(paths, s.ManifestList)
		manifests, err := s.Manifests(fs)
		if err != nil {
			continue
		}
		for _, m := range manifests {
			if m.SnapshotID() == s.SnapshotID {
				paths = append(paths, m.FilePath())
			}
		}
	}
	return paths
}

// removePaths deletes unreferenced files, best effort.
func removePaths(ctx context.Context, tbl *table.Table, paths []string) {
	if len(paths) == 0 {
		return
	}
	fs, err := tbl.FS(ctx)
	if err != nil {
		return
	}
	for _, p := range paths {
		_ = fs.Remove(p)
	}
}

func sleep(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return context.Cause(ctx)
	case <-t.C:
		return nil
	}
}
