package jsonl

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/apache/arrow-go/v18/arrow"

	"lakeframe/errs"
	"lakeframe/exec"
	"lakeframe/exec/source/files"
	"lakeframe/exec/source/internal/filescan"
	"lakeframe/expr"
	"lakeframe/plan"
)

// Source is a set of JSON lines files read as one table: the keys of the
// objects, followed by hive partition columns.
type Source struct {
	fs     files.FS
	opts   Options
	paths  []string
	files  []files.Entry
	layout *filescan.Layout
}

var _ exec.Scanner = (*Source)(nil)

// NewSource lists the files that paths name and infers the schema from a
// sample of the first file's lines (unless opts.Schema is given).
func NewSource(ctx context.Context, paths []string, opts Options) (*Source, error) {
	fsys := opts.FS
	if fsys == nil {
		fsys = files.Auto(opts.S3)
	}
	if opts.Schema != nil {
		for _, f := range opts.Schema.Fields() {
			if !readable(f.Type) {
				return nil, fmt.Errorf("%w: json column %s of type %s", errs.ErrNotImplemented, f.Name, f.Type)
			}
		}
	}
	entries, parts, err := filescan.ListFiles(ctx, fsys, paths, Extensions, opts.NoHivePartitions)
	if err != nil {
		return nil, err
	}
	s := &Source{fs: fsys, opts: opts, paths: paths, files: entries}
	fileSchema := opts.Schema
	if fileSchema == nil {
		if fileSchema, err = s.inferSchema(ctx, entries[0].Path); err != nil {
			return nil, err
		}
	}
	if s.layout, err = filescan.NewLayout(fileSchema, parts, entries[0].Path); err != nil {
		return nil, err
	}
	return s, nil
}

// Kind is "json".
func (s *Source) Kind() string { return "json" }

// Schema is the file columns followed by the partition columns.
func (s *Source) Schema() *arrow.Schema { return s.layout.Schema }

// String lists the paths as given.
func (s *Source) String() string { return strings.Join(s.paths, ", ") }

// SupportsFilter: predicates on partition columns alone are exact; nothing
// else is pushed.
func (s *Source) SupportsFilter(pred expr.Node) plan.FilterSupport {
	return s.layout.Support(pred, nil)
}

// lineReader yields the lines of a file with their numbers.
type lineReader struct {
	r      *bufio.Reader
	closer io.Closer
	line   int64
	long   []byte
}

// open opens a file for reading, decompressing .gz files.
func (s *Source) open(ctx context.Context, path string) (*lineReader, error) {
	r, closer, err := filescan.OpenFile(ctx, s.fs, path)
	if err != nil {
		return nil, err
	}
	return &lineReader{r: bufio.NewReaderSize(r, 1<<20), closer: closer}, nil
}

// next returns the next non-blank line, valid until the next call, or
// io.EOF.
func (lr *lineReader) next() ([]byte, error) {
	for {
		line, err := lr.r.ReadSlice('\n')
		if errors.Is(err, bufio.ErrBufferFull) {
			lr.long = append(lr.long[:0], line...)
			for errors.Is(err, bufio.ErrBufferFull) {
				line, err = lr.r.ReadSlice('\n')
				lr.long = append(lr.long, line...)
			}
			line = lr.long
		}
		if err != nil && !errors.Is(err, io.EOF) {
			return nil, err
		}
		if len(line) == 0 {
			return nil, io.EOF
		}
		lr.line++
		if lr.line == 1 && len(line) >= 3 && line[0] == 0xEF && line[1] == 0xBB && line[2] == 0xBF {
			line = line[3:]
		}
		for _, c := range line {
			if c != ' ' && c != '\t' && c != '\r' && c != '\n' {
				return line, nil
			}
		}
	}
}

func (s *Source) inferSchema(ctx context.Context, path string) (*arrow.Schema, error) {
	lr, err := s.open(ctx, path)
	if err != nil {
		return nil, err
	}
	defer lr.closer.Close()
	root := newJType()
	var sc scanner
	limit := s.opts.sampleRows()
	for n := 0; limit < 0 || n < limit; n++ {
		line, err := lr.next()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return nil, fmt.Errorf("%w: read %s: %w", errs.ErrExec, path, err)
		}
		sc.reset(line)
		if sc.peek() != '{' {
			return nil, fmt.Errorf("%w: %s:%d: a line must hold a JSON object", errs.ErrExec, path, lr.line)
		}
		if err := root.observe(&sc); err != nil {
			return nil, fmt.Errorf("%w: %s:%d: %w", errs.ErrExec, path, lr.line, err)
		}
		if sc.peek() != 0 {
			return nil, fmt.Errorf("%w: %s:%d: %s", errs.ErrExec, path, lr.line, sc.errorf("text after the object"))
		}
	}
	if len(root.names) == 0 {
		return nil, fmt.Errorf("%w: %s has no keys to infer a schema from", errs.ErrExec, path)
	}
	return arrow.NewSchema(root.structFields(), nil), nil
}
