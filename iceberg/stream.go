package iceberg

import (
	"context"
	"fmt"
	"io"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/compute"
	"github.com/apache/arrow-go/v18/arrow/memory"
	pq "github.com/apache/arrow-go/v18/parquet"
	"github.com/apache/arrow-go/v18/parquet/file"
	"github.com/apache/arrow-go/v18/parquet/metadata"
	"github.com/apache/arrow-go/v18/parquet/schema"
	iceio "github.com/apache/iceberg-go/io"
	"github.com/apache/iceberg-go/table"

	"lakeframe/errs"
	"lakeframe/exec"
	"lakeframe/exec/kernel"
	lfparquet "lakeframe/exec/source/parquet"
	"lakeframe/exec/source/prune"
	"lakeframe/plan"
)

// Open reads a task's files one after another (see fileReader).
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
	if tc == nil {
		tc = &exec.TaskContext{}
	}
	mem := tc.Mem
	if mem == nil {
		mem = memory.DefaultAllocator
	}
	left := int64(-1)
	if t.Limit > 0 {
		left = t.Limit
	}
	return &stream{src: s, task: t, mem: mem, schema: arrow.NewSchema(fields, nil), left: left, batch: tc.BatchSize}, nil
}

type stream struct {
	src    *Source
	task   *Task
	mem    memory.Allocator
	schema *arrow.Schema
	batch  int

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
			fr, err := st.src.openFile(ctx, st.task, st.task.Files[st.next], st.schema, st.mem, st.batch)
			st.next++
			if err != nil {
				return nil, err
			}
			st.cur = fr
		}
		rec, err := st.cur.next(ctx)
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

// fileReader reads one file scan task with lakeframe's Parquet reader:
// columns matched by field id (or the table's name mapping, or by name in
// files that carry neither), columns the file lacks as NULL or their
// initial default, identity-partition columns from the partition values,
// row groups outside the task's range or ruled out by the pushed filters
// skipped, and deleted rows (positional, deletion vectors, equality)
// dropped.
type fileReader struct {
	src    *Source
	path   string
	schema *arrow.Schema
	mem    memory.Allocator
	batch  int

	f   iceio.File
	pr  *file.Reader
	rgr *lfparquet.RowGroupReader
	// source[i] is the batch column of output column i, or -1 when the
	// column is the constant consts[i] (partition value, default, NULL).
	source []int
	values []any // constant values, by output column
	consts []arrow.Array
	// types are the table types of the batch columns, batchSchema the
	// columns read once converted to them.
	types       []arrow.DataType
	batchSchema *arrow.Schema
	// eqSets are the keys equality deletes delete, by the batch columns
	// they compare.
	eqSets  []*equalitySet
	deleted lfparquet.RowSet
	// countLeft are the rows still to produce when no column is read.
	countLeft int64
}

func (s *Source) openFile(ctx context.Context, t *Task, ft table.FileScanTask, schema *arrow.Schema, mem memory.Allocator, batch int) (*fileReader, error) {
	path := ft.File.FilePath()
	fr := &fileReader{src: s, path: path, schema: schema, mem: mem, batch: batch}
	if fr.batch <= 0 {
		fr.batch = exec.DefaultBatchSize
	}
	if err := fr.open(ctx, t, ft); err != nil {
		fr.close()
		return nil, err
	}
	return fr, nil
}

