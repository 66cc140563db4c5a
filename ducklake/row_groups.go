package ducklake

import (
	"context"
	"errors"
	"fmt"
	"io/fs"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/memory"
	pq "github.com/apache/arrow-go/v18/parquet"
	"github.com/apache/arrow-go/v18/parquet/file"
	"github.com/apache/arrow-go/v18/parquet/metadata"
	"github.com/apache/arrow-go/v18/parquet/pqarrow"
	"github.com/apache/arrow-go/v18/parquet/schema"

	"lakeframe/errs"
	"lakeframe/exec"
	"lakeframe/exec/source/prune"
)

// footerReaders bounds the footers read at once while planning.
const footerReaders = 8

// footer returns a data file's Parquet metadata, reading it once per
// source.
func (s *Source) footer(ctx context.Context, path string) (*metadata.FileMetaData, error) {
	s.mu.Lock()
	meta, ok := s.footers[path]
	s.mu.Unlock()
	if ok {
		return meta, nil
	}
	fh, err := s.fs.Open(ctx, path)
	if err != nil {
		return nil, openError(path, err)
	}
	pr, err := file.NewParquetReader(fh, file.WithReadProps(pq.NewReaderProperties(memory.DefaultAllocator)))
	if err != nil {
		fh.Close()
		return nil, fmt.Errorf("%w: read parquet footer of %s: %w", errs.ErrExec, path, err)
	}
	meta = pr.MetaData()
	pr.Close()
	s.mu.Lock()
	s.footers[path] = meta
	s.mu.Unlock()
	return meta, nil
}

// cachedFooter is a footer read while planning, or nil.
func (s *Source) cachedFooter(path string) *metadata.FileMetaData {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.footers[path]
}

func openError(path string, err error) error {
	if errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("%w: data file %s is missing: %w", errs.ErrExec, path, err)
	}
	return fmt.Errorf("%w: open data file %s: %w", errs.ErrExec, path, err)
}

// rowGroupPlan is what pruning row groups decided for one file.
type rowGroupPlan struct {
	keep        []int // nil: every row group
	total, kept int
	rows        int64 // rows in the kept row groups
}

// pruneRowGroups reads the footers of files the catalog could not rule
// out and keeps the row groups whose Parquet statistics the filters may
// match. Columns are found as when reading (field id, name mapping,
// name); a column the file lacks is summarised as in the catalog.
func (s *Source) pruneRowGroups(ctx context.Context, pr *pruner, files []*dataFile, names map[int64]*NameMapping) ([]rowGroupPlan, error) {
	out := make([]rowGroupPlan, len(files))
	g, gctx := exec.NewGroup(ctx, footerReaders)
	for i, f := range files {
		g.Go(func() error {
			meta, err := s.footer(gctx, f.path)
			if err != nil {
				return err
			}
			var mapping *NameMapping
			if f.mappingID.Valid {
				mapping = names[f.mappingID.Int64]
			}
			out[i], err = pr.rowGroups(meta, f, mapping)
			if err != nil {
				return fmt.Errorf("data file %s: %w", f.path, err)
			}
			return nil
		})
	}
	if err := g.Wait(); err != nil {
		return nil, err
	}
	return out, nil
}

// rowGroups decides which row groups of one file to read.
func (p *pruner) rowGroups(meta *metadata.FileMetaData, f *dataFile, names *NameMapping) (rowGroupPlan, error) {
	manifest, err := pqarrow.NewSchemaManifest(meta.Schema, meta.KeyValueMetadata(), &pqarrow.ArrowReadProperties{})
	if err != nil {
		return rowGroupPlan{}, fmt.Errorf("%w: %w", errs.ErrExec, err)
	}
	lay := newFileLayout(manifest.Fields)
	// leaf[col] is the Parquet leaf holding schema column col, or -1.
	leaf := make([]int, len(p.cols))
	for col := range p.cols {
		leaf[col] = -1
		if fi, ok := lay.find(&p.cols[col], names); ok && manifest.Fields[fi].IsLeaf() {
			leaf[col] = manifest.Fields[fi].ColIndex
		}
	}
	plan := rowGroupPlan{total: meta.NumRowGroups()}
	all := true
	for rg := 0; rg < meta.NumRowGroups(); rg++ {
		rgm := meta.RowGroup(rg)
		rows := rgm.NumRows()
		stats := func(col int) (prune.Stats, bool) {
			if leaf[col] < 0 {
				// The file lacks the column, or holds it nested.
				st, ok := p.columnStats(f, col)
				st.Rows = rows
				if st.Nulls > rows {
					st.Nulls = rows
				}
				return st, ok
			}
			cc, err := rgm.ColumnChunk(leaf[col])
			if err != nil {
				return prune.Stats{}, false
			}
			return chunkStats(cc, meta.Schema.Column(leaf[col]), p.schema.Field(col).Type, rows)
		}
		keep := true
		for _, pred := range p.preds {
			if !pred.MayMatch(stats) {
				keep = false
				break
			}
		}
		if keep {
			plan.keep = append(plan.keep, rg)
			plan.rows += rows
		} else {
			all = false
		}
	}
	plan.kept = len(plan.keep)
	if all {
		plan.keep = nil
	}
	return plan, nil
}

// chunkStats converts the statistics of a column chunk to the form of
// the table column's type; ok is false when they cannot be trusted for it.
func chunkStats(cc *metadata.ColumnChunkMetaData, col *schema.Column, t arrow.DataType, rows int64) (prune.Stats, bool) {
	if !prune.Prunable(t) {
		return prune.Stats{}, false
	}
	return prune.FromParquet(cc, t, rows, boundsComparable(col, t))
}

// boundsComparable reports whether a Parquet column's min and max are in
// the domain of values of table type t: integers of any width for integer
// columns (types are only ever promoted), dates for dates, timestamps of
// the same unit, floats, strings, booleans.
func boundsComparable(col *schema.Column, t arrow.DataType) bool {
	phys, logical := col.PhysicalType(), col.LogicalType()
	isInt := phys == pq.Types.Int32 || phys == pq.Types.Int64
	switch t.ID() {
	case arrow.INT8, arrow.INT16, arrow.INT32, arrow.INT64:
		it, ok := logical.(interface{ IsSigned() bool })
		return isInt && (logical.IsNone() || ok && it.IsSigned())
	case arrow.UINT8, arrow.UINT16, arrow.UINT32, arrow.UINT64:
		it, ok := logical.(interface{ IsSigned() bool })
		return isInt && ok && !it.IsSigned()
	case arrow.DATE32:
		_, ok := logical.(schema.DateLogicalType)
		return phys == pq.Types.Int32 && ok
	case arrow.TIMESTAMP:
		tl, ok := logical.(interface{ TimeUnit() schema.TimeUnitType })
		if !ok || phys != pq.Types.Int64 {
			return false
		}
		switch t.(*arrow.TimestampType).Unit {
		case arrow.Millisecond:
			return tl.TimeUnit() == schema.TimeUnitMillis
		case arrow.Microsecond:
			return tl.TimeUnit() == schema.TimeUnitMicros
		case arrow.Nanosecond:
			return tl.TimeUnit() == schema.TimeUnitNanos
		}
		return false
	case arrow.FLOAT32, arrow.FLOAT64:
		return phys == pq.Types.Float || phys == pq.Types.Double
	case arrow.STRING, arrow.LARGE_STRING:
		return phys == pq.Types.ByteArray
	case arrow.BOOL:
		return phys == pq.Types.Boolean
	}
	return false
}
