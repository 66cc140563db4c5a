package iceberg

import (
	"fmt"
	"strings"

	iceberg "github.com/apache/iceberg-go"
	"github.com/apache/iceberg-go/table"

	"lakeframe/plan"
)

// Task reads whole files or row-group ranges of files of one snapshot,
// with the delete files that apply to each.
type Task struct {
	Files []table.FileScanTask
	// Columns are the output columns, in order.
	Columns []string
	// Filter is the part of the pushed filter iceberg-go may evaluate on
	// rows while reading (it also prunes row groups); nil reads every row.
	// lakeframe filters the rows again above the scan.
	Filter iceberg.BooleanExpression
	// Limit, when positive, is the most rows the task returns; 0 or
	// negative returns all. It is set only when every row the task reads
	// matches the query's filters.
	Limit int64
	Bytes int64
}

var _ plan.Task = (*Task)(nil)

// EstimatedBytes is the size of the byte ranges the task reads.
func (t *Task) EstimatedBytes() int64 { return t.Bytes }

// String names the files, abbreviated when many.
func (t *Task) String() string {
	var sb strings.Builder
	for i, f := range t.Files {
		if i == 3 {
			fmt.Fprintf(&sb, " (+%d more)", len(t.Files)-3)
			break
		}
		if i > 0 {
			sb.WriteString(", ")
		}
		sb.WriteString(f.File.FilePath())
		if f.Start != 0 || f.Length != f.File.FileSizeBytes() {
			fmt.Fprintf(&sb, "[%d+%d]", f.Start, f.Length)
		}
	}
	return sb.String()
}
