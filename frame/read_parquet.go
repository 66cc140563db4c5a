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
func ReadParquet(paths ...string) *DataFrame {
	return ReadParquetWith(parquet.Options{}, paths...)
}

// ReadParquetWith is ReadParquet with options.
func ReadParquetWith(opts parquet.Options, paths ...string) *DataFrame {
	src, err := parquet.NewSource(context.Background(), paths, opts)
	if err != nil {
		return failed(fmt.Errorf("read_parquet %v: %w", paths, err))
	}
	return fromNode(plan.NewScan(src))
}
