package csv

import (
	"context"
	"fmt"
	"slices"

	"lakeframe/errs"
	"lakeframe/exec"
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

// Plan keeps the files whose partition values may satisfy the filters,
// checks that their headers match the first file's, and makes one task
// per file.
func (s *Source) Plan(ctx context.Context, p plan.Pushdown) (*plan.ScanPlan, error) {
	if _, _, err := s.layout.Project(p.Columns); err != nil {
		return nil, err
	}
	preds := s.layout.Compile(p.Filters)
	stats := plan.ScanStats{FilesTotal: len(s.files)}
	var tasks []plan.Task
	g, gctx := exec.NewGroup(ctx, 8)
	for i := range s.files {
		e := &s.files[i]
		if !s.layout.KeepFile(preds, e) {
			continue
		}
		stats.FilesKept++
		stats.BytesToRead += e.Size
		tasks = append(tasks, &Task{File: *e, Columns: p.Columns, Limit: p.Limit})
		if i > 0 {
			g.Go(func() error { return s.checkHeader(gctx, e.Path) })
		}
	}
	if err := g.Wait(); err != nil {
		return nil, err
	}
	return &plan.ScanPlan{Tasks: tasks, Stats: stats}, nil
}

// checkHeader compares a file's header (or field count) with the first
// file's.
func (s *Source) checkHeader(ctx context.Context, path string) error {
	t, closer, err := s.open(ctx, path)
	if err != nil {
		return err
	}
	defer closer.Close()
	names, err := readHeader(t, path)
	if err != nil {
		return err
	}
	first := s.files[0].Path
	if len(names) != s.width {
		return fmt.Errorf("%w: %s has %d columns but %s has %d", errs.ErrExec, path, len(names), first, s.width)
	}
	if s.header != nil && !slices.Equal(names, s.header) {
		return fmt.Errorf("%w: headers differ: %s has %q but %s has %q", errs.ErrExec, first, s.header, path, names)
	}
	return nil
}
