package iceberg

import (
	"context"
	"fmt"
	"strconv"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"
	"github.com/apache/arrow-go/v18/parquet"
	"github.com/apache/arrow-go/v18/parquet/compress"
	"github.com/apache/arrow-go/v18/parquet/pqarrow"
	iceberg "github.com/apache/iceberg-go"
	iceio "github.com/apache/iceberg-go/io"
	"github.com/apache/iceberg-go/table"
	"github.com/google/uuid"
)

// posDeleteSchema is the Parquet layout of a positional delete file, with
// the field ids the Iceberg spec reserves for file_path and pos.
var posDeleteSchema = arrow.NewSchema([]arrow.Field{
	{Name: "file_path", Type: arrow.BinaryTypes.String, Metadata: fieldID(2147483546)},
	{Name: "pos", Type: arrow.PrimitiveTypes.Int64, Metadata: fieldID(2147483545)},
}, nil)

func fieldID(id int) arrow.Metadata {
	return arrow.NewMetadata([]string{"PARQUET:field_id"}, []string{strconv.Itoa(id)})
}

// writePositionDeletes writes one positional delete file that deletes
// positions (increasing) of data file df, in df's partition, and returns
// its manifest entry, scoped to df (referenced_data_file).
func writePositionDeletes(ctx context.Context, tbl *table.Table, df iceberg.DataFile, positions []int64, mem memory.Allocator) (iceberg.DataFile, error) {
	fs, err := tbl.FS(ctx)
	if err != nil {
		return nil, err
	}
	wfs, ok := fs.(iceio.WriteFileIO)
	if !ok {
		return nil, fmt.Errorf("file system of %s cannot write files", tbl.Location())
	}
	loc, err := tbl.LocationProvider()
	if err != nil {
		return nil, err
	}
	path := loc.NewDataLocation(uuid.NewString() + "-deletes.parquet")
	target := df.FilePath()

	pb := array.NewStringBuilder(mem)
	defer pb.Release()
	xb := array.NewInt64Builder(mem)
	defer xb.Release()
	for _, p := range positions {
		pb.Append(target)
		xb.Append(p)
	}
	cols := []arrow.Array{pb.NewArray(), xb.NewArray()}
	rec := array.NewRecordBatch(posDeleteSchema, cols, int64(len(positions)))
	cols[0].Release()
	cols[1].Release()
	defer rec.Release()

	w, err := wfs.Create(path)
	if err != nil {
		return nil, fmt.Errorf("create %s: %w", path, err)
	}
	cw := &countingWriter{w: w}
	props := parquet.NewWriterProperties(parquet.WithCompression(compress.Codecs.Zstd), parquet.WithStats(true), parquet.WithAllocator(mem))
	fw, err := pqarrow.NewFileWriter(posDeleteSchema, cw, props, pqarrow.NewArrowWriterProperties(pqarrow.WithAllocator(mem)))
	if err != nil {
		_ = w.Close()
		_ = wfs.Remove(path)
		return nil, fmt.Errorf("write %s: %w", path, err)
	}
	if err := fw.Write(rec); err != nil {
		_ = fw.Close()
		_ = wfs.Remove(path)
		return nil, fmt.Errorf("write %s: %w", path, err)
	}
	if err := fw.Close(); err != nil {
		_ = wfs.Remove(path)
		return nil, fmt.Errorf("write %s: %w", path, err)
	}
	meta, err := fw.FileMetadata()
	if err != nil {
		_ = wfs.Remove(path)
		return nil, fmt.Errorf("write %s: %w", path, err)
	}
	spec := tbl.Metadata().PartitionSpecByID(int(df.SpecID()))
	if spec == nil {
		_ = wfs.Remove(path)
		return nil, fmt.Errorf("data file %s has unknown partition spec %d", target, df.SpecID())
	}
	var part map[int]any
	if !spec.IsUnpartitioned() {
		part = df.Partition()
	}
	out, err := table.DataFileFromMetadata(table.DataFileArgs{
		Schema:             iceberg.PositionalDeleteSchema,
		Spec:               *spec,
		Format:             iceberg.ParquetFile,
		Metadata:           meta,
		FilePath:           path,
		FileSize:           cw.n,
		Content:            iceberg.EntryContentPosDeletes,
		PartitionValues:    part,
		Properties:         tbl.Properties(),
		FormatVersion:      tbl.Metadata().Version(),
		ReferencedDataFile: &target,
	})
	if err != nil {
		_ = wfs.Remove(path)
		return nil, fmt.Errorf("delete file %s: %w", path, err)
	}
	return out, nil
}

// countingWriter counts the bytes written through it.
type countingWriter struct {
	w iceio.FileWriter
	n int64
}

func (c *countingWriter) Write(p []byte) (int, error) {
	n, err := c.w.Write(p)
	c.n += int64(n)
	return n, err
}

func (c *countingWriter) Close() error { return c.w.Close() }
