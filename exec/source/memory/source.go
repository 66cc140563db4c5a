// Package memory reads an in-memory Arrow table as a lakeframe source,
// split into row ranges so that several partitions read it in parallel.
package memory

import (
	"context"
	"errors"
	"fmt"
	"io"
	"runtime"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"

	"lakeframe/errs"
	"lakeframe/exec"
	"lakeframe/expr"
	"lakeframe/plan"
)

// Options configure a memory source.
type Options struct {
	// Name describes the table in EXPLAIN; empty means "arrow table".
	Name string
	// Tasks is the most tasks a scan splits into; 0 means GOMAXPROCS.
	Tasks int
	// MinTaskRows keeps tasks from being smaller than this; 0 means 65536.
	MinTaskRows int64
}

// Source is an Arrow table. It takes no reference: the table must stay
// alive (not released) while queries read it.
type Source struct {
	table arrow.Table
	opts  Options
}

var _ exec.Scanner = (*Source)(nil)

// NewSource makes a source of a table.
func NewSource(tbl arrow.Table, opts Options) *Source {
	return &Source{table: tbl, opts: opts}
}

// NewSourceFromRecords makes a source of record batches that share a
// schema. It holds references to the batches until Release.
func NewSourceFromRecords(schema *arrow.Schema, recs []arrow.RecordBatch, opts Options) (*Source, error) {
	for i, r := range recs {
		if !r.Schema().Equal(schema) {
			return nil, fmt.Errorf("%w: record %d has schema %s, want %s", errs.ErrPlan, i, r.Schema(), schema)
		}
	}
	return &Source{table: array.NewTableFromRecords(schema, recs), opts: opts}, nil
}

// Release drops the reference NewSourceFromRecords took.
func (s *Source) Release() { s.table.Release() }

// Kind is "memory".
func (s *Source) Kind() string { return "memory" }

// Schema is the table's schema.
func (s *Source) Schema() *arrow.Schema { return s.table.Schema() }

// String names the table and its size.
func (s *Source) String() string {
	name := s.opts.Name
	if name == "" {
		name = "arrow table"
	}
	return fmt.Sprintf("%s (%d rows)", name, s.table.NumRows())
}

// SupportsFilter: a memory table takes no filters.
func (s *Source) SupportsFilter(expr.Node) plan.FilterSupport { return plan.FilterUnsupported }

// Task reads a range of rows of the table.
type Task struct {
	Offset, Rows int64
	Columns      []string
	Limit        int64
	bytes        int64
}

var _ plan.Task = (*Task)(nil)

func (t *Task) String() string        { return fmt.Sprintf("rows [%d, %d)", t.Offset, t.Offset+t.Rows) }
func (t *Task) EstimatedBytes() int64 { return t.bytes }

// Plan splits the rows into ranges of about equal size.
func (s *Source) Plan(_ context.Context, p plan.Pushdown) (*plan.ScanPlan, error) {
	if _, err := s.project(p.Columns); err != nil {
		return nil, err
	}
	rows := s.table.NumRows()
	if p.Limit >= 0 {
		rows = min(rows, p.Limit)
	}
	maxTasks := s.opts.Tasks
	if maxTasks <= 0 {
		maxTasks = runtime.GOMAXPROCS(0)
	}
	minRows := s.opts.MinTaskRows
	if minRows <= 0 {
		minRows = 65536
	}
	n := max(1, min(int64(maxTasks), rows/minRows))
	var bytesPerRow int64
	if total := s.table.NumRows(); total > 0 {
		bytesPerRow = tableBytes(s.table) / total
	}
	tasks := make([]plan.Task, 0, n)
	for i := range n {
		lo, hi := rows*i/n, rows*(i+1)/n
		if hi > lo || rows == 0 && i == 0 {
			tasks = append(tasks, &Task{Offset: lo, Rows: hi - lo, Columns: p.Columns, Limit: p.Limit, bytes: (hi - lo) * bytesPerRow})
		}
	}
	stats := plan.ScanStats{RowsEstimate: rows, BytesToRead: rows * bytesPerRow}
	return &plan.ScanPlan{Tasks: tasks, Stats: stats}, nil
}

func tableBytes(t arrow.Table) int64 {
	var n int64
	for i := range int(t.NumCols()) {
		for _, c := range t.Column(i).Data().Chunks() {
			for _, b := range c.Data().Buffers() {
				if b != nil {
					n += int64(b.Len())
				}
			}
		}
	}
	return n
}

// project returns the column indexes of a projection (nil: all).
func (s *Source) project(cols []string) ([]int, error) {
	schema := s.table.Schema()
	if cols == nil {
		idx := make([]int, schema.NumFields())
		for i := range idx {
			idx[i] = i
		}
		return idx, nil
	}
	idx := make([]int, len(cols))
	for i, c := range cols {
		found := schema.FieldIndices(c)
		if len(found) == 0 {
			return nil, expr.UnknownColumnError(c, schema)
		}
		idx[i] = found[0]
	}
	return idx, nil
}

// Open reads a task's rows as zero-copy slices of the table.
func (s *Source) Open(_ context.Context, tc *exec.TaskContext, task plan.Task) (exec.Stream, error) {
	t, ok := task.(*Task)
	if !ok {
		return nil, fmt.Errorf("%w: memory source got a %T task", errs.ErrInternal, task)
	}
	idx, err := s.project(t.Columns)
	if err != nil {
		return nil, err
	}
	fields := make([]arrow.Field, len(idx))
	cols := make([]arrow.Column, len(idx))
	for i, j := range idx {
		fields[i] = s.table.Schema().Field(j)
		chunks := array.NewChunkedSlice(s.table.Column(j).Data(), t.Offset, t.Offset+t.Rows)
		cols[i] = *arrow.NewColumn(fields[i], chunks)
		chunks.Release() // the column holds its own reference
	}
	md := s.table.Schema().Metadata()
	schema := arrow.NewSchema(fields, &md)
	slice := array.NewTable(schema, cols, t.Rows)
	for i := range cols {
		cols[i].Release() // the table holds its own references
	}
	bs := tc.BatchSize
	if bs <= 0 {
		bs = exec.DefaultBatchSize
	}
	st := &stream{schema: schema, reader: array.NewTableReader(slice, int64(bs)), limit: t.Limit}
	slice.Release() // the reader holds its own reference
	return st, nil
}

type stream struct {
	schema  *arrow.Schema
	reader  *array.TableReader
	limit   int64
	emitted int64
}

func (s *stream) Schema() *arrow.Schema { return s.schema }

func (s *stream) Next(ctx context.Context) (arrow.RecordBatch, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	if s.reader == nil || (s.limit >= 0 && s.emitted >= s.limit) {
		return nil, io.EOF
	}
	if !s.reader.Next() {
		if err := s.reader.Err(); err != nil && !errors.Is(err, io.EOF) {
			return nil, fmt.Errorf("%w: read memory table: %w", errs.ErrExec, err)
		}
		return nil, io.EOF
	}
	rec := s.reader.RecordBatch()
	if s.limit >= 0 && s.emitted+rec.NumRows() > s.limit {
		rec = rec.NewSlice(0, s.limit-s.emitted)
	} else {
		rec.Retain()
	}
	s.emitted += rec.NumRows()
	return rec, nil
}

func (s *stream) Close() error {
	if s.reader != nil {
		s.reader.Release()
		s.reader = nil
	}
	return nil
}
