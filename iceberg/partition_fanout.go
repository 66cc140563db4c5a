package iceberg

import (
	"context"
	"errors"
	"fmt"

	"github.com/apache/arrow-go/v18/arrow"
	iceberg "github.com/apache/iceberg-go"

	"lakeframe/exec/sink"
)

// partitionFanout routes the rows of a write to data files, one open file
// per active partition, on one goroutine. It never holds more than
// maxOpen files open: a partition that needs a file when the bound is
// reached finishes the least recently written one, whose partition goes
// on in a new file if more of its rows come. Files roll at the target
// size. Every error is returned; nothing is dropped.
type partitionFanout struct {
	s     *dataFileSettings
	parts *partitionValues
	// chunkRows cuts the rows of a partition into writes of at most this
	// many, so that files roll between them near the target size.
	chunkRows int64
	open      map[string]*dataFileWriter
	seen      map[string]*partitionFiles
	clock     int64
	done      []iceberg.DataFile
}

// partitionFiles numbers the files of one partition.
type partitionFiles struct {
	id, files int
}

func newPartitionFanout(s *dataFileSettings, chunkRows int64) (*partitionFanout, error) {
	parts, err := newPartitionValues(s.spec, s.schema)
	if err != nil {
		return nil, err
	}
	return &partitionFanout{s: s, parts: parts, chunkRows: max(chunkRows, 1),
		open: map[string]*dataFileWriter{}, seen: map[string]*partitionFiles{}}, nil
}

// write routes rec's rows, a batch in the file schema; the caller keeps
// ownership of rec.
func (f *partitionFanout) write(ctx context.Context, rec arrow.RecordBatch) error {
	if rec.NumRows() == 0 {
		return nil
	}
	groups, err := f.parts.groups(rec)
	if err != nil {
		return err
	}
	for _, g := range groups {
		if err := ctx.Err(); err != nil {
			return context.Cause(ctx)
		}
		sub, err := rowsOf(ctx, f.s, rec, g.rows)
		if err != nil {
			return err
		}
		err = f.writePartition(g, sub)
		sub.Release()
		if err != nil {
			return err
		}
	}
	return nil
}

// rowsOf returns the rows of rec (all of them when rows is nil), by
// slicing when they are contiguous.
func rowsOf(ctx context.Context, s *dataFileSettings, rec arrow.RecordBatch, rows []int32) (arrow.RecordBatch, error) {
	n := len(rows)
	switch {
	case rows == nil || int64(n) == rec.NumRows():
		rec.Retain()
		return rec, nil
	case int(rows[n-1]-rows[0]) == n-1:
		return rec.NewSlice(int64(rows[0]), int64(rows[n-1])+1), nil
	}
	return sink.TakeRows(ctx, s.mem, rec, rows)
}

func (f *partitionFanout) writePartition(g *partitionGroup, rec arrow.RecordBatch) error {
	for off := int64(0); off < rec.NumRows(); off += f.chunkRows {
		w, err := f.writer(g)
		if err != nil {
			return err
		}
		piece := rec.NewSlice(off, min(off+f.chunkRows, rec.NumRows()))
		err = w.write(piece)
		piece.Release()
		if err != nil {
			return err
		}
		if w.size() >= f.s.target {
			if err := f.finish(g.key); err != nil {
				return err
			}
		}
	}
	return nil
}

// writer returns the open file of g's partition, opening one (and
// finishing the least recently written file when maxOpen are open).
func (f *partitionFanout) writer(g *partitionGroup) (*dataFileWriter, error) {
	f.clock++
	if w, ok := f.open[g.key]; ok {
		w.lastUse = f.clock
		return w, nil
	}
	if len(f.open) >= f.s.maxOpen {
		var oldest string
		at := int64(-1)
		for k, w := range f.open {
			if at < 0 || w.lastUse < at {
				oldest, at = k, w.lastUse
			}
		}
		if err := f.finish(oldest); err != nil {
			return nil, err
		}
	}
	pf, ok := f.seen[g.key]
	if !ok {
		pf = &partitionFiles{id: len(f.seen)}
		f.seen[g.key] = pf
	}
	pf.files++
	name := fmt.Sprintf("%05d-0-%s-%05d.parquet", pf.id, f.s.writeID, pf.files)
	if dir := f.parts.path(g.values); dir != "" {
		name = dir + "/" + name
	}
	w, err := f.s.openDataFile(f.s.loc.NewDataLocation(name), f.parts.valueMap(g.values))
	if err != nil {
		return nil, err
	}
	w.lastUse = f.clock
	f.open[g.key] = w
	return w, nil
}

// finish closes the open file of a partition and keeps its entry.
func (f *partitionFanout) finish(key string) error {
	w := f.open[key]
	delete(f.open, key)
	df, err := w.finish()
	if err != nil {
		return err
	}
	f.done = append(f.done, df)
	return nil
}

// close finishes every open file. It returns the files finished by the
// whole write, also on an error (for the caller to remove); files that
// could not be finished are removed.
func (f *partitionFanout) close() ([]iceberg.DataFile, error) {
	var errList []error
	for key := range f.open {
		if err := f.finish(key); err != nil {
			errList = append(errList, err)
		}
	}
	return f.done, errors.Join(errList...)
}

// abort removes the files still open and returns the finished ones, for
// the caller to remove.
func (f *partitionFanout) abort() []iceberg.DataFile {
	for key, w := range f.open {
		delete(f.open, key)
		w.abort()
	}
	return f.done
}
