// Package jsonl reads JSON lines files (one object per line) as a
// lakeframe source, inferring the schema from a sample of lines.
package jsonl

import (
	"github.com/apache/arrow-go/v18/arrow"

	"lakeframe/exec/source/files"
)

// Options configure a JSON lines source. The zero value reads local files
// and infers the schema from the first 1000 lines.
type Options struct {
	// FS lists and opens the files; nil means the local file system for
	// local paths and S3 (configured by S3) for s3://bucket/key paths.
	FS files.FS
	// S3 configures the object store that s3:// paths are read from when
	// FS is nil; nil means the AWS environment variables
	// (files.S3ConfigFromEnv).
	S3 *files.S3Config
	// Schema, when set, is used instead of inference. Keys not in it are
	// ignored; missing keys are NULL.
	Schema *arrow.Schema
	// SampleRows is how many lines of the first file inference reads; 0
	// means 1000, negative means the whole file.
	SampleRows int
	// NoHivePartitions reads key=value directory names as plain names.
	NoHivePartitions bool
}

// Extensions are the file name endings a directory scan picks up; ".gz"
// files are decompressed.
var Extensions = []string{".jsonl", ".ndjson", ".json", ".jsonl.gz", ".ndjson.gz", ".json.gz"}

func (o *Options) sampleRows() int {
	if o.SampleRows == 0 {
		return 1000
	}
	return o.SampleRows
}
