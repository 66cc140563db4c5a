// Package parquet reads Parquet files as a lakeframe source: local paths,
// globs, directories and hive-partitioned trees, with projection, filter
// pruning by partition values and row-group statistics, and limits pushed
// into the scan.
package parquet

import (
	"lakeframe/exec/source/files"
)

// Options configure a Parquet source. The zero value reads local files.
type Options struct {
	// FS lists and opens the files; nil means the local file system for
	// local paths and S3 (configured by S3) for s3://bucket/key paths.
	FS files.FS
	// S3 configures the object store that s3:// paths are read from when
	// FS is nil; nil means the AWS environment variables
	// (files.S3ConfigFromEnv).
	S3 *files.S3Config
	// TaskBytes is the most compressed bytes of the projected columns one
	// task reads when it combines row groups (a row group is never split);
	// 0 means 64 MiB.
	TaskBytes int64
	// NoHivePartitions reads key=value directory names as plain names
	// instead of partition columns.
	NoHivePartitions bool
}

const (
	defaultTaskBytes = 64 << 20
	// minTaskBytes keeps tasks from getting so small that per-task costs
	// (opening files, starting readers) dominate.
	minTaskBytes = 4 << 20
	// footerReaders bounds the footers read at once while planning.
	footerReaders = 8
)

// Extensions are the file name endings a directory scan picks up.
var Extensions = []string{".parquet", ".parq"}
