// Package files finds the files a file-format source reads: local paths,
// globs and directories, behind a small file-system interface, and the
// hive-style key=value directories whose keys become partition columns.
// Local is the local file system; S3 serves s3://bucket/key paths from
// S3-compatible object storage (AWS, MinIO), configured by S3Config; Auto
// picks between them by path.
package files

import (
	"context"
	"io"
)

// FS is the storage a source lists and reads files from. Paths use forward
// slashes. Errors for paths that do not exist wrap fs.ErrNotExist.
type FS interface {
	// Stat describes one path, which may be a file or a directory.
	Stat(ctx context.Context, path string) (Info, error)
	// List returns every file below dir, at any depth, in no set order.
	List(ctx context.Context, dir string) ([]Info, error)
	// Open opens a file for ranged reads.
	Open(ctx context.Context, path string) (File, error)
}

// Info describes a file or directory.
type Info struct {
	Path  string
	Size  int64
	IsDir bool
}

// File is an open file that supports ranged reads. Seek exists because
// some readers (such as the Parquet footer reader) ask for it; ranged reads
// should go through ReadAt, which is safe for concurrent use.
type File interface {
	io.ReaderAt
	io.Seeker
	io.Reader
	io.Closer
	// Size is the length of the file in bytes.
	Size() int64
}
