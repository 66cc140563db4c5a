package plan

import (
	"context"
	"fmt"

	"github.com/apache/arrow-go/v18/arrow"

	"lakeframe/expr"
)

// Source is where a Scan reads rows from: files, an in-memory table, a
// lakehouse table. Sources plan themselves into tasks after the optimizer
// has pushed filters, columns and limits into them.
type Source interface {
	// Kind is a short name for EXPLAIN, such as "parquet".
	Kind() string
	// Schema is the full schema of the source.
	Schema() *arrow.Schema
	// String describes the source (its paths, its table) for EXPLAIN.
	String() string
	// SupportsFilter says how the source can use a predicate, resolved
	// against Schema().
	SupportsFilter(pred expr.Node) FilterSupport
	// Plan splits the scan into tasks, using the pushdown to read less.
	Plan(ctx context.Context, p Pushdown) (*ScanPlan, error)
}

// FilterSupport says what a source does with a pushed predicate.
type FilterSupport int

const (
	// FilterUnsupported predicates are not pushed into the source.
	FilterUnsupported FilterSupport = iota
	// FilterInexact predicates prune (files, row groups) but rows that fail
	// them may still come out, so a Filter stays above the scan.
	FilterInexact
	// FilterExact predicates are fully applied by the source.
	FilterExact
)

// Pushdown is what the optimizer hands a source.
type Pushdown struct {
	// Columns to produce, in this order; nil means every column.
	Columns []string
	// Filters are conjuncts resolved against the source's schema.
	Filters []expr.Node
	// Limit is how many rows are needed at most; negative means all. It is
	// only set when every filter is exact.
	Limit int64
}

// ScanPlan is a source's plan for one scan.
type ScanPlan struct {
	// Tasks are independent units of reading; they may run in any order
	// and on any executor.
	Tasks []Task
	// Stats tell how much pushdown saved.
	Stats ScanStats
}

// Task is one unit of reading, such as a row-group range of a file.
type Task interface {
	// String describes the task for EXPLAIN and errors.
	String() string
	// EstimatedBytes is the task's approximate size, to balance partitions.
	EstimatedBytes() int64
}

// ScanStats count what a scan reads out of what exists. Zero totals mean
// the source does not count that unit.
type ScanStats struct {
	FilesTotal, FilesKept         int
	RowGroupsTotal, RowGroupsKept int
	BytesToRead                   int64
	RowsEstimate                  int64
	// Details are source-specific figures for EXPLAIN, such as a lakehouse
	// table's snapshot, manifests kept and delete files, as "key=value".
	Details []string
}

// String prints the non-zero statistics.
func (s ScanStats) String() string {
	out := ""
	if s.FilesTotal > 0 {
		out += fmt.Sprintf("files=%d/%d", s.FilesKept, s.FilesTotal)
	}
	if s.RowGroupsTotal > 0 {
		if out != "" {
			out += " "
		}
		out += fmt.Sprintf("row_groups=%d/%d", s.RowGroupsKept, s.RowGroupsTotal)
	}
	if s.BytesToRead > 0 {
		if out != "" {
			out += " "
		}
		out += fmt.Sprintf("bytes=%d", s.BytesToRead)
	}
	for _, d := range s.Details {
		if out != "" {
			out += " "
		}
		out += d
	}
	return out
}

// RowCounter is a Source that can count the rows a pushdown selects from
// its metadata alone (file footers, manifests), without reading data. The
// physical planner answers count(*) over a scan with it.
type RowCounter interface {
	// CountRows returns the exact number of rows the pushdown's filters
	// select; ok is false when metadata cannot tell exactly (deletes, a
	// filter only rows can decide).
	CountRows(ctx context.Context, p Pushdown) (n int64, ok bool, err error)
}
