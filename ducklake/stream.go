package ducklake

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strconv"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/bitutil"
	"github.com/apache/arrow-go/v18/arrow/memory"
	pq "github.com/apache/arrow-go/v18/parquet"
	"github.com/apache/arrow-go/v18/parquet/file"
	"github.com/apache/arrow-go/v18/parquet/pqarrow"

	"lakeframe/errs"
	"lakeframe/exec"
	"lakeframe/exec/kernel"
	"lakeframe/exec/source/parquet"
	"lakeframe/plan"
)

// Open starts reading a task: its files one after another, each opened
// once, with deleted rows removed and columns matched by field id.
func (s *Source) Open(ctx context.Context, tc *exec.TaskContext, task plan.Task) (exec.Stream, error) {
	t, ok := task.(*Task)
	if !ok {
		return nil, fmt.Errorf("%w: ducklake source got a %T task", errs.ErrInternal, task)
	}
	fields := make([]arrow.Field, len(t.Columns))
	for i := range t.Columns {
		f, err := arrowField(&t.Columns[i])
		if err != nil {
			return nil, err
		}
		fields[i] = f
	}
	if tc == nil {
		tc = &exec.TaskContext{}
	}
	st := &stream{src: s, task: t, mem: tc.Mem, batchSize: tc.BatchSize, limit: t.Limit,
		schema: arrow.NewSchema(fields, nil)}
	if st.mem == nil {
		st.mem = memory.DefaultAllocator
	}
	if st.batchSize <= 0 {
		st.batchSize = exec.DefaultBatchSize
	}
	return st, nil
}

type stream struct {
	src       *Source
	task      *Task
	mem       memory.Allocator
	batchSize int
	schema    *arrow.Schema
	limit     int64
	emitted   int64
	next      int // index of the next file to open
	inlined   int // index of the next inlined table to read

	// The open file.
	file      *FileScan
	open      bool
	pr        *file.Reader
	fr        *pqarrow.FileReader
	rr        pqarrow.RecordReader
	groups    []int // row groups not read yet
	source    []int // per output column: record column, or -1 for a constant
	consts    []arrow.Array
	leaves    []int          // Parquet leaves read
	snapCol   int            // record column of the per-row snapshot id, or -1
	deleted   parquet.RowSet // deleted positions, nil when none
	offset    int64          // file position of the next row read
	rgStart   []int64        // file position of the first row of each row group
	countLeft int64          // rows still to produce when no column is read
}

func (s *stream) Schema() *arrow.Schema { return s.schema }

func (s *stream) Next(ctx context.Context) (arrow.RecordBatch, error) {
	for {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		if s.limit >= 0 && s.emitted >= s.limit {
			return nil, io.EOF
		}
		if !s.open {
			if s.next >= len(s.task.Files) {
				rec, err := s.nextInlined()
				if err != nil {
					return nil, err
				}
				return s.cut(rec), nil
			}
			f := &s.task.Files[s.next]
			s.next++
			if err := s.openFile(ctx, f); err != nil {
				s.closeFile()
				return nil, fmt.Errorf("ducklake table %s: %w", s.task.Table, err)
			}
		}
		rec, err := s.read(ctx)
		if errors.Is(err, io.EOF) {
			s.closeFile()
			continue
		}
		if err != nil {
			return nil, fmt.Errorf("ducklake table %s: %w", s.task.Table, err)
		}
		if rec.NumRows() == 0 {
			rec.Release()
			continue
		}
		return s.cut(rec), nil
	}
}

// cut applies the limit to a batch and counts it.
func (s *stream) cut(rec arrow.RecordBatch) arrow.RecordBatch {
	if s.limit >= 0 && s.emitted+rec.NumRows() > s.limit {
		cut := rec.NewSlice(0, s.limit-s.emitted)
		rec.Release()
		rec = cut
	}
	s.emitted += rec.NumRows()
	return rec
}

