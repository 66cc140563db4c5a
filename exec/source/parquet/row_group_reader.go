package parquet

import (
	"context"
	"fmt"
	"io"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"
	"github.com/apache/arrow-go/v18/parquet/file"
	"github.com/apache/arrow-go/v18/parquet/pqarrow"

	"lakeframe/errs"
)

// RowGroupReader reads chosen top-level columns of chosen row groups of
// one Parquet file as Arrow batches. It is the decoding core every table
// format shares: the Parquet source, Iceberg and DuckLake data files.
// String columns whose chunks are all dictionary-encoded are read as
// dictionaries and expanded in one pass (see dict.go). A batch never
// spans two row groups, and each comes with the file position of its
// first row, which positional deletes refer to.
type RowGroupReader struct {
	path   string
	mem    memory.Allocator
	fr     *pqarrow.FileReader
	fields []int // manifest fields read, in batch column order
	leaves []int // their Parquet leaf columns
	dict   []bool
	// types are the batch columns' types, dictionaries expanded.
	types  []arrow.DataType
	groups []int   // row groups not started yet
	starts []int64 // file position of each row group's first row
	rr     pqarrow.RecordReader
	rg     int   // the row group rr reads
	pos    int64 // file position of the next row of rr
}

// RowGroupReadOptions choose what a RowGroupReader reads.
type RowGroupReadOptions struct {
	// Path names the file in errors.
	Path string
	Mem  memory.Allocator
	// BatchSize is the most rows per batch; 0 means 64 Ki.
	BatchSize int64
	// Fields are indexes of top-level fields of the file's schema
	// manifest, in the order the batch columns come; it must not be empty.
	Fields []int
	// RowGroups are read in the order given; nil reads them all.
	RowGroups []int
}

// NewRowGroupReader prepares to read an open file; it reads nothing yet.
// The caller keeps ownership of pr and closes it after the reader.
func NewRowGroupReader(pr *file.Reader, o RowGroupReadOptions) (*RowGroupReader, error) {
	if len(o.Fields) == 0 {
		return nil, fmt.Errorf("%w: read parquet %s: no columns chosen", errs.ErrInternal, o.Path)
	}
	if o.Mem == nil {
		o.Mem = memory.DefaultAllocator
	}
	if o.BatchSize <= 0 {
		o.BatchSize = 64 << 10
	}
	meta := pr.MetaData()
	groups := o.RowGroups
	if groups == nil {
		groups = make([]int, meta.NumRowGroups())
		for i := range groups {
			groups[i] = i
		}
	}
	r := &RowGroupReader{path: o.Path, mem: o.Mem, fields: o.Fields, groups: groups}
	r.starts = make([]int64, meta.NumRowGroups()+1)
	for i := range meta.NumRowGroups() {
		r.starts[i+1] = r.starts[i] + meta.RowGroup(i).NumRows()
	}
	for _, rg := range groups {
		if rg < 0 || rg >= meta.NumRowGroups() {
			return nil, fmt.Errorf("%w: parquet file %s has no row group %d", errs.ErrExec, o.Path, rg)
		}
	}
	manifest, err := pqarrow.NewSchemaManifest(meta.Schema, meta.KeyValueMetadata(), &pqarrow.ArrowReadProperties{})
	if err != nil {
		return nil, fmt.Errorf("%w: read parquet %s: %w", errs.ErrExec, o.Path, err)
	}
	props := pqarrow.ArrowReadProperties{BatchSize: o.BatchSize, PreAllocBinaryData: true}
	r.dict = make([]bool, len(o.Fields))
	r.types = make([]arrow.DataType, len(o.Fields))
	for k, fi := range o.Fields {
		if fi < 0 || fi >= len(manifest.Fields) {
			return nil, fmt.Errorf("%w: parquet file %s has no column %d", errs.ErrInternal, o.Path, fi)
		}
		f := &manifest.Fields[fi]
		r.types[k] = f.Field.Type
		r.leaves = leafColumns(f, r.leaves)
		if f.IsLeaf() && dictionaryReadable(f.Field.Type) && allDictionary(pr, f.ColIndex, groups) {
			r.dict[k] = true
			props.SetReadDict(f.ColIndex, true)
		}
	}
	if r.fr, err = pqarrow.NewFileReader(pr, props, o.Mem); err != nil {
		return nil, fmt.Errorf("%w: read parquet %s: %w", errs.ErrExec, o.Path, err)
	}
	return r, nil
}

