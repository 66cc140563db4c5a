package iceberg

import (
	"context"
	"fmt"
	"iter"
	"maps"
	"strings"

	"github.com/apache/arrow-go/v18/arrow"
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

// writeDataFiles writes the batches as data files and returns them; on an
// error it returns the files finished so far, for removal.
func writeDataFiles(ctx context.Context, tbl *table.Table, schema *arrow.Schema, batches iter.Seq2[arrow.RecordBatch, error], target int64) ([]iceberg.DataFile, error) {
	var opts []table.WriteRecordOption
	if target > 0 {
		opts = append(opts, table.WithTargetFileSize(target))
	} else {
		target = int64(tbl.Properties().GetInt(table.WriteTargetFileSizeBytesKey, table.WriteTargetFileSizeBytesDefault))
	}
	next, stop := iter.Pull2(batches)
	defer stop()
	first, err, ok := next()
	if !ok {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	n := rowGroupRows(tbl, first, target)
	if n > 0 {
		opts = append(opts, table.WithParquetRowGroupLimit(n))
	}
	// The writer checks the file size after each batch: with small row
	// groups, big batches are cut to row-group size so files roll near
	// the target.
	pin := partitionTextColumns(tbl, schema)
	emit := func(b arrow.RecordBatch, yield func(arrow.RecordBatch, error) bool) bool {
		b, err := pinColumns(b, pin)
		if err != nil {
			yield(nil, err)
			return false
		}
		if n <= 0 || b.NumRows() <= int64(n) {
			return yield(b, nil)
		}
		defer b.Release()
		for off := int64(0); off < b.NumRows(); off += int64(n) {
			if !yield(b.NewSlice(off, min(off+int64(n), b.NumRows())), nil) {
				return false
			}
		}
		return true
	}
	rest := func(yield func(arrow.RecordBatch, error) bool) {
		if !emit(first, yield) {
			return
		}
		for {
			b, err, ok := next()
			if !ok {
				return
			}
			if err != nil {
				yield(nil, err)
				return
			}
			if !emit(b, yield) {
				return
			}
		}
	}
	var files []iceberg.DataFile
	for df, err := range table.WriteRecords(ctx, tbl, schema, rest, opts...) {
		if err != nil {
			return files, err
		}
		files = append(files, df)
	}
	return files, nil
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
