package jsonl

import (
	"context"

	"lakeframe/exec/source/internal/filescan"
	"lakeframe/plan"
)

// Task reads one file. It is plain data so that it can be sent to another
// process.
type Task struct {
	filescan.FileTask
}

var _ plan.Task = (*Task)(nil)

// Plan keeps the files whose partition values may satisfy the filters and
// makes one task per file.
func (s *Source) Plan(ctx context.Context, p plan.Pushdown) (*plan.ScanPlan, error) {
	fts, stats, err := s.layout.FileTasks(s.files, p)
	if err != nil {
		return nil, err
	}
	var tasks []plan.Task
	for _, ft := range fts {
		tasks = append(tasks, &Task{ft})
	}
	return &plan.ScanPlan{Tasks: tasks, Stats: stats}, nil
}
