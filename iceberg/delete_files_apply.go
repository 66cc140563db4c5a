package iceberg

import (
	"context"
	"errors"
	"fmt"
	"io"
	"math"
	"slices"
	"strconv"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"
	"github.com/apache/arrow-go/v18/parquet/file"
	iceberg "github.com/apache/iceberg-go"
	"github.com/apache/iceberg-go/table"
	"github.com/apache/iceberg-go/table/dv"

	"lakeframe/errs"
	lfparquet "lakeframe/exec/source/parquet"
)

// positionDeletes collects the positions of the data file that its
// positional delete files and deletion vectors delete.
func (fr *fileReader) positionDeletes(ctx context.Context, ft table.FileScanTask) error {
	if len(ft.DeleteFiles) == 0 && len(ft.DeletionVectorFiles) == 0 {
		return nil
	}
	rows := ft.File.Count()
	set := lfparquet.NewRowSet(rows)
	for _, d := range ft.DeleteFiles {
		pos, err := fr.src.deletedPositions(ctx, d.FilePath(), fr.path)
		if err != nil {
			return err
		}
		for _, p := range pos {
			set.Add(p)
		}
	}
	for _, d := range ft.DeletionVectorFiles {
		bm, err := dv.ReadDV(fr.src.tio, d)
		if err != nil {
			return fmt.Errorf("%w: deletion vector %s of data file %s: %w", errs.ErrExec, d.FilePath(), fr.path, err)
		}
		for p := range bm.Positions() {
			if p < math.MaxInt64 {
				set.Add(int64(p))
			}
		}
	}
	fr.deleted = set
	return nil
}

// deletedPositions are the positions a positional delete file deletes in
// one data file.
func (s *Source) deletedPositions(ctx context.Context, deletePath, dataPath string) ([]int64, error) {
	byFile, err := s.positionDeleteFile(ctx, deletePath)
	if err != nil {
		return nil, err
	}
	return byFile[s.resolvePath(dataPath)], nil
}

// positionDeleteFile reads a positional delete file, once per source,
// into the positions it deletes by data file. The data files are keyed by
// resolvePath, so that, for tables whose paths were remapped, a delete
// file naming a data file under another spelling still applies.
func (s *Source) positionDeleteFile(ctx context.Context, deletePath string) (map[string][]int64, error) {
	s.mu.Lock()
	byFile, ok := s.posDeletes[deletePath]
	s.mu.Unlock()
	if ok {
		return byFile, nil
	}
	m, err := readPositionDeletes(ctx, s.tio, deletePath, memory.DefaultAllocator)
	if err != nil {
		return nil, fmt.Errorf("%w: positional delete file %s: %w", errs.ErrExec, deletePath, err)
	}
	byFile = make(map[string][]int64, len(m))
	for p, pos := range m {
		r := s.resolvePath(p)
		byFile[r] = append(byFile[r], pos...)
	}
	s.mu.Lock()
	if s.posDeletes == nil {
		s.posDeletes = map[string]map[string][]int64{}
	}
	s.posDeletes[deletePath] = byFile
	s.mu.Unlock()
	return byFile, nil
}

// resolvePath is where a path stored in the table's metadata or delete
// files points, after the table's location remaps.
func (s *Source) resolvePath(p string) string {
	if loc := s.tio.locations(); loc != nil {
		return loc.resolve(p)
	}
	return p
}

