package iceberg

import (
	"context"
	"fmt"
	"strconv"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/memory"
	"github.com/apache/arrow-go/v18/parquet"
	"github.com/apache/arrow-go/v18/parquet/compress"
	"github.com/apache/arrow-go/v18/parquet/pqarrow"
	iceberg "github.com/apache/iceberg-go"
	iceio "github.com/apache/iceberg-go/io"
	"github.com/apache/iceberg-go/table"
	"github.com/google/uuid"

	"lakeframe/errs"
)

// maxOpenDataFiles bounds the data files one write keeps open: with more
// partitions active, the least recently written file is finished and its
// partition goes on in a new file. Well below the usual 1024 descriptors.
const maxOpenDataFiles = 128

// dataFileSettings is what every data file of one write shares: where and
// how files are written, in which schema, with which metrics.
type dataFileSettings struct {
	fs       iceio.WriteFileIO
	loc      table.LocationProvider
	spec     iceberg.PartitionSpec
	schema   *iceberg.Schema // the table's, as files carry it
	arrow    *arrow.Schema   // schema in Arrow, with PARQUET:field_id
	parquet  *parquet.WriterProperties
	arrowOut pqarrow.ArrowWriterProperties
	// groupBytes cuts row groups by encoded size
	// (write.parquet.row-group-size-bytes).
	groupBytes int64
	// target rolls files at about this many bytes.
	target  int64
	metrics *metricsPlan
	writeID uuid.UUID
	maxOpen int
	mem     memory.Allocator
}

// newDataFileSettings reads tbl's write properties. target > 0 overrides
// write.target-file-size-bytes; groupRows > 0 overrides
// write.parquet.row-group-limit.
func newDataFileSettings(ctx context.Context, tbl *table.Table, target int64, groupRows int, mem memory.Allocator) (*dataFileSettings, error) {
	props := tbl.Properties()
	if f := props.Get(table.WriteFormatDefaultKey, table.WriteFormatDefaultDefault); f != "parquet" {
		return nil, fmt.Errorf("%w: %s=%s: lakeframe writes parquet data files only", errs.ErrNotImplemented, table.WriteFormatDefaultKey, f)
	}
	fs, err := tbl.FS(ctx)
	if err != nil {
		return nil, fmt.Errorf("%w: file system of %s: %w", errs.ErrExec, tbl.Location(), err)
	}
	wfs, ok := fs.(iceio.WriteFileIO)
	if !ok {
		return nil, fmt.Errorf("%w: file system of %s cannot write files", errs.ErrExec, tbl.Location())
	}
	loc, err := tbl.LocationProvider()
	if err != nil {
		return nil, fmt.Errorf("%w: location provider: %w", errs.ErrPlan, err)
	}
	sc, err := iceberg.SanitizeColumnNames(tbl.Schema())
	if err != nil {
		return nil, fmt.Errorf("%w: schema: %w", errs.ErrPlan, err)
	}
	asc, err := table.SchemaToArrowSchemaWithOptions(sc, table.ArrowSchemaOptions{IncludeFieldIDs: true, TableProperties: props})
	if err != nil {
		return nil, fmt.Errorf("%w: arrow schema: %w", errs.ErrPlan, err)
	}
	metrics, err := newMetricsPlan(sc, props)
	if err != nil {
		return nil, fmt.Errorf("%w: %w", errs.ErrPlan, err)
	}
	if target <= 0 {
		if target, err = positiveProp(props, table.WriteTargetFileSizeBytesKey, table.WriteTargetFileSizeBytesDefault); err != nil {
			return nil, err
		}
	}
	groupBytes, err := positiveProp(props, table.ParquetRowGroupSizeBytesKey, table.ParquetRowGroupSizeBytesDefault)
	if err != nil {
		return nil, err
	}
	if groupRows <= 0 {
		n, err := positiveProp(props, table.ParquetRowGroupLimitKey, table.ParquetRowGroupLimitDefault)
		if err != nil {
			return nil, err
		}
		groupRows = int(n)
	}
	arrowOut := pqarrow.NewArrowWriterProperties(pqarrow.WithAllocator(mem), pqarrow.WithStoreSchema())
	pq, err := parquetProps(props, asc, int64(groupRows), arrowOut, mem)
	if err != nil {
		return nil, err
	}
	return &dataFileSettings{
		fs: wfs, loc: loc, spec: tbl.Spec(), schema: sc, arrow: asc, parquet: pq, arrowOut: arrowOut,
		groupBytes: groupBytes, target: target, metrics: metrics, writeID: uuid.New(),
		maxOpen: maxOpenDataFiles, mem: mem,
	}, nil
}

