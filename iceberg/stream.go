package iceberg

import (
	"context"
	"fmt"
	"io"
	"iter"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/compute"
	"github.com/apache/arrow-go/v18/arrow/memory"
	"github.com/apache/iceberg-go/table"

	"lakeframe/errs"
	"lakeframe/exec"
	"lakeframe/plan"
)

// Open reads a task's files one after another through iceberg-go, which
// applies deletes and maps columns by field id (or the name mapping);
// lakeframe then fills identity-partition columns from the partition
// values and converts columns to the scan's types.
func (s *Source) Open(ctx context.Context, tc *exec.TaskContext, task plan.Task) (exec.Stream, error) {
	t, ok := task.(*Task)
	if !ok {
		return nil, fmt.Errorf("%w: iceberg source got a %T task", errs.ErrInternal, task)
	}
	fields := make([]arrow.Field, len(t.Columns))
	for i, c := range t.Columns {
		idx := s.schema.FieldIndices(c)
		if len(idx) == 0 {
			return nil, fmt.Errorf("%w: iceberg table %s has no column %q", errs.ErrPlan, name(s.tbl), c)
		}
		fields[i] = s.schema.Field(idx[0])
	}
	mem := tc.Mem
	if mem == nil {
		mem = memory.DefaultAllocator
	}
	left := int64(-1)
	if t.Limit > 0 {
		left = t.Limit
	}
	return &stream{src: s, task: t, mem: mem, schema: arrow.NewSchema(fields, nil), left: left}, nil
}

type stream struct {
	src    *Source
	task   *Task
	mem    memory.Allocator
	schema *arrow.Schema

	next int // index of the next file to open
	cur  *fileReader
	// left is how many more rows the task may return; negative means no
	// limit.
	left int64
}

func (st *stream) Schema() *arrow.Schema { return st.schema }

func (st *stream) Next(ctx context.Context) (arrow.RecordBatch, error) {
	if st.left == 0 {
		return nil, io.EOF
	}
	rec, err := st.read(ctx)
	if err != nil || st.left < 0 {
		return rec, err
	}
	if n := rec.NumRows(); n > st.left {
		cut := rec.NewSlice(0, st.left)
		rec.Release()
		rec = cut
	}
	st.left -= rec.NumRows()
	if st.left == 0 && st.cur != nil {
		// Stop the file's reader now rather than at Close.
		st.cur.close()
		st.cur = nil
	}
	return rec, nil
}

// read returns the next batch of the task's files.
func (st *stream) read(ctx context.Context) (arrow.RecordBatch, error) {
	for {
		if st.cur == nil {
			if st.next == len(st.task.Files) {
				return nil, io.EOF
			}
			fr, err := st.src.openFile(ctx, st.task, st.task.Files[st.next], st.schema, st.mem)
			st.next++
			if err != nil {
				return nil, err
			}
			st.cur = fr
		}
		rec, err := st.cur.next()
		if err == io.EOF {
			st.cur.close()
			st.cur = nil
			continue
		}
		return rec, err
	}
}

func (st *stream) Close() error {
	if st.cur != nil {
		st.cur.close()
		st.cur = nil
	}
	return nil
}

// fileReader reads one file scan task.
type fileReader struct {
	src    *Source
	path   string
	schema *arrow.Schema
	mem    memory.Allocator
	// consts[i] is the partition value of output column i when an
	// identity partition field holds it; valid[i] says it is set.
	consts []any
	isPart []bool
	pull   func() (arrow.RecordBatch, error, bool)
	stop   func()
	scan   *table.Scan
}

