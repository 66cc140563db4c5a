package frame

import (
	"context"
	"fmt"

	"lakeframe/exec/source/parquet"
	"lakeframe/plan"
)

// ReadParquet reads Parquet files: paths, globs (data/*.parquet), directories
// (every .parquet file below them) and hive-partitioned trees, whose
// key=value directory names become columns that filters prune by. The
// files are listed and the first footer read now, to learn the schema;
// everything else waits for Collect.
//
// Paths may be in S3-compatible object storage, s3://bucket/prefix/*.parquet,
// with the same globs, directories (key prefixes) and hive trees. The
// store is configured by the AWS environment variables (AWS_ENDPOINT_URL_S3
// or AWS_ENDPOINT_URL for MinIO and the like, AWS_REGION,
// AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY), or explicitly through
// ReadParquetWith and parquet.Options.S3.
func ReadParquet(paths ...string) *DataFrame {
	return ReadParquetWith(parquet.Options{}, paths...)
}

// ReadParquetWith is ReadParquet with options, such as the object store
// for s3:// paths:
//
//	cfg, _ := files.S3ConfigFromProps(icebergProps) // or files.S3Config{Endpoint: ...}
//	df := frame.ReadParquetWith(parquet.Options{S3: &cfg}, "s3://bucket/sales/**/*.parquet")
func ReadParquetWith(opts ParquetOptions, paths ...string) *DataFrame {
	src, err := parquet.NewSource(context.Background(), paths, opts)
	if err != nil {
		return failed(fmt.Errorf("read_parquet %v: %w", paths, err))
	}
	return fromNode(plan.NewScan(src))
}
