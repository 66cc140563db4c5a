package iceberg

import (
	"context"
	"io"
	"strings"

	iceio "github.com/apache/iceberg-go/io"

	"lakeframe/exec/source/files"
)

// openCache opens the block cache the options or the environment name, nil
// when neither does.
func openCache(opts ScanOptions) (*files.BlockCache, error) {
	env := files.S3ConfigFromEnv()
	dir, maxBytes := opts.CacheDir, opts.CacheMaxBytes
	if dir == "" {
		dir = env.CacheDir
	}
	if maxBytes == 0 {
		maxBytes = env.CacheMaxBytes
	}
	if dir == "" {
		return nil, nil
	}
	return files.OpenBlockCache(files.BlockCacheConfig{Dir: dir, MaxBytes: maxBytes})
}

// cached returns f reading through the block cache when there is one and
// the file is in object storage. A data file never changes under its path
// (the spec makes paths unique per write), so the path and size name its
// one version.
func (s *Source) cached(ctx context.Context, f iceio.File, path string, size int64) iceio.File {
	if s.cache == nil || !isObjectStorePath(path) || size <= 0 {
		return f
	}
	return &cachedFile{File: f, ctx: ctx, cache: s.cache, obj: files.ObjectVersion{Path: path, Version: "iceberg-data-file", Size: size}}
}

func isObjectStorePath(p string) bool {
	for _, scheme := range []string{"s3://", "s3a://", "s3n://", "gs://", "abfs://", "abfss://"} {
		if strings.HasPrefix(p, scheme) {
			return true
		}
	}
	return false
}

// cachedFile serves ranged reads of a data file from the block cache,
// fetching misses through the table's FileIO.
type cachedFile struct {
	iceio.File
	ctx   context.Context
	cache *files.BlockCache
	obj   files.ObjectVersion
}

func (f *cachedFile) ReadAt(p []byte, off int64) (int, error) {
	return f.cache.ReadAt(f.ctx, f.obj, f.fetch, p, off)
}

func (f *cachedFile) fetch(_ context.Context, off, n int64) ([]byte, error) {
	buf := make([]byte, n)
	got, err := f.File.ReadAt(buf, off)
	if err == io.EOF && int64(got) == n {
		err = nil
	}
	return buf[:got], err
}
