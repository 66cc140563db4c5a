package frame

import (
	"lakeframe/exec/source/csv"
	"lakeframe/exec/source/files"
	"lakeframe/exec/source/jsonl"
	"lakeframe/exec/source/parquet"
)

// The readers' option types, under the names a user of frame looks for, so
// that no program needs to import the source packages.
type (
	// CSVOptions configure ReadCSVWith: delimiter, quote, NULL texts, a
	// schema instead of inference, and how many rows inference samples
	// (SampleRows; a value that breaks the inferred type later fails the
	// query naming file, line and column, and a larger sample or a Schema
	// fixes it).
	CSVOptions = csv.Options
	// JSONOptions configure ReadJSONWith (JSON lines).
	JSONOptions = jsonl.Options
	// ParquetOptions configure ReadParquetWith.
	ParquetOptions = parquet.Options
	// FileSystem lists and opens files for the readers' FS option.
	FileSystem = files.FS
	// S3Config says where s3:// paths are read from: endpoint, region,
	// credentials, path-style addressing.
	S3Config = files.S3Config
)