// allDictionary reports whether the chunks of a leaf column start with a
// dictionary page in every row group listed.
func allDictionary(pr *file.Reader, leaf int, groups []int) bool {
	meta := pr.MetaData()
	for _, rg := range groups {
		cc, err := meta.RowGroup(rg).ColumnChunk(leaf)
		if err != nil || !cc.HasDictionaryPage() {
			return false
		}
	}
	return true
}

// Types are the types of the batch columns: the file's, with dictionary
// strings expanded.
func (r *RowGroupReader) Types() []arrow.DataType { return r.types }

// Next returns the next batch and the file position of its first row, or
// io.EOF after the last row group. The caller releases the batch.
func (r *RowGroupReader) Next(ctx context.Context) (arrow.RecordBatch, int64, error) {
	for r.rr == nil || !r.rr.Next() {
		if r.rr != nil {
			err := r.rr.Err()
			r.rr.Release()
			r.rr = nil
			if err != nil && err != io.EOF {
				return nil, 0, fmt.Errorf("%w: read parquet %s: %w", errs.ErrExec, r.path, err)
			}
			// A footer that miscounts its rows would make counts from
			// metadata and scans disagree: fail instead.
			if r.pos != r.starts[r.rg+1] {
				return nil, 0, fmt.Errorf("%w: parquet file %s is corrupt: row group %d holds %d rows, its footer says %d",
					errs.ErrExec, r.path, r.rg, r.pos-r.starts[r.rg], r.starts[r.rg+1]-r.starts[r.rg])
			}
		}
		if len(r.groups) == 0 {
			return nil, 0, io.EOF
		}
		rg := r.groups[0]
		r.groups = r.groups[1:]
		r.rg, r.pos = rg, r.starts[rg]
		// A reader per row group keeps batches from spanning row groups,
		// which would make the reader concatenate (copy) every column.
		var err error
		if r.rr, err = r.fr.GetRecordReader(ctx, r.leaves, []int{rg}); err != nil {
			return nil, 0, fmt.Errorf("%w: read parquet %s: %w", errs.ErrExec, r.path, err)
		}
		if got := r.rr.Schema().NumFields(); got != len(r.fields) {
			return nil, 0, fmt.Errorf("%w: read parquet %s: %d columns read, %d asked", errs.ErrInternal, r.path, got, len(r.fields))
		}
	}
	rec := r.rr.RecordBatch()
	pos := r.pos
	r.pos += rec.NumRows()
	out, err := r.expand(rec)
	if err != nil {
		return nil, 0, err
	}
	return out, pos, nil
}

// expand returns rec (retained) with its dictionary columns expanded.
func (r *RowGroupReader) expand(rec arrow.RecordBatch) (arrow.RecordBatch, error) {
	var cols []arrow.Array
	for k, isDict := range r.dict {
		if !isDict {
			continue
		}
		d, ok := rec.Column(k).(*array.Dictionary)
		if !ok {
			continue
		}
		if cols == nil {
			cols = make([]arrow.Array, rec.NumCols())
		}
		a, err := expandDict(r.mem, d, r.types[k])
		if err != nil {
			releaseAll(nonNil(cols))
			return nil, fmt.Errorf("read parquet %s: %w", r.path, err)
		}
		cols[k] = a
	}
	if cols == nil {
		rec.Retain()
		return rec, nil
	}
	fields := make([]arrow.Field, rec.NumCols())
	for k := range cols {
		fields[k] = rec.Schema().Field(k)
		if cols[k] == nil {
			cols[k] = rec.Column(k)
			cols[k].Retain()
		} else {
			fields[k].Type = r.types[k]
		}
	}
	out := array.NewRecordBatch(arrow.NewSchema(fields, nil), cols, rec.NumRows())
	releaseAll(cols)
	return out, nil
}

func nonNil(arrs []arrow.Array) []arrow.Array {
	var out []arrow.Array
	for _, a := range arrs {
		if a != nil {
			out = append(out, a)
		}
	}
	return out
}

// Release stops reading and releases the buffers held; the file stays
// open.
func (r *RowGroupReader) Release() {
	if r.rr != nil {
		r.rr.Release()
		r.rr = nil
	}
	r.groups = nil
}