func (fr *fileReader) open(ctx context.Context, t *Task, ft table.FileScanTask) error {
	s := fr.src
	var err error
	if fr.f, err = s.tio.Open(fr.path); err != nil {
		return fmt.Errorf("%w: open data file %s: %w", errs.ErrExec, fr.path, err)
	}
	fr.f = s.cached(ctx, fr.f, fr.path, ft.File.FileSizeBytes())
	opts := []file.ReadOption{file.WithReadProps(pq.NewReaderProperties(memory.DefaultAllocator))}
	cached := s.footer(fr.path)
	if cached != nil {
		opts = append(opts, file.WithMetadata(cached))
	}
	if fr.pr, err = file.NewParquetReader(fr.f, opts...); err != nil {
		return fmt.Errorf("%w: read parquet footer of data file %s: %w", errs.ErrExec, fr.path, err)
	}
	meta := fr.pr.MetaData()
	if cached == nil {
		s.keepFooter(fr.path, meta)
	}
	if meta.NumRows != ft.File.Count() {
		return fmt.Errorf("%w: data file %s holds %d rows, its manifest says %d", errs.ErrExec, fr.path, meta.NumRows, ft.File.Count())
	}
	cols, err := s.fileColumns(meta)
	if err != nil {
		return fmt.Errorf("%w: data file %s: %w", errs.ErrExec, fr.path, err)
	}

	// Each output column comes from the file or is a constant.
	partition := ft.File.Partition()
	identity := s.identity[int(ft.File.SpecID())]
	var read []int // manifest fields read, in batch order
	batchCol := map[int]int{}
	use := func(fi int, typ arrow.DataType) int {
		if k, ok := batchCol[fi]; ok {
			return k
		}
		batchCol[fi] = len(read)
		read = append(read, fi)
		fr.types = append(fr.types, typ)
		return len(read) - 1
	}
	fr.source = make([]int, fr.schema.NumFields())
	fr.values = make([]any, fr.schema.NumFields())
	fileField := make([]int, fr.schema.NumFields())
	for i, f := range fr.schema.Fields() {
		fr.source[i], fileField[i] = -1, -1
		if id, ok := identity[f.Name]; ok {
			fr.values[i] = partition[id]
			continue
		}
		field, ok := s.ischema.FindFieldByName(f.Name)
		if !ok {
			return fmt.Errorf("%w: iceberg table %s has no column %q", errs.ErrPlan, name(s.tbl), f.Name)
		}
		if fi, ok := cols.find(field); ok {
			fileField[i] = fi
			fr.source[i] = use(fi, f.Type)
			continue
		}
		fr.values[i] = field.InitialDefault
	}
	if err := fr.equalityDeletes(ctx, ft, cols, use); err != nil {
		return err
	}
	if err := fr.positionDeletes(ctx, ft); err != nil {
		return err
	}

	groups := fr.rowGroups(t, ft, fileField)
	fr.countLeft = 0
	if len(read) == 0 {
		starts := make([]int64, meta.NumRowGroups()+1)
		for i := range meta.NumRowGroups() {
			starts[i+1] = starts[i] + meta.RowGroup(i).NumRows()
		}
		for _, rg := range groups {
			fr.countLeft += starts[rg+1] - starts[rg]
			if fr.deleted != nil {
				fr.countLeft -= fr.deleted.Count(starts[rg], starts[rg+1])
			}
		}
	} else if len(groups) > 0 {
		fr.rgr, err = lfparquet.NewRowGroupReader(fr.pr, lfparquet.RowGroupReadOptions{Path: fr.path, Mem: fr.mem,
			BatchSize: int64(fr.batch), Fields: read, RowGroups: groups})
		if err != nil {
			return err
		}
	}
	return nil
}

// rowGroups lists the row groups the task reads: those that start in its
// byte range and that the pushed filters cannot rule out.
func (fr *fileReader) rowGroups(t *Task, ft table.FileScanTask, fileField []int) []int {
	meta := fr.pr.MetaData()
	whole := ft.Start <= 0 && ft.Length >= ft.File.FileSizeBytes()
	preds := t.compiled(fr.src.schema)
	var out []int
	for rg := range meta.NumRowGroups() {
		rgm := meta.RowGroup(rg)
		if !whole {
			if start := rowGroupStart(rgm); start < ft.Start || start >= ft.Start+ft.Length {
				continue
			}
		}
		if len(preds) > 0 && !fr.mayMatch(preds, rgm, fileField) {
			continue
		}
		out = append(out, rg)
	}
	return out
}

// mayMatch tests the pushed filters on a row group's statistics; columns
// held as constants are summarised by their value.
func (fr *fileReader) mayMatch(preds []*prune.Predicate, rgm *metadata.RowGroupMetaData, fileField []int) bool {
	rows := rgm.NumRows()
	schema := fr.pr.MetaData().Schema
	stats := func(col int) (prune.Stats, bool) {
		name := fr.src.schema.Field(col).Name
		typ := fr.src.schema.Field(col).Type
		idx := fr.schema.FieldIndices(name)
		if len(idx) != 1 {
			return prune.Stats{}, false
		}
		i := idx[0]
		if fr.source[i] < 0 {
			return constantStats(fr.values[i], typ, rows)
		}
		leaf, ok := fr.leaf(fileField[i])
		if !ok || !lfparquet.StatsUsable(schema.Column(leaf), typ) {
			return prune.Stats{}, false
		}
		cc, err := rgm.ColumnChunk(leaf)
		if err != nil {
			return prune.Stats{}, false
		}
		return prune.FromParquet(cc, typ, rows, true)
	}
	for _, p := range preds {
		if !p.MayMatch(stats) {
			return false
		}
	}
	return true
}

// leaf is the Parquet leaf column of a top-level primitive field.
func (fr *fileReader) leaf(fi int) (int, bool) {
	if fi < 0 {
		return 0, false
	}
	sc := fr.pr.MetaData().Schema
	node := sc.Root().Field(fi)
	if _, ok := node.(*schema.PrimitiveNode); !ok {
		return 0, false
	}
	idx := sc.ColumnIndexByName(node.Name())
	return idx, idx >= 0
}

// constantStats summarises rows that all hold v (nil: NULL).
func constantStats(v any, typ arrow.DataType, rows int64) (prune.Stats, bool) {
	if v == nil {
		return prune.Constant(prune.Value{}, true, rows), true
	}
	sc, err := constScalar(v, typ)
	if err != nil {
		return prune.Stats{}, false
	}
	pv, ok := prune.FromScalar(sc, typ)
	if !ok {
		return prune.Stats{}, false
	}
	return prune.Constant(pv, false, rows), true
}

