package jsonl

import (
	"context"
	"errors"
	"fmt"
	"io"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"

	"lakeframe/errs"
	"lakeframe/exec"
	"lakeframe/exec/source/internal/filescan"
	"lakeframe/plan"
)

// Open starts reading a task's file. Keys of columns not projected are
// skipped without being decoded.
func (s *Source) Open(ctx context.Context, tc *exec.TaskContext, task plan.Task) (exec.Stream, error) {
	t, ok := task.(*Task)
	if !ok {
		return nil, fmt.Errorf("%w: json source got a %T task", errs.ErrInternal, task)
	}
	cols, schema, err := s.layout.Project(t.Columns)
	if err != nil {
		return nil, err
	}
	bs := tc.BatchSize
	if bs <= 0 {
		bs = exec.DefaultBatchSize
	}
	mem := tc.Mem
	if mem == nil {
		mem = memory.DefaultAllocator
	}
	st := &stream{src: s, mem: mem, batchSize: bs, task: t, cols: cols, schema: schema, limit: t.Limit}
	st.readCols = filescan.FileColumns(cols)
	st.index = map[string]int{}
	for k, c := range st.readCols {
		f := s.layout.Schema.Field(c)
		d, b := newDecoder(mem, f.Name, f.Type)
		st.decoders = append(st.decoders, d)
		st.builders = append(st.builders, b)
		st.index[f.Name] = k
	}
	st.seen = make([]bool, len(st.readCols))
	return st, nil
}

type stream struct {
	src       *Source
	mem       memory.Allocator
	batchSize int
	task      *Task
	cols      []filescan.Column
	schema    *arrow.Schema
	limit     int64
	emitted   int64

	readCols []int
	decoders []*decoder
	builders []array.Builder
	index    map[string]int
	seen     []bool
	sc       scanner

	lines  *lineReader
	done   bool
	consts []arrow.Array
}

func (s *stream) Schema() *arrow.Schema { return s.schema }

func (s *stream) Next(ctx context.Context) (arrow.RecordBatch, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	if s.done || (s.limit >= 0 && s.emitted >= s.limit) {
		return nil, io.EOF
	}
	path := s.task.File.Path
	if s.lines == nil {
		if err := s.start(ctx); err != nil {
			s.Close()
			return nil, err
		}
	}
	want := s.batchSize
	if s.limit >= 0 {
		want = int(min(int64(want), s.limit-s.emitted))
	}
	rows := 0
	for rows < want {
		line, err := s.lines.next()
		if errors.Is(err, io.EOF) {
			s.done = true
			break
		}
		if err != nil {
			return nil, fmt.Errorf("%w: read %s: %w", errs.ErrExec, path, err)
		}
		s.sc.reset(line)
		if s.sc.peek() != '{' {
			return nil, fmt.Errorf("%w: %s:%d: a line must hold a JSON object", errs.ErrExec, path, s.lines.line)
		}
		if err := decodeObject(&s.sc, s.decoders, s.index, s.seen); err != nil {
			return nil, fmt.Errorf("%w: %s:%d: %w", errs.ErrExec, path, s.lines.line, err)
		}
		if s.sc.peek() != 0 {
			return nil, fmt.Errorf("%w: %s:%d: %w", errs.ErrExec, path, s.lines.line, s.sc.errorf("text after the object"))
		}
		rows++
	}
	if rows == 0 {
		return nil, io.EOF
	}
	arrs := make([]arrow.Array, len(s.cols))
	fileArrs := make([]arrow.Array, len(s.builders))
	for k, b := range s.builders {
		fileArrs[k] = b.NewArray()
	}
	for i, c := range s.cols {
		if c.Partition {
			arrs[i] = array.NewSlice(s.consts[i], 0, int64(rows))
			continue
		}
		for k, rc := range s.readCols {
			if rc == c.Index {
				arrs[i] = fileArrs[k]
				arrs[i].Retain()
			}
		}
	}
	rec := array.NewRecordBatch(s.schema, arrs, int64(rows))
	for _, a := range arrs {
		a.Release()
	}
	for _, a := range fileArrs {
		a.Release()
	}
	s.emitted += int64(rows)
	return rec, nil
}

func (s *stream) start(ctx context.Context) error {
	var err error
	if s.lines, err = s.src.open(ctx, s.task.File.Path); err != nil {
		return err
	}
	s.consts = make([]arrow.Array, len(s.cols))
	for i, c := range s.cols {
		if !c.Partition {
			continue
		}
		if c.Index >= len(s.task.File.Partition) {
			return fmt.Errorf("%w: %s has no value for partition column %s", errs.ErrExec, s.task.File.Path, c.Name)
		}
		a, err := filescan.ConstantArray(s.mem, s.schema.Field(i).Type, s.task.File.Partition[c.Index], s.batchSize)
		if err != nil {
			return fmt.Errorf("%s: %w", s.task.File.Path, err)
		}
		s.consts[i] = a
	}
	return nil
}

// Close closes the file and releases the builders and partition columns.
func (s *stream) Close() error {
	s.done = true
	for _, a := range s.consts {
		if a != nil {
			a.Release()
		}
	}
	s.consts = nil
	for _, b := range s.builders {
		b.Release()
	}
	s.builders = nil
	if s.lines != nil {
		err := s.lines.closer.Close()
		s.lines = nil
		return err
	}
	return nil
}
