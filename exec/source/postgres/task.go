package postgres

import "lakeframe/plan"

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
	// Part says which part of the rows the task reads, such as
	// "pages [0, 1024)" or "id in [1, 5000)"; empty when it reads all.
	Part  string `json:"part,omitempty"`
	Bytes int64  `json:"bytes"`

	// snapshot, when set, is the snapshot all tasks of the scan read.
	snapshot *sharedSnapshot
}

var _ plan.Task = (*Task)(nil)

// EstimatedBytes is the size of the pages the task reads.
func (t *Task) EstimatedBytes() int64 { return t.Bytes }

// String names the source and the part read.
func (t *Task) String() string {
	if t.Part == "" {
		return t.Source
	}
	return t.Source + " " + t.Part
}
