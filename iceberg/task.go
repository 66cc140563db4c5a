package iceberg

import (
	"fmt"
	"strings"
	"sync"

	"github.com/apache/arrow-go/v18/arrow"

	"github.com/apache/iceberg-go/table"

	"lakeframe/exec/source/prune"
	"lakeframe/expr"
	"lakeframe/plan"
)

// Task reads whole files or row-group ranges of files of one snapshot,
// with the delete files that apply to each.
type Task struct {
	Files []table.FileScanTask
	// Columns are the output columns, in order.
	Columns []string
	// Filters are the pushed filters, which prune row groups; the rows
	// read are filtered again above the scan (or, for exact filters, were
	// decided by partition values).
	Filters []expr.Node
	// Limit, when positive, is the most rows the task returns; 0 or
	// negative returns all. It is set only when every row the task reads
	// matches the query's filters.
	Limit int64
	Bytes int64

	once  sync.Once
	preds []*prune.Predicate
}

// compiled are the filters compiled for row-group pruning, once.
func (t *Task) compiled(schema *arrow.Schema) []*prune.Predicate {
	t.once.Do(func() {
		for _, f := range t.Filters {
			t.preds = append(t.preds, prune.Compile(f, schema))
		}
	})
	return t.preds
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
