package jsonl

import (
	"context"
	"errors"
	"fmt"
	"io"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"

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
	sc, err := s.layout.NewScan(tc, t.Columns, t.Limit)
	if err != nil {
		return nil, err
	}
	st := &stream{Scan: sc, src: s, task: t, index: map[string]int{}}
	for k, c := range st.ReadCols {
		f := s.layout.Schema.Field(c)
		d, b := newDecoder(st.Mem, f.Name, f.Type)
		st.decoders = append(st.decoders, d)
		st.builders = append(st.builders, b)
		st.index[f.Name] = k
	}
	st.seen = make([]bool, len(st.ReadCols))
	return st, nil
}

type stream struct {
	filescan.Scan
	src  *Source
	task *Task

	decoders []*decoder
	builders []array.Builder
	index    map[string]int
	seen     []bool
	sc       scanner

	lines *lineReader
	done  bool
}

func (s *stream) Next(ctx context.Context) (arrow.RecordBatch, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	if s.done || s.LimitReached() {
		return nil, io.EOF
	}
	path := s.task.File.Path
	if s.lines == nil {
		if err := s.start(ctx); err != nil {
			s.Close()
			return nil, err
		}
	}
	want := s.BatchRows()
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
	fileCols := make([]arrow.Array, len(s.builders))
	for k, b := range s.builders {
		fileCols[k] = b.NewArray()
	}
	rec := s.Record(fileCols, int64(rows))
	for _, a := range fileCols {
		a.Release()
	}
	s.Emitted += int64(rows)
	return rec, nil
}

func (s *stream) start(ctx context.Context) error {
	if s.src.opts.Schema == nil {
		sample := s.src.opts.sampleRows()
		first := s.src.files[0].Path
		schema := s.src.layout.Schema
		s.sc.unknownKey = func(key string) error {
			if len(schema.FieldIndices(key)) > 0 {
				return nil
			}
			return fmt.Errorf("%w: key %q is not among the columns inferred from the first %d lines of %s; infer from more lines (Options.SampleRows, -1 for the whole file) or give Options.Schema",
				errs.ErrPlan, key, sample, first)
		}
	}
	var err error
	if s.lines, err = s.src.open(ctx, s.task.File.Path); err != nil {
		return err
	}
	return s.MakePartitionColumns(&s.task.File, s.BatchSize)
}

// Close closes the file and releases the builders and partition columns.
func (s *stream) Close() error {
	s.done = true
	s.ReleasePartitionColumns()
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