// nextInlined returns the batch of the next inlined table with rows, or
// io.EOF after the last.
func (s *stream) nextInlined() (arrow.RecordBatch, error) {
	for s.inlined < len(s.task.Inlined) {
		ir := &s.task.Inlined[s.inlined]
		s.inlined++
		if len(ir.Values) == 0 {
			continue
		}
		rec, err := inlinedBatch(s.mem, s.schema, ir)
		if err != nil {
			return nil, fmt.Errorf("ducklake table %s: %w", s.task.Table, err)
		}
		return rec, nil
	}
	return nil, io.EOF
}

// openFile reads the file's deletes and footer and decides which file
// column feeds each output column.
func (s *stream) openFile(ctx context.Context, f *FileScan) error {
	s.file, s.open, s.offset, s.snapCol = f, true, 0, -1
	fh, err := s.src.fs.Open(ctx, f.Path)
	if err != nil {
		return openError(f.Path, err)
	}
	opts := []file.ReadOption{file.WithReadProps(pq.NewReaderProperties(memory.DefaultAllocator))}
	if meta := s.src.cachedFooter(f.Path); meta != nil {
		opts = append(opts, file.WithMetadata(meta))
	}
	if s.pr, err = file.NewParquetReader(fh, opts...); err != nil {
		fh.Close()
		return fmt.Errorf("%w: read parquet footer of %s: %w", errs.ErrExec, f.Path, err)
	}
	props := pqarrow.ArrowReadProperties{BatchSize: int64(s.batchSize)}
	if s.limit >= 0 {
		props.BatchSize = max(1, min(props.BatchSize, s.limit-s.emitted))
	}
	if s.fr, err = pqarrow.NewFileReader(s.pr, props, s.mem); err != nil {
		return fmt.Errorf("%w: read parquet %s: %w", errs.ErrExec, f.Path, err)
	}
	if len(f.Deletes) > 0 || len(f.InlinedDeletes) > 0 {
		s.deleted = parquet.NewRowSet(f.Rows)
		for _, p := range f.InlinedDeletes {
			s.deleted.Add(p)
		}
		for i := range f.Deletes {
			if err := readDeletes(ctx, s.src.fs, &f.Deletes[i], f.Rows, s.task.Snapshot, s.deleted); err != nil {
				return err
			}
		}
	}
	if err := s.mapColumns(f); err != nil {
		return fmt.Errorf("data file %s: %w", f.Path, err)
	}
	meta := s.pr.MetaData()
	s.rgStart = make([]int64, meta.NumRowGroups()+1)
	for i := range meta.NumRowGroups() {
		s.rgStart[i+1] = s.rgStart[i] + meta.RowGroup(i).NumRows()
	}
	s.groups = f.RowGroups
	if s.groups == nil {
		s.groups = make([]int, meta.NumRowGroups())
		for i := range s.groups {
			s.groups[i] = i
		}
	}
	var rows int64
	for _, rg := range s.groups {
		if rg < 0 || rg >= meta.NumRowGroups() {
			return fmt.Errorf("%w: data file %s has no row group %d", errs.ErrExec, f.Path, rg)
		}
		rows += s.rgStart[rg+1] - s.rgStart[rg]
	}
	n := int(max(1, min(int64(s.batchSize), rows)))
	if err := s.makeConstants(n); err != nil {
		return err
	}
	if len(s.leaves) == 0 {
		s.countLeft = rows
		if s.deleted != nil {
			for _, rg := range s.groups {
				s.countLeft -= s.deleted.Count(s.rgStart[rg], s.rgStart[rg+1])
			}
		}
		s.groups = nil
	}
	return nil
}

