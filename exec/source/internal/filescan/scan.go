package filescan

import (
	"fmt"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"

	"lakeframe/errs"
	"lakeframe/exec"
	"lakeframe/exec/source/files"
)

// Scan is what every file-format stream keeps besides its reader: the
// projection, the allocator and batch size of its task, the limit, and
// the partition columns of the file being read. Streams embed it, which
// gives them their Schema method.
type Scan struct {
	Mem       memory.Allocator
	BatchSize int
	// Cols are the output columns; ReadCols are the distinct file columns
	// among them, in the order a stream reads them.
	Cols     []Column
	ReadCols []int
	Limit    int64 // rows to produce at most; negative means no limit
	Emitted  int64 // rows produced so far
	// Consts holds, per output column, the open file's partition value
	// repeated; nil for file columns.
	Consts []arrow.Array

	schema *arrow.Schema
	pos    []int // output column -> index in ReadCols, for file columns
}

// NewScan projects columns (nil: all) onto the layout for a task read
// with tc, which gives the allocator and batch size (defaults when unset).
func (l *Layout) NewScan(tc *exec.TaskContext, columns []string, limit int64) (Scan, error) {
	cols, schema, err := l.Project(columns)
	if err != nil {
		return Scan{}, err
	}
	s := Scan{Mem: tc.Mem, BatchSize: tc.BatchSize, Cols: cols, ReadCols: FileColumns(cols), Limit: limit, schema: schema}
	if s.BatchSize <= 0 {
		s.BatchSize = exec.DefaultBatchSize
	}
	if s.Mem == nil {
		s.Mem = memory.DefaultAllocator
	}
	s.pos = make([]int, len(cols))
	for i, c := range cols {
		if !c.Partition {
			for k, rc := range s.ReadCols {
				if rc == c.Index {
					s.pos[i] = k
				}
			}
		}
	}
	return s, nil
}

// Schema is the projected schema.
func (s *Scan) Schema() *arrow.Schema { return s.schema }

// LimitReached reports whether the stream has produced all it may.
func (s *Scan) LimitReached() bool { return s.Limit >= 0 && s.Emitted >= s.Limit }

// BatchRows is how many rows the next batch may hold: the batch size, or
// fewer to stop at the limit.
func (s *Scan) BatchRows() int {
	if s.Limit >= 0 {
		return int(min(int64(s.BatchSize), s.Limit-s.Emitted))
	}
	return s.BatchSize
}

// MakePartitionColumns fills Consts with n copies of each partition value
// of the file e. After an error, ReleasePartitionColumns releases those
// already made.
func (s *Scan) MakePartitionColumns(e *files.Entry, n int) error {
	s.Consts = make([]arrow.Array, len(s.Cols))
	for i, c := range s.Cols {
		if !c.Partition {
			continue
		}
		if c.Index >= len(e.Partition) {
			return fmt.Errorf("%w: %s has no value for partition column %s", errs.ErrExec, e.Path, c.Name)
		}
		a, err := ConstantArray(s.Mem, s.schema.Field(i).Type, e.Partition[c.Index], n)
		if err != nil {
			return fmt.Errorf("%s: %w", e.Path, err)
		}
		s.Consts[i] = a
	}
	return nil
}

// ReleasePartitionColumns releases Consts.
func (s *Scan) ReleasePartitionColumns() {
	for _, a := range s.Consts {
		if a != nil {
			a.Release()
		}
	}
	s.Consts = nil
}

// Record makes a batch of n rows from the file columns read, in the order
// of ReadCols, and the partition columns. The caller keeps its references
// to fileCols.
func (s *Scan) Record(fileCols []arrow.Array, n int64) arrow.RecordBatch {
	arrs := make([]arrow.Array, len(s.Cols))
	var slices []arrow.Array
	for i, c := range s.Cols {
		if c.Partition {
			a := array.NewSlice(s.Consts[i], 0, n)
			slices = append(slices, a)
			arrs[i] = a
		} else {
			arrs[i] = fileCols[s.pos[i]]
		}
	}
	rec := array.NewRecordBatch(s.schema, arrs, n)
	for _, a := range slices {
		a.Release()
	}
	return rec
}
