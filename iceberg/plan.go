package iceberg

import (
	"context"
	"fmt"
	"runtime"
	"strconv"

	iceberg "github.com/apache/iceberg-go"
	"github.com/apache/iceberg-go/table"

	"lakeframe/errs"
	"lakeframe/exec"
	"lakeframe/exec/source/prune"
	"lakeframe/expr"
	"lakeframe/plan"
)

// Plan reads the snapshot's manifest list and the manifests that the
// pushed filters cannot rule out, keeps the data files that may match,
// and packs them into tasks. With a limit (set only when every filter is
// exact), files stop being kept once those without deletes hold enough
// rows, and each task stops reading after that many rows.
func (s *Source) Plan(ctx context.Context, p plan.Pushdown) (*plan.ScanPlan, error) {
	cols := s.columns(p.Columns)
	pl, err := s.planFiles(ctx, p.Filters, p.Limit)
	if err != nil {
		return nil, err
	}
	tasks := s.pack(pl.files, cols, p.Filters, p.Limit)
	return &plan.ScanPlan{Tasks: tasks, Stats: pl.metrics.stats()}, nil
}

func (s *Source) columns(cols []string) []string {
	if cols != nil {
		return cols
	}
	cols = make([]string, s.schema.NumFields())
	for i, f := range s.schema.Fields() {
		cols[i] = f.Name
	}
	return cols
}

// planned is the outcome of planning: the file scan tasks to read (a
// large file may come as several row-group ranges) and the figures.
type planned struct {
	files   []table.FileScanTask
	metrics scanMetrics
}

// planFiles decides which data files the query reads: manifests whose
// partition summaries may match, then files whose partition values and
// column metrics may match, then (exactly) the files whose identity
// partition values satisfy the exact filters; with a limit (>= 0) only
// the files needed to reach it. Each kept file gets the delete files
// that apply to it, and large files are split at row groups.
func (s *Source) planFiles(ctx context.Context, preds []expr.Node, limit int64) (*planned, error) {
	pl := &planned{metrics: scanMetrics{snapshot: s.snap}}
	var exact []expr.Node
	compiled := make([]*prune.Predicate, 0, len(preds))
	for _, p := range preds {
		if s.exact(p) {
			exact = append(exact, p)
		} else {
			pl.metrics.residual = append(pl.metrics.residual, p.String())
		}
		compiled = append(compiled, prune.Compile(p, s.schema))
		pl.metrics.pushed = append(pl.metrics.pushed, p.String())
	}
	if s.snap == nil || limit == 0 {
		return pl, nil
	}
	manifests, err := s.manifestList()
	if err != nil {
		return nil, err
	}
	pr := s.newPruner(compiled)
	var dataManifests, deleteManifests []iceberg.ManifestFile
	for _, mf := range manifests {
		if isDeleteManifest(mf) {
			// A delete file applies only to data files of its own
			// partition (or, unpartitioned, to all): if the partition
			// cannot match, neither can those files.
			if pr.manifestMayMatch(mf) {
				deleteManifests = append(deleteManifests, mf)
			}
			continue
		}
		pl.metrics.manifestsTotal++
		if pr.manifestMayMatch(mf) {
			dataManifests = append(dataManifests, mf)
		}
	}
	pl.metrics.manifestsKept = len(dataManifests)
	if limit > 0 && len(compiled) == 0 && len(deleteManifests) == 0 {
		dataManifests = manifestsForLimit(dataManifests, limit)
	}
	dataEntries, err := s.readManifests(ctx, dataManifests)
	if err != nil {
		return nil, err
	}
	deleteEntries, err := s.readManifests(ctx, deleteManifests)
	if err != nil {
		return nil, err
	}

	var kept []plannedFile
	for _, e := range dataEntries {
		df := e.DataFile()
		pl.metrics.filesTotal++
		if df.ContentType() != iceberg.EntryContentData {
			continue
		}
		if !pr.fileMayMatch(df) {
			continue
		}
		if df.FileFormat() != iceberg.ParquetFile {
			return nil, fmt.Errorf("%w: iceberg table %s: data file %s is %s; lakeframe reads Parquet data files only",
				errs.ErrNotImplemented, name(s.tbl), df.FilePath(), df.FileFormat())
		}
		kept = append(kept, plannedFile{file: df, seq: e.SequenceNum()})
	}
	if kept, err = s.keepByPartition(ctx, kept, exact); err != nil {
		return nil, err
	}
	idx := s.newDeleteIndex(deleteEntries)
	tasks := make([]table.FileScanTask, len(kept))
	for i, f := range kept {
		tasks[i] = idx.task(f)
	}
	if limit > 0 {
		tasks = limitFiles(tasks, limit)
	}
	m := &pl.metrics
	deletes := map[string]bool{}
	for i := range tasks {
		df := tasks[i].File
		m.filesKept++
		m.bytes += df.FileSizeBytes()
		m.rows += df.Count()
		for _, d := range deleteFiles(&tasks[i]) {
			deletes[d.FilePath()] = true
		}
	}
	m.deleteFiles = len(deletes)
	if s.snap.Summary != nil {
		if n, err := strconv.Atoi(s.snap.Summary.Properties["total-data-files"]); err == nil && n > 0 {
			m.filesTotal = n
		}
	}
	for _, t := range tasks {
		pl.files = append(pl.files, s.split(t)...)
	}
	return pl, nil
}

