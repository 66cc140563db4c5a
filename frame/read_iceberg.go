package frame

import (
	"fmt"
	"strings"
	"time"

	"github.com/apache/iceberg-go/table"

	"lakeframe/iceberg"
	"lakeframe/plan"
)

// IcebergOption selects what ReadIceberg reads.
type IcebergOption func(*iceberg.ScanOptions)

// AtSnapshot reads the snapshot with this id, with the schema it was
// written with.
func AtSnapshot(id int64) IcebergOption {
	return func(o *iceberg.ScanOptions) { o.SnapshotID = &id }
}

// AsOf reads the latest snapshot committed at or before t; reading fails
// when the table has none that old.
func AsOf(t time.Time) IcebergOption {
	return func(o *iceberg.ScanOptions) { o.AsOf = &t }
}

// AtRef reads the head of a branch or a tag.
func AtRef(name string) IcebergOption {
	return func(o *iceberg.ScanOptions) { o.Ref = name }
}

// IcebergTaskBytes sets how many bytes one scan task reads at most when
// it combines small files; larger files are split at row groups.
func IcebergTaskBytes(n int64) IcebergOption {
	return func(o *iceberg.ScanOptions) { o.TaskBytes = n }
}

// IcebergCache reads the table's data files in object storage through a
// block cache on local disk in dir, bounded to maxBytes (0: 8 GiB), which
// every query and executor on the host naming dir shares. Without it, the
// LAKEFRAME_S3_CACHE_DIR environment variable decides.
func IcebergCache(dir string, maxBytes int64) IcebergOption {
	return func(o *iceberg.ScanOptions) { o.CacheDir, o.CacheMaxBytes = dir, maxBytes }
}

// ReadIceberg reads an Iceberg table (from iceberg.OpenCatalog or
// iceberg.OpenMetadata). Only the snapshot and its schema are chosen
// now; manifests and files are planned at Collect or Explain, after the
// optimizer has pushed filters and columns into the scan, so that only
// the files a query can need are listed and read. Filters on
// identity-partition columns are applied by the scan itself, from each
// file's partition values; with only such filters, a limit stops the scan
// early and count(*) is answered from manifest record counts when no kept
// file has delete files. Explain and WithScanReport show what a plan
// keeps: data files and bytes out of the total, and as details the
// snapshot, manifests kept, delete files, the filter pushed into Iceberg
// and the residual checked on rows.
func ReadIceberg(tbl *table.Table, opts ...IcebergOption) *DataFrame {
	var o iceberg.ScanOptions
	for _, opt := range opts {
		opt(&o)
	}
	src, err := iceberg.NewSource(tbl, o)
	if err != nil {
		ident := "<nil>"
		if tbl != nil {
			ident = strings.Join(tbl.Identifier(), ".")
		}
		return failed(fmt.Errorf("read_iceberg %s: %w", ident, err))
	}
	return fromNode(plan.NewScan(src))
}
