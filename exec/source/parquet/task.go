package parquet

import (
	"fmt"
	"strings"

	"lakeframe/exec/source/files"
	"lakeframe/plan"
)

// Task reads row groups of one or more files. It is plain data so that it
// can be sent to another process.
type Task struct {
	Parts []Part `json:"parts"`
	// Columns are the output columns, in order; nil means all.
	Columns []string `json:"columns,omitempty"`
	// Limit stops the task after this many rows; negative means no limit.
	Limit int64 `json:"limit"`
	Bytes int64 `json:"bytes"`
}

// Part is a set of row groups of one file.
type Part struct {
	File      files.Entry `json:"file"`
	RowGroups []int       `json:"row_groups"`
	// Rows is the number of rows in those row groups.
	Rows int64 `json:"rows"`
}

var _ plan.Task = (*Task)(nil)

// EstimatedBytes is the compressed size of the projected column chunks.
func (t *Task) EstimatedBytes() int64 { return t.Bytes }

// String names the files and row groups, abbreviated when long.
func (t *Task) String() string {
	var sb strings.Builder
	for i, p := range t.Parts {
		if i == 3 {
			fmt.Fprintf(&sb, " (+%d more files)", len(t.Parts)-3)
			break
		}
		if i > 0 {
			sb.WriteString(", ")
		}
		fmt.Fprintf(&sb, "%s%s", p.File.Path, formatRowGroups(p.RowGroups))
	}
	return sb.String()
}

// formatRowGroups prints row group indexes as ranges: [0-3,7].
func formatRowGroups(rgs []int) string {
	var sb strings.Builder
	sb.WriteByte('[')
	for i := 0; i < len(rgs); {
		j := i
		for j+1 < len(rgs) && rgs[j+1] == rgs[j]+1 {
			j++
		}
		if i > 0 {
			sb.WriteByte(',')
		}
		if j > i {
			fmt.Fprintf(&sb, "%d-%d", rgs[i], rgs[j])
		} else {
			fmt.Fprintf(&sb, "%d", rgs[i])
		}
		i = j + 1
	}
	sb.WriteByte(']')
	return sb.String()
}