// plannedFile is a data file kept by planning with its data sequence
// number, which decides the delete files that apply to it.
type plannedFile struct {
	file iceberg.DataFile
	seq  int64
}

// manifestsForLimit keeps, for a query with only a limit, the leading
// manifests whose live rows reach it.
func manifestsForLimit(mfs []iceberg.ManifestFile, limit int64) []iceberg.ManifestFile {
	var rows int64
	for i, mf := range mfs {
		if rows >= limit {
			return mfs[:i]
		}
		rows += mf.AddedRows() + mf.ExistingRows()
	}
	return mfs
}

// readManifests reads the live entries of manifests, a few at a time,
// in manifest order.
func (s *Source) readManifests(ctx context.Context, mfs []iceberg.ManifestFile) ([]iceberg.ManifestEntry, error) {
	out := make([][]iceberg.ManifestEntry, len(mfs))
	g, _ := exec.NewGroup(ctx, manifestReaders)
	for i, mf := range mfs {
		g.Go(func() error {
			entries, err := mf.FetchEntries(s.tio, true)
			if err != nil {
				return fmt.Errorf("%w: read manifest %s of %s: %w", errs.ErrExec, mf.FilePath(), name(s.tbl), err)
			}
			out[i] = entries
			return nil
		})
	}
	if err := g.Wait(); err != nil {
		return nil, err
	}
	var all []iceberg.ManifestEntry
	for _, es := range out {
		all = append(all, es...)
	}
	return all, nil
}

// deleteFiles lists every delete file (positional, equality, deletion
// vector) that applies to a file scan task.
func deleteFiles(ft *table.FileScanTask) []iceberg.DataFile {
	n := len(ft.DeleteFiles) + len(ft.EqualityDeleteFiles) + len(ft.DeletionVectorFiles)
	if n == 0 {
		return nil
	}
	out := make([]iceberg.DataFile, 0, n)
	out = append(out, ft.DeleteFiles...)
	out = append(out, ft.EqualityDeleteFiles...)
	return append(out, ft.DeletionVectorFiles...)
}

// limitFiles keeps the files, in planning order, until those without
// delete files hold at least limit rows by their record counts: only the
// rows of such files are certain to come out. A file split into several
// row-group ranges is kept or dropped whole.
func limitFiles(files []table.FileScanTask, limit int64) []table.FileScanTask {
	var have int64
	kept := map[string]bool{}
	out := files[:0:0]
	for i := range files {
		path := files[i].File.FilePath()
		keep, seen := kept[path]
		if !seen {
			keep = have < limit
			kept[path] = keep
			if keep && len(deleteFiles(&files[i])) == 0 {
				have += files[i].File.Count()
			}
		}
		if keep {
			out = append(out, files[i])
		}
	}
	return out
}

func (s *Source) taskBytes() int64 {
	if s.opts.TaskBytes > 0 {
		return s.opts.TaskBytes
	}
	return defaultTaskBytes
}

// manifestList reads the snapshot's manifest list once, and tells the
// table's FileIO which manifests it lists as delete manifests.
func (s *Source) manifestList() ([]iceberg.ManifestFile, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.manifests != nil {
		return s.manifests, nil
	}
	manifests, err := s.snap.Manifests(s.tio)
	if err != nil {
		return nil, fmt.Errorf("%w: read manifest list of %s: %w", errs.ErrExec, name(s.tbl), err)
	}
	for _, mf := range manifests {
		if isDeleteManifest(mf) {
			s.tio.markDeleteManifest(mf.FilePath())
		}
	}
	if manifests == nil {
		manifests = []iceberg.ManifestFile{}
	}
	s.manifests = manifests
	return manifests, nil
}

func isDeleteManifest(mf iceberg.ManifestFile) bool {
	return mf.ManifestContent() == iceberg.ManifestContentDeletes
}

// pack combines file scan tasks into lakeframe tasks of about the target
// size: small files share a task, and large files come already split at
// row groups by iceberg-go. Each task reads at most limit rows when it is
// positive.
func (s *Source) pack(files []table.FileScanTask, cols []string, preds []expr.Node, limit int64) []plan.Task {
	var total int64
	for i := range files {
		total += files[i].Length
	}
	most := s.taskBytes()
	target := max(min(total/int64(2*runtime.GOMAXPROCS(0)), most), min(minTaskBytes, most))
	var tasks []plan.Task
	var cur *Task
	for i := range files {
		n := files[i].Length
		if cur != nil && cur.Bytes+n > target {
			tasks = append(tasks, cur)
			cur = nil
		}
		if cur == nil {
			cur = &Task{Columns: cols, Filters: preds, Limit: limit}
		}
		cur.Files = append(cur.Files, files[i])
		cur.Bytes += n
	}
	if cur != nil {
		tasks = append(tasks, cur)
	}
	return tasks
}
