package files

import (
	"context"
	"io/fs"
	"os"
	"path/filepath"
)

// Local is the local file system.
type Local struct{}

var _ FS = Local{}

// Stat describes a local path.
func (Local) Stat(_ context.Context, path string) (Info, error) {
	st, err := os.Stat(filepath.FromSlash(path))
	if err != nil {
		return Info{}, err
	}
	return Info{Path: path, Size: st.Size(), IsDir: st.IsDir()}, nil
}

// List walks a local directory recursively. Symbolic links to files are
// followed; links to directories are not, to stay clear of cycles.
func (Local) List(ctx context.Context, dir string) ([]Info, error) {
	var out []Info
	err := filepath.WalkDir(filepath.FromSlash(dir), func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if err := ctx.Err(); err != nil {
			return err
		}
		if d.IsDir() {
			return nil
		}
		st, err := os.Stat(p)
		if err != nil {
			return err
		}
		if st.IsDir() {
			return nil
		}
		out = append(out, Info{Path: filepath.ToSlash(p), Size: st.Size()})
		return nil
	})
	return out, err
}

// Open opens a local file.
func (Local) Open(_ context.Context, path string) (File, error) {
	f, err := os.Open(filepath.FromSlash(path))
	if err != nil {
		return nil, err
	}
	st, err := f.Stat()
	if err != nil {
		f.Close()
		return nil, err
	}
	return &localFile{File: f, size: st.Size()}, nil
}

type localFile struct {
	*os.File
	size int64
}

func (f *localFile) Size() int64 { return f.size }
