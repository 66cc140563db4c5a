package iceberg

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"slices"
	"strings"
	"time"

	iceio "github.com/apache/iceberg-go/io"
	"github.com/apache/iceberg-go/table"

	"lakeframe/errs"
)

// OrphanFile is a file under a table's data/ or metadata/ folder that no
// metadata of the table references: typically what a writer left behind
// when it died or failed between writing files and committing them.
type OrphanFile struct {
	// Path is the file as the table's FileIO lists it.
	Path    string
	Size    int64
	ModTime time.Time
}

// orphanDirs are the folders of a table's location that FindOrphanFiles
// searches: where writers put data, delete and metadata files. Anything
// else under the location is not the table's to judge.
var orphanDirs = []string{"data", "metadata"}

// FindOrphanFiles lists the files under tbl's data/ and metadata/ folders
// that nothing in tbl's metadata references (not the current metadata
// file, the metadata log, statistics files, any snapshot's manifest list,
// its manifests, or their data and delete files) and that were last
// modified before olderThan. Files written after olderThan are never
// reported, so that the files of a write still in flight are left alone:
// pick olderThan earlier than the start of any write that may still
// commit (Iceberg's own default is three days), and load tbl from its
// catalog right before calling, since files committed after tbl was
// loaded look unreferenced. Nothing is removed; see RemoveOrphanFiles.
//
// The table's FileIO must list files: local file:// warehouses and
// object stores (s3://, gs://, azure) do.
func FindOrphanFiles(ctx context.Context, tbl *table.Table, olderThan time.Time) ([]OrphanFile, error) {
	if tbl == nil {
		return nil, fmt.Errorf("%w: find orphan files: nil table", errs.ErrPlan)
	}
	fsys, err := tbl.FS(ctx)
	if err != nil {
		return nil, fmt.Errorf("%w: find orphan files of iceberg table %s: file io: %w", errs.ErrExec, name(tbl), err)
	}
	if _, ok := fsys.(iceio.ListableIO); !ok {
		return nil, fmt.Errorf("%w: find orphan files of iceberg table %s: its file io (%T) cannot list files",
			errs.ErrNotImplemented, name(tbl), fsys)
	}
	// iceberg-go's planner finds what the metadata references and lists
	// the location; it takes an age, from which the exact cutoff is
	// applied below on each candidate.
	age := max(time.Since(olderThan), 0)
	plan, err := tbl.PlanOrphanFiles(ctx, table.WithFilesOlderThan(age), table.WithDryRun(true))
	if err != nil {
		return nil, fmt.Errorf("%w: find orphan files of iceberg table %s under %s: %w", errs.ErrExec, name(tbl), tbl.Location(), err)
	}
	stat, _ := fsys.(iceio.StatIO)
	var out []OrphanFile
	for _, f := range plan.OrphanFiles() {
		if !inOrphanDirs(tbl.Location(), f.Path) {
			continue
		}
		o := OrphanFile{Path: f.Path, Size: f.SizeBytes}
		if stat != nil {
			info, err := stat.Stat(f.Path)
			if errors.Is(err, fs.ErrNotExist) {
				continue // removed since it was listed
			}
			if err != nil {
				return nil, fmt.Errorf("%w: find orphan files of iceberg table %s: stat %s: %w", errs.ErrExec, name(tbl), f.Path, err)
			}
			if !info.ModTime().Before(olderThan) {
				continue
			}
			o.Size, o.ModTime = info.Size(), info.ModTime()
		}
		out = append(out, o)
	}
	slices.SortFunc(out, func(a, b OrphanFile) int { return strings.Compare(a.Path, b.Path) })
	return out, nil
}

// RemoveOrphanFiles deletes files that FindOrphanFiles reported for tbl.
// It refuses, before deleting anything, any file outside tbl's data/ and
// metadata/ folders. Files already gone are not an error.
func RemoveOrphanFiles(ctx context.Context, tbl *table.Table, files []OrphanFile) error {
	if tbl == nil {
		return fmt.Errorf("%w: remove orphan files: nil table", errs.ErrPlan)
	}
	paths := make([]string, 0, len(files))
	for _, f := range files {
		if !inOrphanDirs(tbl.Location(), f.Path) {
			return fmt.Errorf("%w: remove orphan files of iceberg table %s: %s is not under its data or metadata folder %s",
				errs.ErrPlan, name(tbl), f.Path, tbl.Location())
		}
		paths = append(paths, f.Path)
	}
	if len(paths) == 0 {
		return nil
	}
	fsys, err := tbl.FS(ctx)
	if err != nil {
		return fmt.Errorf("%w: remove orphan files of iceberg table %s: file io: %w", errs.ErrExec, name(tbl), err)
	}
	if bulk, ok := fsys.(iceio.BulkRemovableIO); ok {
		if _, err := bulk.DeleteFiles(ctx, paths); err != nil {
			return fmt.Errorf("%w: remove orphan files of iceberg table %s: %w", errs.ErrExec, name(tbl), err)
		}
		return nil
	}
	var failed []error
	for _, p := range paths {
		if err := ctx.Err(); err != nil {
			return fmt.Errorf("remove orphan files of iceberg table %s: %w", name(tbl), err)
		}
		if err := fsys.Remove(p); err != nil && !errors.Is(err, fs.ErrNotExist) {
			failed = append(failed, fmt.Errorf("remove %s: %w", p, err))
		}
	}
	if len(failed) > 0 {
		return fmt.Errorf("%w: remove orphan files of iceberg table %s: %w", errs.ErrExec, name(tbl), errors.Join(failed...))
	}
	return nil
}

// inOrphanDirs reports whether path lies in one of the orphanDirs of the
// table at location. Local paths are compared without their file://
// scheme, which listings drop.
func inOrphanDirs(location, path string) bool {
	loc := strings.TrimSuffix(stripFileScheme(location), "/")
	p := stripFileScheme(path)
	if strings.Contains(p, "/../") || strings.HasSuffix(p, "/..") {
		return false
	}
	for _, d := range orphanDirs {
		if strings.HasPrefix(p, loc+"/"+d+"/") {
			return true
		}
	}
	return false
}

// stripFileScheme turns file:///a/b and file:/a/b into /a/b; other paths
// are returned as they are.
func stripFileScheme(p string) string {
	if rest, ok := strings.CutPrefix(p, "file://"); ok {
		return rest
	}
	if rest, ok := strings.CutPrefix(p, "file:"); ok {
		return rest
	}
	return p
}
