package csv

import (
	"context"
	"fmt"
	"slices"

	"lakeframe/errs"
	"lakeframe/exec"
	"lakeframe/exec/source/internal/filescan"
	"lakeframe/plan"
)

// Task reads one file. It is plain data so that it can be sent to another
// process.
type Task struct {
	filescan.FileTask
}

var _ plan.Task = (*Task)(nil)

// Plan keeps the files whose partition values may satisfy the filters,
// checks that their headers match the first file's, and makes one task
// per file.
func (s *Source) Plan(ctx context.Context, p plan.Pushdown) (*plan.ScanPlan, error) {
	fts, stats, err := s.layout.FileTasks(s.files, p)
	if err != nil {
		return nil, err
	}
	var tasks []plan.Task
	g, gctx := exec.NewGroup(ctx, 8)
	for _, ft := range fts {
		tasks = append(tasks, &Task{ft})
		if path := ft.File.Path; path != s.files[0].Path {
			g.Go(func() error { return s.checkHeader(gctx, path) })
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
