package iceberg

import (
	"context"
	"fmt"
	"iter"
	"maps"
	"strings"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/compute"
	"github.com/apache/arrow-go/v18/arrow/memory"
	iceberg "github.com/apache/iceberg-go"
	"github.com/apache/iceberg-go/table"

	"lakeframe/errs"
	"lakeframe/expr"
)

// WriteMode says what a write does with the rows already in the table.
type WriteMode int

const (
	// Append adds the rows to the table's.
	Append WriteMode = iota
	// Overwrite replaces all the table's rows.
	Overwrite
	// OverwriteWhere replaces the rows where WriteOptions.Where is true.
	OverwriteWhere
	// OverwritePartitions replaces the partitions the new rows fall in.
	OverwritePartitions
)

// WriteOptions tune Write.
type WriteOptions struct {
	Mode WriteMode
	// Where selects the rows OverwriteWhere replaces.
	Where expr.Expr
	// TargetFileSize rolls data files at about this many bytes; 0 uses the
	// table's write.target-file-size-bytes.
	TargetFileSize int64
	// SnapshotProperties go into the new snapshot's summary.
	SnapshotProperties map[string]string
	// Mem allocates the batches OverwriteWhere reads and rewrites; nil
	// is the default allocator.
	Mem memory.Allocator
}

// Write writes batches to tbl as Parquet data files (fanned out by the
// table's partition spec, rolled at the target file size) and commits
// them in one snapshot: added to the table's rows (Append), replacing all
// of them (Overwrite), replacing those where o.Where is true
// (OverwriteWhere), or replacing the partitions the new files fall in
// (OverwritePartitions). The files are written once; when another writer
// commits first, the commit is re-planned on the refreshed table with the
// same files, with backoff, up to the table's commit.retry.* settings.
// A write that does not commit removes the files it wrote, unless the
// catalog may have accepted the commit. Write releases every batch it
// takes. It returns the table at the new snapshot.
func Write(ctx context.Context, tbl *table.Table, schema *arrow.Schema, batches iter.Seq2[arrow.RecordBatch, error], o WriteOptions) (*table.Table, error) {
	if tbl == nil {
		return nil, fmt.Errorf("%w: write iceberg: nil table", errs.ErrPlan)
	}
	if o.Mode < Append || o.Mode > OverwritePartitions {
		return nil, fmt.Errorf("%w: write iceberg table %s: unknown mode %d", errs.ErrPlan, name(tbl), o.Mode)
	}
	if o.Mode == OverwriteWhere {
		return overwriteWhere(ctx, tbl, schema, batches, o)
	}
	files, err := writeDataFiles(ctx, tbl, schema, batches, o.TargetFileSize)
	if err != nil {
		removeDataFiles(ctx, tbl, files)
		return nil, fmt.Errorf("%w: write iceberg table %s: %w", errs.ErrExec, name(tbl), err)
	}
	if o.Mode == OverwritePartitions && len(files) == 0 {
		// No rows, no partition to replace.
		return tbl, nil
	}
	props := iceberg.Properties{}
	maps.Copy(props, o.SnapshotProperties)
	return commitWithRetry(ctx, tbl, files, o.Mode, props)
}

