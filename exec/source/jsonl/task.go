package jsonl

import (
	"context"

	"lakeframe/exec/source/files"
	"lakeframe/plan"
)

// Task reads one file. It is plain data so that it can be sent to another
// process.
type Task struct {
	File files.Entry `json:"file"`
	// Columns are the output columns, in order; nil means all.
	Columns []string `json:"columns,omitempty"`
	// Limit stops the task after this many rows; negative means no limit.
	Limit int64 `json:"limit"`
}

var _ plan.Task = (*Task)(nil)

// String is the file's path.
func (t *Task) String() string { return t.File.Path }

// EstimatedBytes is the file's size.
func (t *Task) EstimatedBytes() int64 { return t.File.Size }

// Plan keeps the files whose partition values may satisfy the filters and
// makes one task per file.
func (s *Source) Plan(ctx context.Context, p plan.Pushdown) (*plan.ScanPlan, error) {
	if _, _, err := s.layout.Project(p.Columns); err != nil {
		return nil, err
	}
	preds := s.layout.Compile(p.Filters)
	stats := plan.ScanStats{FilesTotal: len(s.files)}
	var tasks []plan.Task
	for i := range s.files {
		e := &s.files[i]
		if !s.layout.KeepFile(preds, e) {
			continue
		}
		stats.FilesKept++
		stats.BytesToRead += e.Size
		tasks = append(tasks, &Task{File: *e, Columns: p.Columns, Limit: p.Limit})
	}
	return &plan.ScanPlan{Tasks: tasks, Stats: stats}, nil
}
