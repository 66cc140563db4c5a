package postgres

import (
	"fmt"

	"lakeframe/plan"
)

// Task reads one statement's rows: the whole scan, or one range of a
// table's pages. Apart from the snapshot it shares with the other tasks
// of its scan, it is plain data.
type Task struct {
	// Source names the server and the table or query, for messages.
	Source string `json:"source"`
	// SQL is the statement sent, with Params as its text parameters.
	SQL    string   `json:"sql"`
	Params []string `json:"params,omitempty"`
	// Columns are the output columns, in order.
	Columns []column `json:"columns"`
	// FirstPage and EndPage bound the pages read, [FirstPage, EndPage);
	// EndPage is -1 when the task reads to the end of the table.
	FirstPage int64 `json:"first_page"`
	EndPage   int64 `json:"end_page"`
	Bytes     int64 `json:"bytes"`

	// snapshot, when set, is the snapshot all tasks of the scan read.
	snapshot *sharedSnapshot
}

var _ plan.Task = (*Task)(nil)

// EstimatedBytes is the size of the pages the task reads.
func (t *Task) EstimatedBytes() int64 { return t.Bytes }

// String names the source and, for a part of a table, its pages.
func (t *Task) String() string {
	switch {
	case t.FirstPage == 0 && t.EndPage < 0:
		return t.Source
	case t.EndPage < 0:
		return fmt.Sprintf("%s pages [%d, end)", t.Source, t.FirstPage)
	}
	return fmt.Sprintf("%s pages [%d, %d)", t.Source, t.FirstPage, t.EndPage)
}
