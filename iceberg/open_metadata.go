package iceberg

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	iceio "github.com/apache/iceberg-go/io"
	"github.com/apache/iceberg-go/table"
)

// Option configures OpenMetadata.
type Option func(*openConfig)

type openConfig struct {
	loc   locations
	props map[string]string
}

// WithLocationRemap reads files whose stored path starts with from at to
// followed by the rest of the path: the table's files moved since the
// metadata was written. Remaps are tried in the order given; the first
// matching prefix wins.
func WithLocationRemap(from, to string) Option {
	return func(c *openConfig) { c.loc.remaps = append(c.loc.remaps, remap{from: from, to: to}) }
}

// WithBaseDir resolves stored paths that are relative (no scheme, no
// leading slash) against dir instead of the working directory, for
// tables whose writer stored relative locations.
func WithBaseDir(dir string) Option {
	return func(c *openConfig) { c.loc.base = dir }
}

// WithProperties passes FileIO properties (s3.endpoint, s3.region, ...)
// for the table's files.
func WithProperties(props map[string]string) Option {
	return func(c *openConfig) {
		if c.props == nil {
			c.props = map[string]string{}
		}
		for k, v := range props {
			c.props[k] = v
		}
	}
}

// OpenMetadata opens a table straight from a metadata file: a
// *.metadata.json, a gzip-compressed one (*.gz.metadata.json or
// *.metadata.json.gz), or a table folder whose metadata/version-hint.text
// names the current version. No catalog is involved; the table is read
// only.
func OpenMetadata(ctx context.Context, metadataPath string, opts ...Option) (*table.Table, error) {
	cfg := openConfig{}
	for _, o := range opts {
		o(&cfg)
	}
	rio := newRemapIO(&cfg.loc, cfg.props)
	path, err := metadataFile(rio, metadataPath)
	if err != nil {
		return nil, fmt.Errorf("open iceberg metadata %s: %w", metadataPath, err)
	}
	fsF := func(context.Context) (iceio.IO, error) { return rio, nil }
	tbl, err := table.NewFromLocation(ctx, table.Identifier{tableName(path)}, path, fsF, nil)
	if err != nil {
		return nil, fmt.Errorf("open iceberg metadata %s: %w", path, err)
	}
	return tbl, nil
}

// metadataFile returns p when it names a file, or the metadata file a
// table folder's version hint points to.
func metadataFile(rio *remapIO, p string) (string, error) {
	local := rio.loc.resolve(p)
	if strings.Contains(local, "://") && !strings.HasPrefix(local, "file://") {
		return p, nil
	}
	st, err := os.Stat(strings.TrimPrefix(local, "file://"))
	if err != nil || !st.IsDir() {
		return p, nil
	}
	dir := strings.TrimPrefix(local, "file://")
	if _, err := os.Stat(filepath.Join(dir, "metadata")); err == nil {
		dir = filepath.Join(dir, "metadata")
	}
	hint, err := os.ReadFile(filepath.Join(dir, "version-hint.text"))
	if err != nil {
		if errors.Is(err, fs.ErrNotExist) {
			return "", fmt.Errorf("%s is a folder without metadata/version-hint.text; name the metadata file", p)
		}
		return "", err
	}
	v := strings.TrimSpace(string(hint))
	candidates := []string{v}
	if _, err := strconv.Atoi(v); err == nil {
		candidates = []string{"v" + v + ".metadata.json", "v" + v + ".gz.metadata.json", "v" + v + ".metadata.json.gz"}
	} else if !strings.HasSuffix(v, ".json") {
		candidates = []string{v + ".metadata.json", v}
	}
	for _, c := range candidates {
		f := filepath.Join(dir, c)
		if _, err := os.Stat(f); err == nil {
			return f, nil
		}
	}
	return "", fmt.Errorf("version hint %q in %s names no metadata file", v, dir)
}

// tableName is the folder name above metadata/, for messages.
func tableName(metadataPath string) string {
	dir := filepath.Dir(metadataPath)
	if filepath.Base(dir) == "metadata" {
		dir = filepath.Dir(dir)
	}
	return filepath.Base(dir)
}