func (s *Source) openFile(ctx context.Context, t *Task, ft table.FileScanTask, schema *arrow.Schema, mem memory.Allocator) (*fileReader, error) {
	path := ft.File.FilePath()
	fr := &fileReader{src: s, path: path, schema: schema, mem: mem,
		consts: make([]any, schema.NumFields()), isPart: make([]bool, schema.NumFields())}
	partition := ft.File.Partition()
	identity := s.identity[int(ft.File.SpecID())]
	var read []string
	for i, f := range schema.Fields() {
		if id, ok := identity[f.Name]; ok {
			fr.consts[i] = partition[id]
			fr.isPart[i] = true
			continue
		}
		read = append(read, f.Name)
	}
	if len(read) == 0 {
		// Only partition values are wanted, but the rows still have to be
		// counted after deletes: read the narrowest other column.
		read = []string{s.narrowColumn(identity)}
	}
	ft, err := s.fixDeletePaths(ctx, ft)
	if err != nil {
		return nil, err
	}
	ft.Residual = nil
	scan, err := s.scan(read, t.Filter)
	if err != nil {
		return nil, err
	}
	// iceberg-go allocates the batches it reads from the context's
	// allocator: the query's.
	_, seq, err := scan.ReadTasks(compute.WithAllocator(ctx, mem), []table.FileScanTask{ft})
	if err != nil {
		scan.Close()
		return nil, fmt.Errorf("%w: read %s: %w", errs.ErrExec, path, err)
	}
	fr.scan = scan
	fr.pull, fr.stop = iter.Pull2(seq)
	return fr, nil
}

// narrowColumn picks a column to count rows by when only partition
// values are projected: a fixed-width one if there is any.
func (s *Source) narrowColumn(identity map[string]int) string {
	best := ""
	for _, f := range s.schema.Fields() {
		if _, ok := identity[f.Name]; ok {
			continue
		}
		if _, fixed := f.Type.(arrow.FixedWidthDataType); fixed {
			return f.Name
		}
		if best == "" {
			best = f.Name
		}
	}
	if best == "" {
		best = s.schema.Field(0).Name
	}
	return best
}

func (fr *fileReader) next() (arrow.RecordBatch, error) {
	for {
		rec, err, ok := fr.pull()
		if !ok {
			return nil, io.EOF
		}
		if err != nil {
			return nil, fmt.Errorf("%w: read %s: %w", errs.ErrExec, fr.path, err)
		}
		if rec.NumRows() == 0 {
			rec.Release()
			continue
		}
		out, err := fr.convert(rec)
		rec.Release()
		return out, err
	}
}

// convert builds the output batch: columns by name from the file batch,
// converted to the scan's types, and partition values as constants.
func (fr *fileReader) convert(rec arrow.RecordBatch) (arrow.RecordBatch, error) {
	n := int(rec.NumRows())
	cols := make([]arrow.Array, fr.schema.NumFields())
	release := func() {
		for _, c := range cols {
			if c != nil {
				c.Release()
			}
		}
	}
	for i, f := range fr.schema.Fields() {
		if fr.isPart[i] {
			c, err := constArray(fr.consts[i], f.Type, n, fr.mem)
			if err != nil {
				release()
				return nil, fmt.Errorf("%w: %s: partition value of %s: %w", errs.ErrExec, fr.path, f.Name, err)
			}
			cols[i] = c
			continue
		}
		idx := rec.Schema().FieldIndices(f.Name)
		if len(idx) == 0 {
			release()
			return nil, fmt.Errorf("%w: %s: reader returned no column %q", errs.ErrInternal, fr.path, f.Name)
		}
		c, err := conform(rec.Column(idx[0]), f.Type, fr.mem)
		if err != nil {
			release()
			return nil, fmt.Errorf("%w: %s: column %s: %w", errs.ErrExec, fr.path, f.Name, err)
		}
		cols[i] = c
	}
	out := array.NewRecordBatch(fr.schema, cols, int64(n))
	release()
	return out, nil
}

// conform returns a (retained) array of type to holding arr's values.
func conform(arr arrow.Array, to arrow.DataType, mem memory.Allocator) (arrow.Array, error) {
	if arrow.TypeEqual(arr.DataType(), to) {
		arr.Retain()
		return arr, nil
	}
	if isUUID(arr.DataType()) && to.ID() == arrow.STRING {
		return uuidStrings(arr.(array.ExtensionArray).Storage().(*array.FixedSizeBinary), mem), nil
	}
	ctx := compute.WithAllocator(context.Background(), mem)
	return compute.CastArray(ctx, arr, compute.SafeCastOptions(to))
}

func (fr *fileReader) close() {
	if fr.stop != nil {
		fr.stop()
	}
	if fr.scan != nil {
		fr.scan.Close()
	}
}
