package parquet

import (
	"context"
	"errors"
	"fmt"
	"io"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/parquet/file"
	"github.com/apache/arrow-go/v18/parquet/pqarrow"

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
	st := &stream{Scan: sc, src: s, task: t}
	for _, c := range st.ReadCols {
		st.leaves = append(st.leaves, s.leaves[c]...)
	}
	return st, nil
}

type stream struct {
	filescan.Scan
	src    *Source
	task   *Task
	leaves []int // Parquet leaf columns of ReadCols

	part     int // index of the next part to open
	open     bool
	path     string
	pr       *file.Reader
	fr       *pqarrow.FileReader
	groups   []int                // row groups of the open part not read yet
	rr       pqarrow.RecordReader // reads the current row group
	dict     []bool               // per read column: read as a dictionary
	rowsLeft int64                // rows still to produce when no file column is read
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
		rec, err := s.read()
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
func (s *stream) read() (arrow.RecordBatch, error) {
	var n int64
	var fileCols []arrow.Array
	if s.fr != nil {
		for s.rr == nil || !s.rr.Next() {
			if s.rr != nil {
				err := s.rr.Err()
				s.rr.Release()
				s.rr = nil
				if err != nil {
					return nil, fmt.Errorf("%w: read parquet %s: %w", errs.ErrExec, s.path, err)
				}
			}
			if len(s.groups) == 0 {
				return nil, io.EOF
			}
			if err := s.nextRowGroup(); err != nil {
				return nil, err
			}
		}
		rec := s.rr.RecordBatch()
		n, fileCols = rec.NumRows(), rec.Columns()
	} else {
		if s.rowsLeft == 0 {
			return nil, io.EOF
		}
		n = min(int64(s.BatchSize), s.rowsLeft)
		s.rowsLeft -= n
	}
	var owned []arrow.Array
	for k, isDict := range s.dict {
		if !isDict {
			continue
		}
		if fileCols == nil || k >= len(fileCols) {
			break
		}
		d, ok := fileCols[k].(*array.Dictionary)
		if !ok {
			continue
		}
		a, err := expandDict(s.Mem, d, s.src.layout.Schema.Field(s.ReadCols[k]).Type)
		if err != nil {
			releaseAll(owned)
			return nil, fmt.Errorf("read parquet %s: %w", s.path, err)
		}
		if owned == nil {
			fileCols = append([]arrow.Array(nil), fileCols...)
		}
		fileCols[k] = a
		owned = append(owned, a)
	}
	defer releaseAll(owned)
	return s.Record(fileCols, n), nil
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
	props := pqarrow.ArrowReadProperties{BatchSize: int64(s.BatchSize), PreAllocBinaryData: true}
	if s.Limit >= 0 {
		props.BatchSize = max(1, min(props.BatchSize, s.Limit-s.Emitted))
	}
	s.dict = s.dictionaryColumns(p)
	for k, isDict := range s.dict {
		if isDict {
			props.SetReadDict(s.src.leaves[s.ReadCols[k]][0], true)
		}
	}
	if s.fr, err = pqarrow.NewFileReader(s.pr, props, s.Mem); err != nil {
		return fmt.Errorf("%w: read parquet %s: %w", errs.ErrExec, p.File.Path, err)
	}
	s.groups = p.RowGroups
	return nil
}

// nextRowGroup starts a record reader on the next row group. A reader per
// row group keeps batches from spanning row groups, which would make the
// reader concatenate (copy) every column.
func (s *stream) nextRowGroup() error {
	rg := s.groups[0]
	s.groups = s.groups[1:]
	var err error
	if s.rr, err = s.fr.GetRecordReader(context.Background(), s.leaves, []int{rg}); err != nil {
		return fmt.Errorf("%w: read parquet %s: %w", errs.ErrExec, s.path, err)
	}
	got := s.rr.Schema()
	if got.NumFields() != len(s.ReadCols) {
		return fmt.Errorf("%w: %s does not have the columns of %s", errs.ErrExec, s.path, s.src.files[0].Path)
	}
	for k, c := range s.ReadCols {
		want := s.src.layout.Schema.Field(c)
		f := got.Field(k)
		typ := f.Type
		if dt, ok := typ.(*arrow.DictionaryType); ok && s.dict[k] {
			typ = dt.ValueType
		}
		if f.Name != want.Name || !arrow.TypeEqual(typ, want.Type) {
			return fmt.Errorf("%w: schemas differ: column %s is %s in %s but %s %s in %s",
				errs.ErrExec, want.Name, want.Type, s.src.files[0].Path, f.Name, f.Type, s.path)
		}
	}
	return nil
}

// dictionaryColumns picks the string columns to read as dictionaries:
// those whose chunks start with a dictionary page in every row group the
// part reads.
func (s *stream) dictionaryColumns(p *Part) []bool {
	meta := s.pr.MetaData()
	out := make([]bool, len(s.ReadCols))
	for k, c := range s.ReadCols {
		leaves := s.src.leaves[c]
		if len(leaves) != 1 || !dictionaryReadable(s.src.layout.Schema.Field(c).Type) {
			continue
		}
		out[k] = true
		for _, rg := range p.RowGroups {
			cc, err := meta.RowGroup(rg).ColumnChunk(leaves[0])
			if err != nil || !cc.HasDictionaryPage() {
				out[k] = false
				break
			}
		}
	}
	return out
}

func releaseAll(arrs []arrow.Array) {
	for _, a := range arrs {
		a.Release()
	}
}

func (s *stream) closePart() {
	if s.rr != nil {
		s.rr.Release()
		s.rr = nil
	}
	s.fr, s.groups, s.dict = nil, nil, nil
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
