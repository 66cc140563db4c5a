package ducklake

import (
	"fmt"
	"strings"

	"lakeframe/plan"
)

// Task reads some data files of a table at one snapshot. It is plain
// data so that it can be sent to another process.
type Task struct {
	// Table names the table, for messages.
	Table    string `json:"table"`
	Snapshot int64  `json:"snapshot"`
	// Columns are the output columns, in order.
	Columns []Column   `json:"columns"`
	Files   []FileScan `json:"files"`
	// Inlined are rows the catalog keeps itself, read after the files.
	Inlined []InlinedRows `json:"inlined,omitempty"`
	// Limit stops the task after this many rows; negative means no limit.
	Limit int64 `json:"limit"`
	Bytes int64 `json:"bytes"`
}

// FileScan is one data file to read, with what to drop from it.
type FileScan struct {
	ID   int64  `json:"id"`
	Path string `json:"path"`
	// Rows is the record_count of the file.
	Rows int64 `json:"rows"`
	Size int64 `json:"size"`
	// Begin is the snapshot that added the file.
	Begin int64 `json:"begin"`
	// RowGroups lists the row groups to read; nil means all.
	RowGroups []int `json:"row_groups,omitempty"`
	// PartialMax, when set above the task's snapshot, means the file holds
	// rows of later snapshots, told apart by a per-row snapshot id.
	PartialMax *int64       `json:"partial_max,omitempty"`
	Deletes    []DeleteScan `json:"deletes,omitempty"`
	// InlinedDeletes are deleted positions the catalog keeps itself.
	InlinedDeletes []int64 `json:"inlined_deletes,omitempty"`
	// Mapping, when set, says which file column holds each column, for
	// files written by other tools (a ducklake_name_mapping).
	Mapping *NameMapping `json:"mapping,omitempty"`
}

// NameMapping maps table columns, by column id, to a file's columns by
// name. Hive columns are not in the file: their value is in its path, as
// a name=value directory.
type NameMapping struct {
	Names map[int64]string `json:"names"`
	Hive  map[int64]bool   `json:"hive,omitempty"`
}

// DeleteScan is a delete file: row positions of a data file, optionally
// tagged with the snapshot that deleted them.
type DeleteScan struct {
	Path       string `json:"path"`
	Count      int64  `json:"count"`
	PartialMax *int64 `json:"partial_max,omitempty"`
}

var _ plan.Task = (*Task)(nil)

// EstimatedBytes is the size of the task's data files.
func (t *Task) EstimatedBytes() int64 { return t.Bytes }

// String names the table, the snapshot and the files, abbreviated.
func (t *Task) String() string {
	var sb strings.Builder
	fmt.Fprintf(&sb, "%s@%d: ", t.Table, t.Snapshot)
	for i, f := range t.Files {
		if i == 3 {
			fmt.Fprintf(&sb, " (+%d more files)", len(t.Files)-3)
			break
		}
		if i > 0 {
			sb.WriteString(", ")
		}
		sb.WriteString(f.Path)
		if len(f.Deletes) > 0 || len(f.InlinedDeletes) > 0 {
			sb.WriteString(" (with deletes)")
		}
	}
	if len(t.Inlined) > 0 {
		if len(t.Files) > 0 {
			sb.WriteString(", ")
		}
		fmt.Fprintf(&sb, "%d inlined tables", len(t.Inlined))
	}
	return sb.String()
}

// filtersRows reports whether rows of the file must be dropped because a
// later snapshot wrote them.
func (f *FileScan) filtersRows(snapshot int64) bool {
	return f.PartialMax != nil && *f.PartialMax > snapshot
}