// positiveProp reads an integer table property that must be above zero.
func positiveProp(props iceberg.Properties, key string, def int) (int64, error) {
	s, ok := props[key]
	if !ok {
		return int64(def), nil
	}
	n, err := strconv.ParseInt(s, 10, 64)
	if err != nil || n <= 0 {
		return 0, fmt.Errorf("%w: table property %s=%q: want a positive integer", errs.ErrPlan, key, s)
	}
	return n, nil
}

// parquetCodecs are the write.parquet.compression-codec values.
var parquetCodecs = map[string]compress.Compression{
	"zstd": compress.Codecs.Zstd, "snappy": compress.Codecs.Snappy, "gzip": compress.Codecs.Gzip,
	"brotli": compress.Codecs.Brotli, "lz4": compress.Codecs.Lz4Raw, "lz4raw": compress.Codecs.Lz4Raw,
	"uncompressed": compress.Codecs.Uncompressed, "none": compress.Codecs.Uncompressed,
}

// parquetProps turns the table's write.parquet.* properties into writer
// properties: codec (zstd by default, as Iceberg), level, row-group row
// limit, page size and row limit, dictionary page size, page version.
// Statistics stay on: other engines prune row groups with them.
func parquetProps(props iceberg.Properties, sc *arrow.Schema, groupRows int64, arrowOut pqarrow.ArrowWriterProperties, mem memory.Allocator) (*parquet.WriterProperties, error) {
	name := props.Get(table.ParquetCompressionKey, table.ParquetCompressionDefault)
	codec, ok := parquetCodecs[name]
	if !ok {
		return nil, fmt.Errorf("%w: table property %s=%q: unknown codec", errs.ErrPlan, table.ParquetCompressionKey, name)
	}
	pageBytes, err := positiveProp(props, table.ParquetPageSizeBytesKey, table.ParquetPageSizeBytesDefault)
	if err != nil {
		return nil, err
	}
	pageRows, err := positiveProp(props, table.ParquetPageRowLimitKey, table.ParquetPageRowLimitDefault)
	if err != nil {
		return nil, err
	}
	dictBytes, err := positiveProp(props, table.ParquetDictSizeBytesKey, table.ParquetDictSizeBytesDefault)
	if err != nil {
		return nil, err
	}
	version := parquet.DataPageV2
	switch v := props.Get(table.ParquetPageVersionKey, table.ParquetPageVersionDefault); v {
	case "1":
		version = parquet.DataPageV1
	case "2":
	default:
		return nil, fmt.Errorf("%w: table property %s=%q: want 1 or 2", errs.ErrPlan, table.ParquetPageVersionKey, v)
	}
	opts := []parquet.WriterProperty{
		parquet.WithAllocator(mem), parquet.WithCompression(codec), parquet.WithStats(true),
		parquet.WithMaxRowGroupLength(groupRows), parquet.WithDataPageSize(pageBytes),
		parquet.WithBatchSize(pageRows), parquet.WithDictionaryPageSizeLimit(dictBytes),
		parquet.WithDataPageVersion(version),
	}
	if s, ok := props[table.ParquetCompressionLevelKey]; ok {
		level, err := strconv.Atoi(s)
		if err != nil {
			return nil, fmt.Errorf("%w: table property %s=%q: want an integer", errs.ErrPlan, table.ParquetCompressionLevelKey, s)
		}
		if level != table.ParquetCompressionLevelDefault {
			opts = append(opts, parquet.WithCompressionLevel(level))
		}
	}
	// Columns of distinct values fall back from dictionary to plain
	// encoding as parquet-mr does; arrow-go does so only uncompressed.
	psc, err := pqarrow.ToParquet(sc, parquet.NewWriterProperties(opts...), arrowOut)
	if err != nil {
		return nil, fmt.Errorf("%w: parquet schema: %w", errs.ErrPlan, err)
	}
	for i := range psc.NumColumns() {
		opts = append(opts, parquet.WithDictionaryCostFallbackFor(psc.Column(i).Path(), true))
	}
	return parquet.NewWriterProperties(opts...), nil
}
