package filescan

import (
	"lakeframe/exec/source/files"
	"lakeframe/plan"
)

// FileTask reads one whole file. Sources that cannot split a file embed
// it in their own task type, so that each source still recognizes its
// own tasks. It is plain data so that it can be sent to another process.
type FileTask struct {
	File files.Entry `json:"file"`
	// Columns are the output columns, in order; nil means all.
	Columns []string `json:"columns,omitempty"`
	// Limit stops the task after this many rows; negative means no limit.
	Limit int64 `json:"limit"`
}

// String is the file's path.
func (t *FileTask) String() string { return t.File.Path }

// EstimatedBytes is the file's size.
func (t *FileTask) EstimatedBytes() int64 { return t.File.Size }

// FileTasks checks the pushed columns, keeps the files whose partition
// values may satisfy the pushed filters, and describes a task for each,
// with the statistics of the scan.
func (l *Layout) FileTasks(entries []files.Entry, p plan.Pushdown) ([]FileTask, plan.ScanStats, error) {
	if _, _, err := l.Project(p.Columns); err != nil {
		return nil, plan.ScanStats{}, err
	}
	preds := l.Compile(p.Filters)
	stats := plan.ScanStats{FilesTotal: len(entries)}
	var tasks []FileTask
	for i := range entries {
		e := &entries[i]
		if !l.KeepFile(preds, e) {
			continue
		}
		stats.FilesKept++
		stats.BytesToRead += e.Size
		tasks = append(tasks, FileTask{File: *e, Columns: p.Columns, Limit: p.Limit})
	}
	return tasks, stats, nil
}