// equalityDeletes reads the equality delete files that apply to the data
// file into a set of deleted keys, and has the reader read the columns
// they compare (use adds a file field to the batch).
func (fr *fileReader) equalityDeletes(ctx context.Context, ft table.FileScanTask, cols *fileColumns, use func(int, arrow.DataType) int) error {
	for _, d := range ft.EqualityDeleteFiles {
		ids := d.EqualityFieldIDs()
		if len(ids) == 0 {
			return fmt.Errorf("%w: equality delete file %s names no equality fields", errs.ErrExec, d.FilePath())
		}
		var batchCols []int
		var types []arrow.DataType
		for _, id := range ids {
			field, ok := fr.src.ischema.FindFieldByID(id)
			if !ok {
				return fmt.Errorf("%w: equality delete file %s: field %d is not in the table schema", errs.ErrExec, d.FilePath(), id)
			}
			typ, err := fieldType(field)
			if err != nil {
				return fmt.Errorf("%w: equality delete file %s: %w", errs.ErrExec, d.FilePath(), err)
			}
			fi, ok := cols.find(field)
			if !ok {
				// The data file lacks the column: its rows all hold NULL (or
				// the initial default), which only such keys delete.
				return fmt.Errorf("%w: data file %s lacks equality delete field %s of %s", errs.ErrNotImplemented, fr.path, field.Name, d.FilePath())
			}
			batchCols = append(batchCols, use(fi, typ))
			types = append(types, typ)
		}
		set := fr.equalitySet(batchCols)
		if err := readEqualityKeys(ctx, fr.src, d, ids, types, set.keys); err != nil {
			return fmt.Errorf("%w: equality delete file %s: %w", errs.ErrExec, d.FilePath(), err)
		}
	}
	return nil
}

// equalitySet is the set of deleted keys over the batch columns cols,
// shared by the delete files on the same fields.
func (fr *fileReader) equalitySet(cols []int) *equalitySet {
	for _, s := range fr.eqSets {
		if slices.Equal(s.cols, cols) {
			return s
		}
	}
	s := &equalitySet{cols: cols, keys: map[string]bool{}}
	fr.eqSets = append(fr.eqSets, s)
	return s
}

// equalitySet holds the keys equality deletes delete, over some columns.
type equalitySet struct {
	cols []int
	keys map[string]bool
}

// fieldType is the Arrow type lakeframe reads a field as.
func fieldType(f iceberg.NestedField) (arrow.DataType, error) {
	sc, err := arrowSchema(iceberg.NewSchema(0, f))
	if err != nil {
		return nil, err
	}
	return sc.Field(0).Type, nil
}

// readEqualityKeys adds the keys of an equality delete file's rows to
// keys; columns are found by field id, else by name.
func readEqualityKeys(ctx context.Context, s *Source, d iceberg.DataFile, ids []int, types []arrow.DataType, keys map[string]bool) error {
	f, err := s.tio.Open(d.FilePath())
	if err != nil {
		return err
	}
	pr, err := file.NewParquetReader(f)
	if err != nil {
		f.Close()
		return err
	}
	defer pr.Close()
	dcols, err := s.fileColumns(pr.MetaData())
	if err != nil {
		return err
	}
	fields := make([]int, len(ids))
	for k, id := range ids {
		field, _ := s.ischema.FindFieldByID(id)
		fi, ok := dcols.findID(id, field.Name)
		if !ok {
			return fmt.Errorf("no column for field %d (%s)", id, field.Name)
		}
		fields[k] = fi
	}
	rgr, err := lfparquet.NewRowGroupReader(pr, lfparquet.RowGroupReadOptions{Path: d.FilePath(), Fields: fields})
	if err != nil {
		return err
	}
	defer rgr.Release()
	var key []byte
	for {
		rec, _, err := rgr.Next(ctx)
		if err != nil {
			if errors.Is(err, io.EOF) {
				return nil
			}
			return err
		}
		cols := make([]arrow.Array, len(fields))
		for k := range cols {
			if cols[k], err = conform(rec.Column(k), types[k], memory.DefaultAllocator); err != nil {
				releaseArrays(cols)
				rec.Release()
				return err
			}
		}
		for i := range int(rec.NumRows()) {
			key = key[:0]
			for _, c := range cols {
				key = appendKey(key, c, i)
			}
			keys[string(key)] = true
		}
		releaseArrays(cols)
		rec.Release()
	}
}

// appendKey appends a self-delimiting encoding of row i of a to key;
// NULL equals NULL, as equality deletes compare.
func appendKey(key []byte, a arrow.Array, i int) []byte {
	if a.IsNull(i) {
		return append(key, 0)
	}
	key = append(key, 1)
	var v string
	switch x := a.(type) {
	case *array.String:
		v = x.Value(i)
	case *array.LargeString:
		v = x.Value(i)
	case *array.Binary:
		v = string(x.Value(i))
	default:
		v = x.ValueStr(i)
	}
	key = strconv.AppendInt(key, int64(len(v)), 10)
	key = append(key, ':')
	return append(key, v...)
}
