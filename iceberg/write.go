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
	}
	var files []iceberg.DataFile
	for df, err := range table.WriteRecords(ctx, tbl, schema, batches, opts...) {
		if err != nil {
			return files, err
		}
		files = append(files, df)
	}
	return files, nil
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
