package iceberg

import (
	"context"
	"fmt"
	"io"
	"path/filepath"
	"strings"
	"sync"

	iceio "github.com/apache/iceberg-go/io"
)

// remap is one location prefix rewrite.
type remap struct{ from, to string }

// locations resolves the paths written inside a table's metadata to where
// the files are now: prefix remaps first, then relative paths against a
// base directory.
type locations struct {
	remaps []remap
	// base resolves paths without scheme or leading slash; empty keeps them
	// relative to the working directory.
	base string
}

// resolve rewrites a stored path to the path to open.
func (l *locations) resolve(p string) string {
	for _, r := range l.remaps {
		if strings.HasPrefix(p, r.from) {
			p = r.to + p[len(r.from):]
			break
		}
	}
	if l.base != "" && isRelative(p) {
		p = filepath.Join(l.base, p)
	}
	return p
}

// isRelative reports a path with neither a scheme nor a leading slash.
func isRelative(p string) bool {
	if p == "" || strings.HasPrefix(p, "/") || filepath.IsAbs(p) {
		return false
	}
	return !strings.Contains(p, "://")
}

// empty reports that resolve never changes a path.
func (l *locations) empty() bool { return len(l.remaps) == 0 && l.base == "" }

// remapIO opens files at their resolved locations. Local paths go to the
// local file system; other schemes to the FileIO registered for them,
// created once per scheme and bucket with the table's properties.
type remapIO struct {
	loc   *locations
	props map[string]string

	mu    sync.Mutex
	byKey map[string]iceio.IO
}

var (
	_ iceio.IO         = (*remapIO)(nil)
	_ iceio.ReadFileIO = (*remapIO)(nil)
)

func newRemapIO(loc *locations, props map[string]string) *remapIO {
	return &remapIO{loc: loc, props: props, byKey: map[string]iceio.IO{}}
}

// target resolves name and returns the FileIO that opens it.
func (r *remapIO) target(name string) (iceio.IO, string, error) {
	p := r.loc.resolve(name)
	scheme, rest, ok := strings.Cut(p, "://")
	if !ok || scheme == "file" {
		return iceio.LocalFS{}, p, nil
	}
	bucket, _, _ := strings.Cut(rest, "/")
	key := scheme + "://" + bucket
	r.mu.Lock()
	defer r.mu.Unlock()
	if fs, ok := r.byKey[key]; ok {
		return fs, p, nil
	}
	fs, err := iceio.LoadFS(context.Background(), r.props, p)
	if err != nil {
		return nil, "", fmt.Errorf("file io for %s: %w", p, err)
	}
	r.byKey[key] = fs
	return fs, p, nil
}

func (r *remapIO) Open(name string) (iceio.File, error) {
	fs, p, err := r.target(name)
	if err != nil {
		return nil, err
	}
	return fs.Open(p)
}

func (r *remapIO) ReadFile(name string) ([]byte, error) {
	fs, p, err := r.target(name)
	if err != nil {
		return nil, err
	}
	if rf, ok := fs.(iceio.ReadFileIO); ok {
		return rf.ReadFile(p)
	}
	f, err := fs.Open(p)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	return io.ReadAll(f)
}

func (r *remapIO) Remove(name string) error {
	fs, p, err := r.target(name)
	if err != nil {
		return err
	}
	return fs.Remove(p)
}
