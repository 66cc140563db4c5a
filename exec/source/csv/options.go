// Package csv reads delimited text files as a lakeframe source, inferring
// column types from a sample of rows.
package csv

import (
	"github.com/apache/arrow-go/v18/arrow"

	"lakeframe/exec/source/files"
)

// Options configure a CSV source. The zero value reads local,
// comma-separated files with a header row, where an empty unquoted field
// is NULL.
type Options struct {
	// FS lists and opens the files; nil means the local file system for
	// local paths and S3 (configured by S3) for s3://bucket/key paths.
	FS files.FS
	// S3 configures the object store that s3:// paths are read from when
	// FS is nil; nil means the AWS environment variables
	// (files.S3ConfigFromEnv).
	S3 *files.S3Config
	// NoHeader says the first row is data; columns are then named
	// column0, column1, ...
	NoHeader bool
	// Delimiter separates fields; 0 means ','.
	Delimiter byte
	// Quote encloses fields holding delimiters, quotes (doubled) or line
	// breaks; 0 means '"'.
	Quote byte
	// NullValues are the unquoted texts read as NULL; nil means {""}.
	// Quoted fields are never NULL.
	NullValues []string
	// Schema, when set, names and types the columns instead of inference.
	// It must have as many fields as the files have columns.
	Schema *arrow.Schema
	// SampleRows is how many rows of the first file type inference reads;
	// 0 means 1000, negative means the whole file.
	SampleRows int
	// NoHivePartitions reads key=value directory names as plain names.
	NoHivePartitions bool
}

// Extensions are the file name endings a directory scan picks up; ".gz"
// files are decompressed.
var Extensions = []string{".csv", ".tsv", ".csv.gz", ".tsv.gz"}

func (o *Options) delimiter() byte {
	if o.Delimiter == 0 {
		return ','
	}
	return o.Delimiter
}

func (o *Options) quote() byte {
	if o.Quote == 0 {
		return '"'
	}
	return o.Quote
}

func (o *Options) nulls() []string {
	if o.NullValues == nil {
		return []string{""}
	}
	return o.NullValues
}

func (o *Options) sampleRows() int {
	if o.SampleRows == 0 {
		return 1000
	}
	return o.SampleRows
}
