package filescan

import (
	"compress/gzip"
	"context"
	"errors"
	"fmt"
	"io"
	"strings"

	"lakeframe/errs"
	"lakeframe/exec/source/files"
)

// OpenFile opens a text file for reading, decompressing it when its name
// ends in .gz. The closer closes the decompressor and the file.
func OpenFile(ctx context.Context, fsys files.FS, path string) (io.Reader, io.Closer, error) {
	f, err := fsys.Open(ctx, path)
	if err != nil {
		return nil, nil, fmt.Errorf("%w: open %s: %w", errs.ErrExec, path, err)
	}
	if !strings.HasSuffix(strings.ToLower(path), ".gz") {
		return f, f, nil
	}
	gz, err := gzip.NewReader(f)
	if err != nil {
		f.Close()
		return nil, nil, fmt.Errorf("%w: %s: %w", errs.ErrExec, path, err)
	}
	return gz, closeBoth{gz, f}, nil
}

type closeBoth struct{ a, b io.Closer }

func (c closeBoth) Close() error { return errors.Join(c.a.Close(), c.b.Close()) }
