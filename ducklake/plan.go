package ducklake

import (
	"context"
	"fmt"
	"runtime"

	"lakeframe/errs"
	"lakeframe/plan"
)

const (
	defaultTaskBytes = 64 << 20
	// minTaskBytes keeps tasks from getting so small that opening files
	// dominates.
	minTaskBytes = 4 << 20
)

// Plan lists the table's files at the snapshot, skips those the filters
// cannot match, and packs the rest into tasks.
func (s *Source) Plan(ctx context.Context, p plan.Pushdown) (*plan.ScanPlan, error) {
	t := s.table
	cols, err := s.project(p.Columns)
	if err != nil {
		return nil, err
	}
	all, err := t.dataFiles(ctx)
	if err != nil {
		return nil, err
	}
	pr, err := t.newPruner(ctx, s.schema, p.Filters, all)
	if err != nil {
		return nil, err
	}
	stats := plan.ScanStats{FilesTotal: len(all)}
	kept := t.keepFiles(all, pr, p.Limit)
	names, err := t.fileMappings(ctx, kept)
	if err != nil {
		return nil, err
	}
	var groups []rowGroupPlan
	if pr != nil && len(kept) > 0 {
		if groups, err = s.pruneRowGroups(ctx, pr, kept, names); err != nil {
			return nil, err
		}
	}
	var scans []FileScan
	for i, f := range kept {
		fs := fileScan(f, names)
		live := f.liveRows()
		if groups != nil {
			g := groups[i]
			stats.RowGroupsTotal += g.total
			stats.RowGroupsKept += g.kept
			if g.kept == 0 {
				continue
			}
			fs.RowGroups = g.keep
			if f.rows > 0 && g.keep != nil {
				live = live * g.rows / f.rows
			}
		}
		scans = append(scans, fs)
		stats.BytesToRead += f.size
		stats.RowsEstimate += live
	}
	stats.FilesKept = len(scans)
	inlined, err := t.inlinedRows(ctx, cols)
	if err != nil {
		return nil, err
	}
	for _, ir := range inlined {
		stats.RowsEstimate += int64(len(ir.Values))
	}
	if p.Limit >= 0 && stats.RowsEstimate > p.Limit {
		stats.RowsEstimate = p.Limit
	}
	stats.Details = details(t.Snapshot.ID, scans, inlined)
	tasks := s.pack(scans, cols, p.Limit, s.taskTarget(stats.BytesToRead))
	if len(inlined) > 0 {
		tasks = append(tasks, &Task{Table: t.QualifiedName(), Snapshot: t.Snapshot.ID, Columns: cols, Limit: p.Limit, Inlined: inlined})
	}
	return &plan.ScanPlan{Tasks: tasks, Stats: stats}, nil
}

// details are the figures EXPLAIN shows besides files and row groups.
func details(snapshot int64, scans []FileScan, inlined []InlinedRows) []string {
	out := []string{fmt.Sprintf("snapshot=%d", snapshot)}
	deletes := 0
	for _, f := range scans {
		deletes += len(f.Deletes)
	}
	if deletes > 0 {
		out = append(out, fmt.Sprintf("delete_files=%d", deletes))
	}
	rows := 0
	for _, ir := range inlined {
		rows += len(ir.Values)
	}
	if rows > 0 {
		out = append(out, fmt.Sprintf("inlined_rows=%d", rows))
	}
	return out
}

// keepFiles drops the files the filters cannot match, and stops once the
// files kept hold limit live rows (limit < 0: no limit).
func (t *Table) keepFiles(all []*dataFile, pr *pruner, limit int64) []*dataFile {
	var kept []*dataFile
	var exactRows int64
	for _, f := range all {
		if limit >= 0 && exactRows >= limit {
			break
		}
		if !pr.keep(f) {
			continue
		}
		kept = append(kept, f)
		if f.exactRows(t.Snapshot.ID) {
			exactRows += f.liveRows()
		}
	}
	return kept
}

// project picks the columns to produce; nil means all.
func (s *Source) project(names []string) ([]Column, error) {
	if names == nil {
		return s.table.Columns, nil
	}
	out := make([]Column, len(names))
	for i, n := range names {
		idx := s.schema.FieldIndices(n)
		if len(idx) != 1 {
			return nil, fmt.Errorf("%w: ducklake table %s has no column %q", errs.ErrPlan, s.table.QualifiedName(), n)
		}
		out[i] = s.table.Columns[idx[0]]
	}
	return out, nil
}

func fileScan(f *dataFile, names map[int64]*NameMapping) FileScan {
	fs := FileScan{ID: f.id, Path: f.path, Rows: f.rows, Size: f.size, Begin: f.begin}
	if f.partialMax.Valid {
		v := f.partialMax.Int64
		fs.PartialMax = &v
	}
	for _, d := range f.deletes {
		ds := DeleteScan{Path: d.path, Count: d.count}
		if d.partialMax.Valid {
			v := d.partialMax.Int64
			ds.PartialMax = &v
		}
		fs.Deletes = append(fs.Deletes, ds)
	}
	if f.mappingID.Valid {
		fs.Mapping = names[f.mappingID.Int64]
	}
	fs.InlinedDeletes = f.inlined
	return fs
}

// taskTarget sizes tasks so there are a couple per core when the data
// allows, within the configured size.
func (s *Source) taskTarget(total int64) int64 {
	limit := s.opts.TaskBytes
	if limit <= 0 {
		limit = defaultTaskBytes
	}
	target := total / int64(2*runtime.GOMAXPROCS(0))
	return max(min(target, limit), min(minTaskBytes, limit))
}

// pack groups consecutive files into tasks of about target bytes.
func (s *Source) pack(scans []FileScan, cols []Column, limit, target int64) []plan.Task {
	var tasks []plan.Task
	var cur *Task
	for _, f := range scans {
		if cur != nil && cur.Bytes+f.Size > target {
			tasks = append(tasks, cur)
			cur = nil
		}
		if cur == nil {
			cur = &Task{Table: s.table.QualifiedName(), Snapshot: s.table.Snapshot.ID, Columns: cols, Limit: limit}
		}
		cur.Files = append(cur.Files, f)
		cur.Bytes += f.Size
	}
	if cur != nil {
		tasks = append(tasks, cur)
	}
	return tasks
}
