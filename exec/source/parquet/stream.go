package parquet

import (
	"context"
	"errors"
	"fmt"
	"io"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/parquet/file"

	"lakeframe/errs"
	"lakeframe/exec"
	"lakeframe/exec/source/internal/filescan"
	"lakeframe/plan"
)

// Open starts reading a task. Files are opened one at a time, each once.
func (s *Source) Open(ctx context.Context, tc *exec.TaskContext, task plan.Task) (exec.Stream, error) {
	t, ok := task.(*Task)
	if !ok {
		return nil, fmt.Errorf("%w: parquet source got a %T task", errs.ErrInternal, task)
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

	part     int // index of the next part to open
	open     bool
	path     string
	pr       *file.Reader
	rgr      *RowGroupReader // reads the open part's row groups
	rowsLeft int64           // rows still to produce when no file column is read
}

func (s *stream) Next(ctx context.Context) (arrow.RecordBatch, error) {
	for {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		if s.LimitReached() {
			return nil, io.EOF
		}
		if !s.open {
			if s.part >= len(s.task.Parts) {
				return nil, io.EOF
			}
			if err := s.openPart(ctx, &s.task.Parts[s.part]); err != nil {
				s.closePart()
				return nil, err
			}
			s.part++
		}
		rec, err := s.read(ctx)
		if errors.Is(err, io.EOF) {
			s.closePart()
			continue
		}
		if err != nil {
			return nil, err
		}
		if s.Limit >= 0 && s.Emitted+rec.NumRows() > s.Limit {
			cut := rec.NewSlice(0, s.Limit-s.Emitted)
			rec.Release()
			rec = cut
		}
		s.Emitted += rec.NumRows()
		return rec, nil
	}
}

// read returns the next batch of the open part, or io.EOF.
func (s *stream) read(ctx context.Context) (arrow.RecordBatch, error) {
	if s.rgr == nil {
		if s.rowsLeft == 0 {
			return nil, io.EOF
		}
		n := min(int64(s.BatchSize), s.rowsLeft)
		s.rowsLeft -= n
		return s.Record(nil, n), nil
	}
	rec, _, err := s.rgr.Next(ctx)
	if err != nil {
		return nil, err
	}
	defer rec.Release()
	if err := s.checkColumns(rec.Schema()); err != nil {
		return nil, err
	}
	return s.Record(rec.Columns(), rec.NumRows()), nil
}

func (s *stream) openPart(ctx context.Context, p *Part) error {
	s.open, s.path = true, p.File.Path
	n := min(int64(s.BatchSize), p.Rows)
	if err := s.MakePartitionColumns(&p.File, int(n)); err != nil {
		return err
	}
	if len(s.ReadCols) == 0 {
		s.rowsLeft = p.Rows
		return nil
	}
	fh, err := s.src.fs.Open(ctx, p.File.Path)
	if err != nil {
		return fmt.Errorf("%w: open %s: %w", errs.ErrExec, p.File.Path, err)
	}
	opts := []file.ReadOption{file.WithReadProps(readerProps())}
	s.src.mu.Lock()
	if meta, ok := s.src.footerCache[p.File.Path]; ok {
		opts = append(opts, file.WithMetadata(meta))
	}
	s.src.mu.Unlock()
	if s.pr, err = file.NewParquetReader(fh, opts...); err != nil {
		fh.Close()
		return fmt.Errorf("%w: read parquet footer of %s: %w", errs.ErrExec, p.File.Path, err)
	}
	batch := int64(s.BatchSize)
	if s.Limit >= 0 {
		batch = max(1, min(batch, s.Limit-s.Emitted))
	}
	s.rgr, err = NewRowGroupReader(s.pr, RowGroupReadOptions{Path: p.File.Path, Mem: s.Mem, BatchSize: batch,
		Fields: s.ReadCols, RowGroups: p.RowGroups})
	return err
}

// checkColumns compares the columns read from the open file with the
// first file's.
func (s *stream) checkColumns(got *arrow.Schema) error {
	if got.NumFields() != len(s.ReadCols) {
		return fmt.Errorf("%w: %s does not have the columns of %s", errs.ErrExec, s.path, s.src.files[0].Path)
	}
	for k, c := range s.ReadCols {
		want := s.src.layout.Schema.Field(c)
		f := got.Field(k)
		if f.Name != want.Name || !arrow.TypeEqual(f.Type, want.Type) {
			return fmt.Errorf("%w: schemas differ: column %s is %s in %s but %s %s in %s",
				errs.ErrExec, want.Name, want.Type, s.src.files[0].Path, f.Name, f.Type, s.path)
		}
	}
	return nil
}

func releaseAll(arrs []arrow.Array) {
	for _, a := range arrs {
		a.Release()
	}
}

func (s *stream) closePart() {
	if s.rgr != nil {
		s.rgr.Release()
		s.rgr = nil
	}
	if s.pr != nil {
		s.pr.Close()
		s.pr = nil
	}
	s.ReleasePartitionColumns()
	s.open = false
}

// Close releases the open file and readers.
func (s *stream) Close() error {
	s.closePart()
	s.part = len(s.task.Parts)
	return nil
}