// mapColumns finds each output column in the file, and the per-row
// snapshot column when the file needs filtering.
func (s *stream) mapColumns(f *FileScan) error {
	fields := s.fr.Manifest.Fields
	lay := newFileLayout(fields)
	var selected []int // manifest fields read, in record order
	recordCol := map[int]int{}
	use := func(fi int) int {
		if k, ok := recordCol[fi]; ok {
			return k
		}
		recordCol[fi] = len(selected)
		selected = append(selected, fi)
		return len(selected) - 1
	}
	s.source = make([]int, len(s.task.Columns))
	for i := range s.task.Columns {
		s.source[i] = -1
		if fi, ok := lay.find(&s.task.Columns[i], f.Mapping); ok {
			s.source[i] = use(fi)
		}
	}
	if f.filtersRows(s.task.Snapshot) {
		fi, ok := lay.byName[snapshotColumn]
		if !ok {
			return fmt.Errorf("%w: the file holds rows up to snapshot %d but has no %s column", errs.ErrExec, *f.PartialMax, snapshotColumn)
		}
		s.snapCol = use(fi)
	}
	s.leaves = s.leaves[:0]
	for _, fi := range selected {
		s.leaves = leafColumns(&fields[fi], s.leaves)
	}
	return nil
}

// fileLayout indexes a file's top-level fields.
type fileLayout struct {
	n      int
	byID   map[int64]int
	byName map[string]int
}

func newFileLayout(fields []pqarrow.SchemaField) *fileLayout {
	l := &fileLayout{n: len(fields), byID: map[int64]int{}, byName: map[string]int{}}
	for i := range fields {
		if id, ok := fieldID(fields[i].Field); ok {
			l.byID[id] = i
		}
		l.byName[fields[i].Field.Name] = i
	}
	return l
}

// find locates a column in the file: through the file's name mapping
// when it has one, else by field id (the column id) when every field has
// one, else by position, as DuckLake reads files other tools wrote.
func (l *fileLayout) find(c *Column, m *NameMapping) (int, bool) {
	switch {
	case m != nil:
		name, ok := m.Names[c.ID]
		if !ok || m.Hive[c.ID] {
			return 0, false
		}
		fi, ok := l.byName[name]
		return fi, ok
	case len(l.byID) == l.n:
		fi, ok := l.byID[c.ID]
		return fi, ok
	}
	return c.Position, c.Position < l.n
}

func fieldID(f *arrow.Field) (int64, bool) {
	if f == nil {
		return 0, false
	}
	v, ok := f.Metadata.GetValue("PARQUET:field_id")
	if !ok {
		return 0, false
	}
	id, err := strconv.ParseInt(v, 10, 64)
	return id, err == nil && id >= 0
}

func leafColumns(f *pqarrow.SchemaField, out []int) []int {
	if f.IsLeaf() {
		return append(out, f.ColIndex)
	}
	for i := range f.Children {
		out = leafColumns(&f.Children[i], out)
	}
	return out
}

// makeConstants builds n rows of each output column the file lacks.
func (s *stream) makeConstants(n int) error {
	releaseAll(s.consts)
	s.consts = make([]arrow.Array, len(s.task.Columns))
	for i, src := range s.source {
		if src >= 0 {
			continue
		}
		c := &s.task.Columns[i]
		value := c.InitialDefault
		if m := s.file.Mapping; m != nil && m.Hive[c.ID] {
			v, err := hiveValue(s.file.Path, m.Names[c.ID])
			if err != nil {
				return err
			}
			value = v
		}
		a, err := constantArray(s.mem, c, value, s.schema.Field(i).Type, n)
		if err != nil {
			return err
		}
		s.consts[i] = a
	}
	return nil
}

