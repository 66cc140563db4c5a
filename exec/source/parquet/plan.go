package parquet

import (
	"context"
	"runtime"

	"github.com/apache/arrow-go/v18/parquet/metadata"

	"lakeframe/exec"
	"lakeframe/exec/source/files"
	"lakeframe/exec/source/internal/filescan"
	"lakeframe/exec/source/prune"
	"lakeframe/plan"
)

// Plan prunes files by partition values and row groups by statistics,
// then packs the remaining row groups into tasks. It reads the footers of
// the files that survive partition pruning and checks their schemas.
func (s *Source) Plan(ctx context.Context, p plan.Pushdown) (*plan.ScanPlan, error) {
	cols, _, err := s.layout.Project(p.Columns)
	if err != nil {
		return nil, err
	}
	preds := s.layout.Compile(p.Filters)
	stats := plan.ScanStats{FilesTotal: len(s.files)}

	var kept []*files.Entry
	for i := range s.files {
		if s.layout.KeepFile(preds, &s.files[i]) {
			kept = append(kept, &s.files[i])
		}
	}
	metas, err := s.footers(ctx, kept)
	if err != nil {
		return nil, err
	}

	readCols := filescan.FileColumns(cols)
	var groups []rowGroup
	for i, e := range kept {
		meta := metas[i]
		stats.RowGroupsTotal += meta.NumRowGroups()
		fileKept := false
		for rg := 0; rg < meta.NumRowGroups(); rg++ {
			rgm := meta.RowGroup(rg)
			if !s.keepRowGroup(preds, e, rgm) {
				continue
			}
			fileKept = true
			g := rowGroup{file: e, index: rg, rows: rgm.NumRows(), bytes: s.projectedBytes(rgm, readCols)}
			groups = append(groups, g)
		}
		if fileKept {
			stats.FilesKept++
		}
	}
	if p.Limit >= 0 {
		groups = cutAtLimit(groups, p.Limit)
	}
	var total int64
	for _, g := range groups {
		total += g.bytes
		stats.RowsEstimate += g.rows
	}
	stats.RowGroupsKept = len(groups)
	stats.BytesToRead = total
	if p.Limit >= 0 && stats.RowsEstimate > p.Limit {
		stats.RowsEstimate = p.Limit
	}
	tasks := s.pack(groups, s.taskTarget(total), p)
	return &plan.ScanPlan{Tasks: tasks, Stats: stats}, nil
}

type rowGroup struct {
	file  *files.Entry
	index int
	rows  int64
	bytes int64
}

// footers reads (or takes from the cache) the footers of files, a few at
// a time, and checks each file's schema against the first file's.
func (s *Source) footers(ctx context.Context, fs []*files.Entry) ([]*metadata.FileMetaData, error) {
	out := make([]*metadata.FileMetaData, len(fs))
	g, gctx := exec.NewGroup(ctx, footerReaders)
	for i, e := range fs {
		g.Go(func() error {
			meta, err := s.footer(gctx, e.Path)
			if err != nil {
				return err
			}
			if e.Path != s.files[0].Path {
				if err := s.checkSchema(e.Path, meta); err != nil {
					return err
				}
			}
			out[i] = meta
			return nil
		})
	}
	if err := g.Wait(); err != nil {
		return nil, err
	}
	return out, nil
}

// keepRowGroup tests every predicate against the row group's column
// statistics and the file's partition values.
func (s *Source) keepRowGroup(preds []*prune.Predicate, e *files.Entry, rgm *metadata.RowGroupMetaData) bool {
	if len(preds) == 0 {
		return true
	}
	rows := rgm.NumRows()
	fileStats := func(col int) (prune.Stats, bool) {
		if !s.statsOK[col] {
			return prune.Stats{}, false
		}
		cc, err := rgm.ColumnChunk(s.leaves[col][0])
		if err != nil {
			return prune.Stats{}, false
		}
		return prune.FromParquet(cc, s.layout.Schema.Field(col).Type, rows, true)
	}
	st := s.layout.PartitionStats(e, rows, fileStats)
	for _, p := range preds {
		if !p.MayMatch(st) {
			return false
		}
	}
	return true
}

// projectedBytes is the compressed size of the chunks a scan reads.
func (s *Source) projectedBytes(rgm *metadata.RowGroupMetaData, readCols []int) int64 {
	var n int64
	for _, c := range readCols {
		for _, leaf := range s.leaves[c] {
			if cc, err := rgm.ColumnChunk(leaf); err == nil {
				n += cc.TotalCompressedSize()
			}
		}
	}
	return n
}

// cutAtLimit keeps the leading row groups that hold limit rows. Only exact
// filters come with a limit, so every row of a kept row group counts.
func cutAtLimit(groups []rowGroup, limit int64) []rowGroup {
	var rows int64
	for i, g := range groups {
		if rows >= limit {
			return groups[:i]
		}
		rows += g.rows
	}
	return groups
}

// taskTarget sizes tasks so that there are a couple per core when the
// data allows, without exceeding the configured size or falling below a
// size where per-task costs dominate.
func (s *Source) taskTarget(total int64) int64 {
	limit := s.opts.TaskBytes
	if limit <= 0 {
		limit = defaultTaskBytes
	}
	target := total / int64(2*runtime.GOMAXPROCS(0))
	return max(min(target, limit), min(minTaskBytes, limit))
}

// pack groups consecutive row groups into tasks of about target bytes.
func (s *Source) pack(groups []rowGroup, target int64, p plan.Pushdown) []plan.Task {
	var tasks []plan.Task
	var cur *Task
	flush := func() {
		if cur != nil {
			tasks = append(tasks, cur)
			cur = nil
		}
	}
	for _, g := range groups {
		if cur != nil && cur.Bytes+g.bytes > target {
			flush()
		}
		if cur == nil {
			cur = &Task{Columns: p.Columns, Limit: p.Limit}
		}
		n := len(cur.Parts)
		if n == 0 || cur.Parts[n-1].File.Path != g.file.Path {
			cur.Parts = append(cur.Parts, Part{File: *g.file})
			n++
		}
		part := &cur.Parts[n-1]
		part.RowGroups = append(part.RowGroups, g.index)
		part.Rows += g.rows
		cur.Bytes += g.bytes
	}
	flush()
	return tasks
}
