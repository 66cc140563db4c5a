package parquet

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"sync"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/memory"
	pq "github.com/apache/arrow-go/v18/parquet"
	"github.com/apache/arrow-go/v18/parquet/file"
	"github.com/apache/arrow-go/v18/parquet/metadata"
	"github.com/apache/arrow-go/v18/parquet/pqarrow"

	"lakeframe/errs"
	"lakeframe/exec"
	"lakeframe/exec/source/files"
	"lakeframe/exec/source/internal/filescan"
	"lakeframe/expr"
	"lakeframe/plan"
)

// Source is a set of Parquet files read as one table. Its schema is the
// first file's columns followed by hive partition columns; the other
// files must have the same columns, which Plan checks.
type Source struct {
	fs     files.FS
	opts   Options
	paths  []string
	files  []files.Entry
	layout *filescan.Layout
	// leaves[i] lists the Parquet leaf columns of file column i.
	leaves [][]int
	// statsOK[i] says row-group statistics of file column i can prune.
	statsOK []bool

	mu          sync.Mutex
	footerCache map[string]*metadata.FileMetaData
}

var _ exec.Scanner = (*Source)(nil)

// NewSource lists the files that paths name and reads the first file's
// footer to learn the schema. Nothing else is read until Plan.
func NewSource(ctx context.Context, paths []string, opts Options) (*Source, error) {
	fsys := opts.FS
	if fsys == nil {
		fsys = files.Auto(opts.S3)
	}
	entries, parts, err := filescan.ListFiles(ctx, fsys, paths, Extensions, opts.NoHivePartitions)
	if err != nil {
		return nil, err
	}
	s := &Source{fs: fsys, opts: opts, paths: paths, files: entries, footerCache: map[string]*metadata.FileMetaData{}}
	meta, err := s.footer(ctx, entries[0].Path)
	if err != nil {
		return nil, err
	}
	fileSchema, manifest, err := arrowSchema(meta)
	if err != nil {
		return nil, fmt.Errorf("%w: %s: %w", errs.ErrExec, entries[0].Path, err)
	}
	if s.layout, err = filescan.NewLayout(fileSchema, parts, entries[0].Path); err != nil {
		return nil, err
	}
	s.leaves = make([][]int, len(manifest.Fields))
	s.statsOK = make([]bool, len(manifest.Fields))
	for i := range manifest.Fields {
		f := &manifest.Fields[i]
		s.leaves[i] = leafColumns(f, nil)
		s.statsOK[i] = f.IsLeaf() && StatsUsable(meta.Schema.Column(f.ColIndex), fileSchema.Field(i).Type)
	}
	return s, nil
}

// Kind is "parquet".
func (s *Source) Kind() string { return "parquet" }

// Schema is the file columns followed by the partition columns.
func (s *Source) Schema() *arrow.Schema { return s.layout.Schema }

// String lists the paths as given.
func (s *Source) String() string { return strings.Join(s.paths, ", ") }

// Files returns the files the source reads, with their partition values.
func (s *Source) Files() []files.Entry { return s.files }

// SupportsFilter: predicates on partition columns alone are exact (Plan
// keeps exactly the files where they hold); predicates that row-group
// statistics can prune with are inexact; the rest are unsupported.
func (s *Source) SupportsFilter(pred expr.Node) plan.FilterSupport {
	return s.layout.Support(pred, func(col int) bool { return s.statsOK[col] })
}

// footer returns a file's metadata, reading it once per source.
func (s *Source) footer(ctx context.Context, path string) (*metadata.FileMetaData, error) {
	s.mu.Lock()
	meta, ok := s.footerCache[path]
	s.mu.Unlock()
	if ok {
		return meta, nil
	}
	f, err := s.fs.Open(ctx, path)
	if err != nil {
		return nil, fmt.Errorf("%w: open %s: %w", errs.ErrExec, path, err)
	}
	defer f.Close()
	rdr, err := file.NewParquetReader(f, file.WithReadProps(readerProps()))
	if err != nil {
		return nil, fmt.Errorf("%w: read parquet footer of %s: %w", errs.ErrExec, path, err)
	}
	meta = rdr.MetaData()
	s.mu.Lock()
	s.footerCache[path] = meta
	s.mu.Unlock()
	return meta, nil
}

// readerProps reads whole column chunks with one ranged read each. Page
// buffers come from the Go allocator because the Parquet reader pools
// them and frees them through finalizers; every Arrow buffer a task
// returns comes from the task's allocator.
func readerProps() *pq.ReaderProperties {
	return pq.NewReaderProperties(memory.DefaultAllocator)
}

// arrowSchema converts a footer's schema to Arrow, restoring the original
// Arrow types when the writer stored them, without metadata.
func arrowSchema(meta *metadata.FileMetaData) (*arrow.Schema, *pqarrow.SchemaManifest, error) {
	props := pqarrow.ArrowReadProperties{}
	manifest, err := pqarrow.NewSchemaManifest(meta.Schema, meta.KeyValueMetadata(), &props)
	if err != nil {
		return nil, nil, err
	}
	fields := make([]arrow.Field, len(manifest.Fields))
	for i, f := range manifest.Fields {
		fields[i] = arrow.Field{Name: f.Field.Name, Type: f.Field.Type, Nullable: f.Field.Nullable}
	}
	return arrow.NewSchema(fields, nil), manifest, nil
}

func leafColumns(f *pqarrow.SchemaField, out []int) []int {
	if f.IsLeaf() {
		return append(out, f.ColIndex)
	}
	for i := range f.Children {
		out = leafColumns(&f.Children[i], out)
	}
	return out
}

// checkSchema compares a file's columns with the first file's.
func (s *Source) checkSchema(path string, meta *metadata.FileMetaData) error {
	got, _, err := arrowSchema(meta)
	if err != nil {
		return fmt.Errorf("%w: %s: %w", errs.ErrExec, path, err)
	}
	first := s.files[0].Path
	want := s.layout.Schema
	if got.NumFields() != s.layout.NumFile {
		return fmt.Errorf("%w: %s has %d columns but %s has %d", errs.ErrExec, path, got.NumFields(), first, s.layout.NumFile)
	}
	for i, f := range got.Fields() {
		w := want.Field(i)
		if f.Name != w.Name || !arrow.TypeEqual(f.Type, w.Type) {
			return fmt.Errorf("%w: schemas differ: column %d is %s %s in %s but %s %s in %s",
				errs.ErrExec, i, w.Name, w.Type, first, f.Name, f.Type, path)
		}
	}
	return nil
}

// Paths are the paths, globs and directories the source was made from.
func (s *Source) Paths() []string { return slices.Clone(s.paths) }

// Options are the options the source was made with.
func (s *Source) Options() Options { return s.opts }