// read returns the next batch of the open file, or io.EOF.
func (s *stream) read(ctx context.Context) (arrow.RecordBatch, error) {
	if len(s.leaves) == 0 {
		if s.countLeft <= 0 {
			return nil, io.EOF
		}
		n := min(int64(s.batchSize), s.countLeft)
		s.countLeft -= n
		return s.assemble(nil, n)
	}
	for s.rr == nil || !s.rr.Next() {
		if s.rr != nil {
			err := s.rr.Err()
			s.rr.Release()
			s.rr = nil
			if err != nil && !errors.Is(err, io.EOF) {
				return nil, fmt.Errorf("%w: read parquet %s: %w", errs.ErrExec, s.file.Path, err)
			}
		}
		if len(s.groups) == 0 {
			return nil, io.EOF
		}
		rg := s.groups[0]
		s.groups = s.groups[1:]
		s.offset = s.rgStart[rg]
		// A reader per row group keeps batches from spanning row groups,
		// which would make the reader copy every column.
		var err error
		if s.rr, err = s.fr.GetRecordReader(ctx, s.leaves, []int{rg}); err != nil {
			return nil, fmt.Errorf("%w: read parquet %s: %w", errs.ErrExec, s.file.Path, err)
		}
	}
	rec := s.rr.RecordBatch()
	n := rec.NumRows()
	start := s.offset
	s.offset += n
	out, err := s.assemble(rec.Columns(), n)
	if err != nil {
		return nil, err
	}
	mask := s.keepMask(rec, start, n)
	if mask == nil {
		return out, nil
	}
	defer mask.Release()
	defer out.Release()
	return kernel.Filter(s.mem, out, mask)
}

// assemble builds an output batch from the file columns read and the
// constants of the columns the file lacks.
func (s *stream) assemble(cols []arrow.Array, n int64) (arrow.RecordBatch, error) {
	arrs := make([]arrow.Array, len(s.source))
	defer func() { releaseAll(arrs) }()
	for i, src := range s.source {
		if src >= 0 {
			a, err := conform(s.mem, cols[src], s.schema.Field(i).Type)
			if err != nil {
				return nil, fmt.Errorf("data file %s, column %s: %w", s.file.Path, s.schema.Field(i).Name, err)
			}
			arrs[i] = a
			continue
		}
		if int64(s.consts[i].Len()) < n {
			if err := s.makeConstants(int(n)); err != nil {
				return nil, err
			}
		}
		arrs[i] = array.NewSlice(s.consts[i], 0, n)
	}
	return array.NewRecordBatch(s.schema, arrs, n), nil
}

// keepMask marks the rows of a batch to keep, or returns nil to keep all:
// rows at deleted positions and rows a later snapshot wrote are dropped.
func (s *stream) keepMask(rec arrow.RecordBatch, start, n int64) *array.Boolean {
	var snaps *array.Int64
	if s.snapCol >= 0 {
		snaps, _ = rec.Column(s.snapCol).(*array.Int64)
	}
	hasDeletes := s.deleted != nil && s.deleted.Count(start, start+n) > 0
	if !hasDeletes && snaps == nil {
		return nil
	}
	buf := memory.NewResizableBuffer(s.mem)
	buf.Resize(int(bitutil.BytesForBits(n)))
	bm := buf.Bytes()
	for i := range bm {
		bm[i] = 0xff
	}
	if hasDeletes {
		s.deleted.Each(start, start+n, func(p int64) { bitutil.ClearBit(bm, int(p-start)) })
	}
	if snaps != nil {
		snapshot := s.task.Snapshot
		for i, v := range snaps.Int64Values() {
			if v > snapshot && snaps.IsValid(i) {
				bitutil.ClearBit(bm, i)
			}
		}
	}
	data := array.NewData(arrow.FixedWidthTypes.Boolean, int(n), []*memory.Buffer{nil, buf}, nil, 0, 0)
	buf.Release()
	defer data.Release()
	return array.NewBooleanData(data)
}

func releaseAll(arrs []arrow.Array) {
	for _, a := range arrs {
		if a != nil {
			a.Release()
		}
	}
}

func (s *stream) closeFile() {
	if s.rr != nil {
		s.rr.Release()
		s.rr = nil
	}
	s.fr, s.groups, s.rgStart = nil, nil, nil
	if s.pr != nil {
		s.pr.Close()
		s.pr = nil
	}
	releaseAll(s.consts)
	s.consts, s.deleted, s.source = nil, nil, nil
	s.open = false
}

// Close releases the open file and readers.
func (s *stream) Close() error {
	s.closeFile()
	s.next, s.inlined = len(s.task.Files), len(s.task.Inlined)
	return nil
}
