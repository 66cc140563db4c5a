package csv

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

// Open starts reading a task's file. Only the projected columns are
// parsed.
func (s *Source) Open(ctx context.Context, tc *exec.TaskContext, task plan.Task) (exec.Stream, error) {
	t, ok := task.(*Task)
	if !ok {
		return nil, fmt.Errorf("%w: csv source got a %T task", errs.ErrInternal, task)
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
	return &stream{src: s, mem: mem, batchSize: bs, task: t, cols: cols, schema: schema, limit: t.Limit}, nil
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

	tok    *tokenizer
	closer io.Closer
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
	if s.tok == nil {
		if err := s.start(ctx); err != nil {
			s.Close()
			return nil, err
		}
	}
	want := s.batchSize
	if s.limit >= 0 {
		want = int(min(int64(want), s.limit-s.emitted))
	}
	path := s.task.File.Path
	s.tok.reset()
	rows := 0
	for rows < want {
		n, err := s.tok.next()
		if errors.Is(err, io.EOF) {
			s.done = true
			break
		}
		if err != nil {
			return nil, fmt.Errorf("%w: %s:%w", errs.ErrExec, path, err)
		}
		if n != s.src.width {
			return nil, fmt.Errorf("%w: %s:%d: expected %d fields, got %d", errs.ErrExec, path, s.tok.lines[rows], s.src.width, n)
		}
		rows++
	}
	if rows == 0 {
		return nil, io.EOF
	}
	rec, err := s.build(rows)
	if err != nil {
		return nil, err
	}
	s.emitted += int64(rows)
	return rec, nil
}

// start opens the file, skips the header and makes the partition columns.
func (s *stream) start(ctx context.Context) error {
	var err error
	if s.tok, s.closer, err = s.src.open(ctx, s.task.File.Path); err != nil {
		return err
	}
	if !s.src.opts.NoHeader {
		if _, err := readHeader(s.tok, s.task.File.Path); err != nil {
			return err
		}
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

// build parses the projected columns of the tokenized batch.
func (s *stream) build(rows int) (arrow.RecordBatch, error) {
	p := columnParser{mem: s.mem, tok: s.tok, ncols: s.src.width, nulls: byteStrings(s.src.opts.nulls()), path: s.task.File.Path}
	arrs := make([]arrow.Array, len(s.cols))
	defer func() {
		for _, a := range arrs {
			if a != nil {
				a.Release()
			}
		}
	}()
	for i, c := range s.cols {
		if c.Partition {
			arrs[i] = array.NewSlice(s.consts[i], 0, int64(rows))
			continue
		}
		p.name = c.Name
		a, err := p.parse(c.Index, rows, s.schema.Field(i).Type)
		if err != nil {
			return nil, err
		}
		arrs[i] = a
	}
	return array.NewRecordBatch(s.schema, arrs, int64(rows)), nil
}

// Close closes the file and releases the partition columns.
func (s *stream) Close() error {
	s.done = true
	for _, a := range s.consts {
		if a != nil {
			a.Release()
		}
	}
	s.consts = nil
	var err error
	if s.closer != nil {
		err = s.closer.Close()
		s.closer = nil
	}
	return err
}
