package ducklake

import (
	"context"
	"errors"
	"fmt"
	"io/fs"

	"github.com/apache/arrow-go/v18/arrow/memory"
	pq "github.com/apache/arrow-go/v18/parquet"
	"github.com/apache/arrow-go/v18/parquet/file"

	"lakeframe/errs"
	"lakeframe/exec/source/files"
	"lakeframe/exec/source/parquet"
)

// snapshotColumn holds, in files that compaction wrote across snapshots,
// the snapshot that wrote (data files) or deleted (delete files) each row.
const snapshotColumn = "_ducklake_internal_snapshot_id"

// readDeletes reads the positions a delete file removes from a data file
// of rows rows. Deletes tagged with a snapshot after the one read are
// skipped; columns other than pos and the snapshot tag (file_path, or
// extra columns some writers add) are ignored. The columns are decoded
// straight into reused buffers, without building Arrow arrays.
func readDeletes(ctx context.Context, fsys files.FS, d *DeleteScan, rows, snapshot int64, set parquet.RowSet) error {
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
	sc := pr.MetaData().Schema
	posCol, snapCol := sc.ColumnIndexByName("pos"), sc.ColumnIndexByName(snapshotColumn)
	if posCol < 0 {
		return fmt.Errorf("%w: delete file %s has no pos column", errs.ErrExec, d.Path)
	}
	if d.PartialMax == nil || *d.PartialMax <= snapshot {
		snapCol = -1
	}
	r := deleteReader{
		pos:  int64Column{maxDef: sc.Column(posCol).MaxDefinitionLevel()},
		snap: int64Column{maxDef: -1},
	}
	if snapCol >= 0 {
		r.snap.maxDef = sc.Column(snapCol).MaxDefinitionLevel()
	}
	for rg := 0; rg < pr.NumRowGroups(); rg++ {
		if err := ctx.Err(); err != nil {
			return err
		}
		if err := r.rowGroup(pr.RowGroup(rg), posCol, snapCol, rows, snapshot, set); err != nil {
			return fmt.Errorf("%w: read delete file %s: %w", errs.ErrExec, d.Path, err)
		}
	}
	return nil
}

// deleteReader decodes the pos and snapshot columns of a delete file.
type deleteReader struct {
	pos, snap int64Column
}

// int64Column is a decoding buffer for one int64 column.
type int64Column struct {
	maxDef int16 // -1: the column is not read
	rd     *file.Int64ColumnChunkReader
	vals   []int64
	defs   []int16
}

const deleteBatch = 8192

func (c *int64Column) open(rg *file.RowGroupReader, col int) error {
	cr, err := rg.Column(col)
	if err != nil {
		return err
	}
	rd, ok := cr.(*file.Int64ColumnChunkReader)
	if !ok {
		return fmt.Errorf("column %s is not int64", cr.Descriptor().Name())
	}
	c.rd = rd
	if c.vals == nil {
		c.vals, c.defs = make([]int64, deleteBatch), make([]int16, deleteBatch)
	}
	return nil
}

// valid reports whether level i holds a value.
func (c *int64Column) valid(i int) bool { return c.maxDef == 0 || c.defs[i] == c.maxDef }

func (r *deleteReader) rowGroup(rg *file.RowGroupReader, posCol, snapCol int, rows, snapshot int64, set parquet.RowSet) error {
	if err := r.pos.open(rg, posCol); err != nil {
		return err
	}
	if snapCol >= 0 {
		if err := r.snap.open(rg, snapCol); err != nil {
			return err
		}
	}
	for {
		n, _, err := r.pos.rd.ReadBatch(deleteBatch, r.pos.vals, r.pos.defs, nil)
		if err != nil {
			return err
		}
		if n == 0 {
			return nil
		}
		if snapCol >= 0 {
			m, _, err := r.snap.rd.ReadBatch(n, r.snap.vals, r.snap.defs, nil)
			if err != nil {
				return err
			}
			if m != n {
				return fmt.Errorf("pos and %s have different lengths", snapshotColumn)
			}
		}
		pv, sv := 0, 0
		for i := 0; i < int(n); i++ {
			posOK := r.pos.valid(i)
			p := int64(-1)
			if posOK {
				p = r.pos.vals[pv]
				pv++
			}
			if snapCol >= 0 && r.snap.valid(i) {
				s := r.snap.vals[sv]
				sv++
				if s > snapshot {
					continue
				}
			}
			if posOK && p < rows {
				set.Add(p)
			}
		}
	}
}