// writeDataFiles writes the batches as Parquet data files, fanned out by
// the table's partition spec and rolled near the target size, and returns
// them. On an error it returns the files finished so far, for removal
// (files it could not finish it removes itself). Every batch it takes is
// released. The files' record counts must add up to the rows taken, or
// the write fails.
func writeDataFiles(ctx context.Context, tbl *table.Table, schema *arrow.Schema, batches iter.Seq2[arrow.RecordBatch, error], target int64) ([]iceberg.DataFile, error) {
	next, stop := iter.Pull2(batches)
	defer stop()
	first, err, ok := next()
	if !ok {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	w, err := newDataWrite(ctx, tbl, schema, first, target)
	if err != nil {
		first.Release()
		return nil, err
	}
	for b := first; ; {
		err := w.add(ctx, b)
		b.Release()
		if err != nil {
			return w.fan.abort(), err
		}
		if b, err, ok = next(); !ok {
			break
		}
		if err != nil {
			return w.fan.abort(), err
		}
	}
	files, err := w.fan.close()
	if err != nil {
		return files, err
	}
	var landed int64
	for _, f := range files {
		landed += f.Count()
	}
	if landed != w.taken {
		return files, fmt.Errorf("%w: wrote %d rows to %d data files of %s, took %d", errs.ErrInternal, landed, len(files), name(tbl), w.taken)
	}
	return files, nil
}

// dataWrite is one run of writeDataFiles: batches are converted to the
// file schema and fanned out to data files as they arrive.
type dataWrite struct {
	conv  *toFileSchema
	fan   *partitionFanout
	taken int64
}

func newDataWrite(ctx context.Context, tbl *table.Table, schema *arrow.Schema, first arrow.RecordBatch, target int64) (*dataWrite, error) {
	if target <= 0 {
		var err error
		if target, err = positiveProp(tbl.Properties(), table.WriteTargetFileSizeBytesKey, table.WriteTargetFileSizeBytesDefault); err != nil {
			return nil, err
		}
	}
	// With row groups of a fraction of the target, big batches are cut to
	// row-group size so files roll near the target.
	groupRows := rowGroupRows(tbl, first, target)
	s, err := newDataFileSettings(ctx, tbl, target, groupRows, compute.GetAllocator(ctx))
	if err != nil {
		return nil, err
	}
	conv, err := newToFileSchema(tbl, s, schema)
	if err != nil {
		return nil, fmt.Errorf("%w: %w", errs.ErrPlan, err)
	}
	chunk := int64(groupRows)
	if chunk <= 0 {
		chunk = s.parquet.MaxRowGroupLength()
	}
	fan, err := newPartitionFanout(s, chunk)
	if err != nil {
		return nil, fmt.Errorf("%w: %w", errs.ErrPlan, err)
	}
	return &dataWrite{conv: conv, fan: fan}, nil
}

// add writes one batch; the caller keeps ownership of it.
func (w *dataWrite) add(ctx context.Context, b arrow.RecordBatch) error {
	w.taken += b.NumRows()
	if b.NumRows() == 0 {
		return nil
	}
	rec, err := w.conv.convert(ctx, b)
	if err != nil {
		return fmt.Errorf("%w: %w", errs.ErrExec, err)
	}
	defer rec.Release()
	if rec.NumRows() != b.NumRows() {
		return fmt.Errorf("%w: converting %d rows to the file schema gave %d", errs.ErrInternal, b.NumRows(), rec.NumRows())
	}
	return w.fan.write(ctx, rec)
}

// rowGroupRows picks a row-group row limit for a target file size below
// the table's row-group size, or 0 to keep the table's. iceberg-go rolls
// a file when the bytes it has flushed reach the target, and it flushes
// only whole row groups: with 128 MiB row groups a 32 MiB target would
// never roll. Row groups of about a quarter of the target, sized from the
// first batch's in-memory bytes per row (more than Parquet's encoded
// size), let files roll within a row group of the target.
func rowGroupRows(tbl *table.Table, first arrow.RecordBatch, target int64) int {
	props := tbl.Properties()
	groupBytes := int64(props.GetInt(table.ParquetRowGroupSizeBytesKey, table.ParquetRowGroupSizeBytesDefault))
	if target >= groupBytes || first.NumRows() == 0 {
		return 0
	}
	perRow := max(batchBytes(first)/first.NumRows(), 1)
	rows := max(target/4/perRow, 1024)
	if limit := int64(props.GetInt(table.ParquetRowGroupLimitKey, table.ParquetRowGroupLimitDefault)); rows >= limit {
		return 0
	}
	return int(rows)
}

// batchBytes is the size of a batch's buffers.
func batchBytes(rec arrow.RecordBatch) int64 {
	var n int64
	var add func(d arrow.ArrayData)
	add = func(d arrow.ArrayData) {
		for _, b := range d.Buffers() {
			if b != nil {
				n += int64(b.Len())
			}
		}
		for _, c := range d.Children() {
			add(c)
		}
	}
	for _, c := range rec.Columns() {
		add(c.Data())
	}
	return n
}

// removeDataFiles deletes files no snapshot references; it is best effort,
// as what it misses is only unreferenced garbage.
func removeDataFiles(ctx context.Context, tbl *table.Table, files []iceberg.DataFile) {
	if len(files) == 0 {
		return
	}
	paths := make([]string, len(files))
	for i, f := range files {
		paths[i] = f.FilePath()
	}
	removePaths(ctx, tbl, paths)
}

func identString(ident table.Identifier) string { return strings.Join(ident, ".") }
