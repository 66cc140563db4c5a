package csv

import (
	"context"
	"errors"
	"fmt"
	"io"

	"github.com/apache/arrow-go/v18/arrow"

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
	sc, err := s.layout.NewScan(tc, t.Columns, t.Limit)
	if err != nil {
		return nil, err
	}
	return &stream{Scan: sc, src: s, task: t}, nil
}

type stream struct {
	filescan.Scan
	src  *Source
	task *Task

	tok    *tokenizer
	closer io.Closer
	done   bool
}

func (s *stream) Next(ctx context.Context) (arrow.RecordBatch, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	if s.done || s.LimitReached() {
		return nil, io.EOF
	}
	if s.tok == nil {
		if err := s.start(ctx); err != nil {
			s.Close()
			return nil, err
		}
	}
	want := s.BatchRows()
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
	s.Emitted += int64(rows)
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
	return s.MakePartitionColumns(&s.task.File, s.BatchSize)
}

// build parses the projected file columns of the tokenized batch.
func (s *stream) build(rows int) (arrow.RecordBatch, error) {
	p := columnParser{mem: s.Mem, tok: s.tok, ncols: s.src.width, nulls: byteStrings(s.src.opts.nulls()), path: s.task.File.Path}
	fileCols := make([]arrow.Array, len(s.ReadCols))
	defer func() {
		for _, a := range fileCols {
			if a != nil {
				a.Release()
			}
		}
	}()
	for k, c := range s.ReadCols {
		f := s.src.layout.Schema.Field(c)
		p.name = f.Name
		a, err := p.parse(c, rows, f.Type)
		if err != nil {
			return nil, err
		}
		fileCols[k] = a
	}
	return s.Record(fileCols, int64(rows)), nil
}

// Close closes the file and releases the partition columns.
func (s *stream) Close() error {
	s.done = true
	s.ReleasePartitionColumns()
	var err error
	if s.closer != nil {
		err = s.closer.Close()
		s.closer = nil
	}
	return err
}
