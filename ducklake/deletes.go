package ducklake

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"math/bits"

	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"
	pq "github.com/apache/arrow-go/v18/parquet"
	"github.com/apache/arrow-go/v18/parquet/file"
	"github.com/apache/arrow-go/v18/parquet/pqarrow"

	"lakeframe/errs"
	"lakeframe/exec/source/files"
)

// snapshotColumn holds, in files that compaction wrote across snapshots,
// the snapshot that wrote (data files) or deleted (delete files) each row.
const snapshotColumn = "_ducklake_internal_snapshot_id"

// rowSet is a set of row positions within one data file.
type rowSet []uint64

func newRowSet(n int64) rowSet { return make(rowSet, (n+63)/64) }

func (s rowSet) add(i int64) {
	if i >= 0 && i/64 < int64(len(s)) {
		s[i/64] |= 1 << (i % 64)
	}
}

// count is how many positions in [lo, hi) are set.
func (s rowSet) count(lo, hi int64) int64 {
	var n int64
	s.each(lo, hi, func(int64) { n++ })
	return n
}

// each calls fn for every set position in [lo, hi), in order, a word at a
// time.
func (s rowSet) each(lo, hi int64, fn func(i int64)) {
	if lo < 0 {
		lo = 0
	}
	hi = min(hi, int64(len(s))*64)
	for w := lo / 64; w*64 < hi; w++ {
		word := s[w]
		if word == 0 {
			continue
		}
		for word != 0 {
			b := int64(bits.TrailingZeros64(word))
			word &= word - 1
			if i := w*64 + b; i >= lo && i < hi {
				fn(i)
			}
		}
	}
}

// readDeletes reads the positions a delete file removes from a data file
// of rows rows. Deletes tagged with a snapshot after the one read are
// skipped; columns other than pos and the snapshot tag (file_path, or
// extra columns some writers add) are ignored.
func readDeletes(ctx context.Context, fsys files.FS, mem memory.Allocator, d *DeleteScan, rows, snapshot int64, set rowSet) error {
	fh, err := fsys.Open(ctx, d.Path)
	if err != nil {
		if errors.Is(err, fs.ErrNotExist) {
			return fmt.Errorf("%w: delete file %s is missing: %w", errs.ErrExec, d.Path, err)
		}
		return fmt.Errorf("%w: open delete file %s: %w", errs.ErrExec, d.Path, err)
	}
	pr, err := file.NewParquetReader(fh, file.WithReadProps(pq.NewReaderProperties(memory.DefaultAllocator)))
	if err != nil {
		fh.Close()
		return fmt.Errorf("%w: read delete file %s: %w", errs.ErrExec, d.Path, err)
	}
	defer pr.Close() // closes fh
	fr, err := pqarrow.NewFileReader(pr, pqarrow.ArrowReadProperties{BatchSize: 64 << 10}, mem)
	if err != nil {
		return fmt.Errorf("%w: read delete file %s: %w", errs.ErrExec, d.Path, err)
	}
	posField, snapField := -1, -1
	for i, f := range fr.Manifest.Fields {
		switch f.Field.Name {
		case "pos":
			posField = i
		case snapshotColumn:
			snapField = i
		}
	}
	if posField < 0 {
		return fmt.Errorf("%w: delete file %s has no pos column", errs.ErrExec, d.Path)
	}
	filter := d.PartialMax != nil && *d.PartialMax > snapshot && snapField >= 0
	leaves := []int{fr.Manifest.Fields[posField].ColIndex}
	if filter {
		leaves = append(leaves, fr.Manifest.Fields[snapField].ColIndex)
	}
	if pr.NumRows() == 0 {
		return nil
	}
	rr, err := fr.GetRecordReader(ctx, leaves, nil)
	if err != nil {
		return fmt.Errorf("%w: read delete file %s: %w", errs.ErrExec, d.Path, err)
	}
	defer rr.Release()
	for rr.Next() {
		rec := rr.RecordBatch()
		pos, ok := rec.Column(0).(*array.Int64)
		if !ok {
			return fmt.Errorf("%w: delete file %s: pos is %s, not int64", errs.ErrExec, d.Path, rec.Column(0).DataType())
		}
		var snaps *array.Int64
		if filter {
			if snaps, ok = rec.Column(1).(*array.Int64); !ok {
				return fmt.Errorf("%w: delete file %s: %s is %s, not int64", errs.ErrExec, d.Path, snapshotColumn, rec.Column(1).DataType())
			}
		}
		vals := pos.Int64Values()
		for i, p := range vals {
			if pos.IsNull(i) || p >= rows {
				continue
			}
			if snaps != nil && snaps.IsValid(i) && snaps.Value(i) > snapshot {
				continue
			}
			set.add(p)
		}
	}
	if err := rr.Err(); err != nil && !errors.Is(err, io.EOF) {
		return fmt.Errorf("%w: read delete file %s: %w", errs.ErrExec, d.Path, err)
	}
	return nil
}