func (fr *fileReader) next(ctx context.Context) (arrow.RecordBatch, error) {
	for {
		if fr.rgr == nil {
			if fr.countLeft <= 0 {
				return nil, io.EOF
			}
			n := min(int64(fr.batch), fr.countLeft)
			fr.countLeft -= n
			return fr.assemble(nil, n)
		}
		rec, pos, err := fr.rgr.Next(ctx)
		if err != nil {
			return nil, err
		}
		out, err := fr.keep(rec, pos)
		rec.Release()
		if err != nil {
			return nil, fmt.Errorf("%w: data file %s: %w", errs.ErrExec, fr.path, err)
		}
		if out == nil {
			continue
		}
		res, err := fr.assemble(out.Columns(), out.NumRows())
		out.Release()
		return res, err
	}
}

// keep drops the deleted rows of a batch whose first row is at file
// position pos; nil when none is left.
func (fr *fileReader) keep(rec arrow.RecordBatch, pos int64) (arrow.RecordBatch, error) {
	n := rec.NumRows()
	cols, err := fr.conformAll(rec)
	if err != nil {
		return nil, err
	}
	if fr.batchSchema == nil {
		fields := make([]arrow.Field, len(cols))
		for k := range fields {
			fields[k] = arrow.Field{Name: rec.ColumnName(k), Type: fr.types[k], Nullable: true}
		}
		fr.batchSchema = arrow.NewSchema(fields, nil)
	}
	conformed := array.NewRecordBatch(fr.batchSchema, cols, n)
	for _, c := range cols {
		c.Release()
	}
	hasPos := fr.deleted != nil && fr.deleted.Count(pos, pos+n) > 0
	if !hasPos && len(fr.eqSets) == 0 {
		return conformed, nil
	}
	defer conformed.Release()
	bm := make([]bool, n)
	for i := range bm {
		bm[i] = true
	}
	if hasPos {
		fr.deleted.Each(pos, pos+n, func(p int64) { bm[p-pos] = false })
	}
	var key []byte
	for _, set := range fr.eqSets {
		for i := range bm {
			if !bm[i] {
				continue
			}
			key = key[:0]
			for _, c := range set.cols {
				key = appendKey(key, conformed.Column(c), i)
			}
			if set.keys[string(key)] {
				bm[i] = false
			}
		}
	}
	switch countTrue(bm) {
	case 0:
		return nil, nil
	case len(bm):
		conformed.Retain()
		return conformed, nil
	}
	b := array.NewBooleanBuilder(fr.mem)
	b.AppendValues(bm, nil)
	mask := b.NewBooleanArray()
	b.Release()
	defer mask.Release()
	return kernel.Filter(fr.mem, conformed, mask)
}

func countTrue(bm []bool) int {
	n := 0
	for _, b := range bm {
		if b {
			n++
		}
	}
	return n
}

// conformAll converts the batch columns to the table's types.
func (fr *fileReader) conformAll(rec arrow.RecordBatch) ([]arrow.Array, error) {
	out := make([]arrow.Array, rec.NumCols())
	for k := range out {
		c, err := conform(rec.Column(k), fr.types[k], fr.mem)
		if err != nil {
			releaseArrays(out)
			return nil, fmt.Errorf("column %s: %w", rec.ColumnName(k), err)
		}
		out[k] = c
	}
	return out, nil
}

func releaseArrays(arrs []arrow.Array) {
	for _, a := range arrs {
		if a != nil {
			a.Release()
		}
	}
}

// assemble builds an output batch of n rows from the batch columns read
// (already in the table's types) and the constants.
func (fr *fileReader) assemble(cols []arrow.Array, n int64) (arrow.RecordBatch, error) {
	arrs := make([]arrow.Array, fr.schema.NumFields())
	defer releaseArrays(arrs)
	for i, f := range fr.schema.Fields() {
		if src := fr.source[i]; src >= 0 {
			arrs[i] = cols[src]
			arrs[i].Retain()
			continue
		}
		if fr.consts == nil {
			fr.consts = make([]arrow.Array, fr.schema.NumFields())
		}
		if fr.consts[i] == nil || int64(fr.consts[i].Len()) < n {
			if fr.consts[i] != nil {
				fr.consts[i].Release()
			}
			c, err := constArray(fr.values[i], f.Type, int(max(n, int64(fr.batch))), fr.mem)
			if err != nil {
				return nil, fmt.Errorf("%w: %s: value of %s: %w", errs.ErrExec, fr.path, f.Name, err)
			}
			fr.consts[i] = c
		}
		arrs[i] = array.NewSlice(fr.consts[i], 0, n)
	}
	return array.NewRecordBatch(fr.schema, arrs, n), nil
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
	if fr.rgr != nil {
		fr.rgr.Release()
		fr.rgr = nil
	}
	releaseArrays(fr.consts)
	fr.consts = nil
	if fr.pr != nil {
		fr.pr.Close() // closes the file too
		fr.pr, fr.f = nil, nil
	}
	if fr.f != nil {
		fr.f.Close()
		fr.f = nil
	}
}
