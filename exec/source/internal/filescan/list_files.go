package filescan

import (
	"context"

	"github.com/apache/arrow-go/v18/arrow"

	"lakeframe/exec/source/files"
)

// ListFiles expands paths into the files a source reads, with the hive
// partition values of their directories and the partition columns those
// make, unless noHive is set.
func ListFiles(ctx context.Context, fsys files.FS, paths, exts []string, noHive bool) ([]files.Entry, []arrow.Field, error) {
	infos, err := files.Expand(ctx, fsys, paths, exts)
	if err != nil {
		return nil, nil, err
	}
	if !noHive {
		return files.Partitions(infos)
	}
	entries := make([]files.Entry, len(infos))
	for i, info := range infos {
		entries[i] = files.Entry{Path: info.Path, Size: info.Size}
	}
	return entries, nil, nil
}
