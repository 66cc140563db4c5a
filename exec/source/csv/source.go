package csv

import (
	"context"
	"errors"
	"fmt"
	"io"
	"slices"
	"strings"

	"github.com/apache/arrow-go/v18/arrow"

	"lakeframe/errs"
	"lakeframe/exec"
	"lakeframe/exec/source/files"
	"lakeframe/exec/source/internal/filescan"
	"lakeframe/expr"
	"lakeframe/plan"
)

// Source is a set of CSV files read as one table: the columns of the
// files, followed by hive partition columns. Every file must have the same
// header (or, without headers, the same number of fields).
type Source struct {
	fs     files.FS
	opts   Options
	paths  []string
	files  []files.Entry
	layout *filescan.Layout
	width  int      // fields per record
	header []string // the first file's header, nil without headers
}

var _ exec.Scanner = (*Source)(nil)

// NewSource lists the files that paths name, and reads the first file's
// header and a sample of its rows to infer column types (unless
// opts.Schema is given).
func NewSource(ctx context.Context, paths []string, opts Options) (*Source, error) {
	fsys := opts.FS
	if fsys == nil {
		fsys = files.Auto(opts.S3)
	}
	if opts.Schema != nil {
		for _, f := range opts.Schema.Fields() {
			if !supported(f.Type) {
				return nil, fmt.Errorf("%w: csv column %s of type %s", errs.ErrNotImplemented, f.Name, f.Type)
			}
		}
	}
	if opts.delimiter() == opts.quote() || opts.delimiter() == '\n' || opts.quote() == '\n' {
		return nil, fmt.Errorf("%w: csv delimiter %q and quote %q must differ and not be a line break", errs.ErrPlan, opts.delimiter(), opts.quote())
	}
	entries, parts, err := filescan.ListFiles(ctx, fsys, paths, Extensions, opts.NoHivePartitions)
	if err != nil {
		return nil, err
	}
	s := &Source{fs: fsys, opts: opts, paths: paths, files: entries}
	fileSchema, err := s.inferSchema(ctx, entries[0].Path)
	if err != nil {
		return nil, err
	}
	if s.layout, err = filescan.NewLayout(fileSchema, parts, entries[0].Path); err != nil {
		return nil, err
	}
	return s, nil
}

// Kind is "csv".
func (s *Source) Kind() string { return "csv" }

// Schema is the file columns followed by the partition columns.
func (s *Source) Schema() *arrow.Schema { return s.layout.Schema }

// String lists the paths as given.
func (s *Source) String() string { return strings.Join(s.paths, ", ") }

// SupportsFilter: predicates on partition columns alone are exact; CSV
// files have no statistics, so nothing else is pushed.
func (s *Source) SupportsFilter(pred expr.Node) plan.FilterSupport {
	return s.layout.Support(pred, nil)
}

// open opens a file for reading, decompressing .gz files.
func (s *Source) open(ctx context.Context, path string) (*tokenizer, io.Closer, error) {
	r, closer, err := filescan.OpenFile(ctx, s.fs, path)
	if err != nil {
		return nil, nil, err
	}
	t := newTokenizer(r, s.opts.delimiter(), s.opts.quote())
	if err := t.skipBOM(); err != nil {
		closer.Close()
		return nil, nil, fmt.Errorf("%w: read %s: %w", errs.ErrExec, path, err)
	}
	return t, closer, nil
}

// readHeader reads the first record: the column names, or (without
// headers) the first data row, which the caller then keeps in the batch.
func readHeader(t *tokenizer, path string) ([]string, error) {
	n, err := t.next()
	if errors.Is(err, io.EOF) {
		return nil, fmt.Errorf("%w: %s is empty", errs.ErrExec, path)
	}
	if err != nil {
		return nil, fmt.Errorf("%w: %s:%w", errs.ErrExec, path, err)
	}
	names := make([]string, n)
	for i := range names {
		names[i] = string(t.field(i))
	}
	return names, nil
}

// inferSchema reads the header and a sample of rows of the first file.
func (s *Source) inferSchema(ctx context.Context, path string) (*arrow.Schema, error) {
	t, closer, err := s.open(ctx, path)
	if err != nil {
		return nil, err
	}
	defer closer.Close()
	first, err := readHeader(t, path)
	if err != nil {
		return nil, err
	}
	s.width = len(first)
	names := make([]string, s.width)
	if s.opts.NoHeader {
		for i := range names {
			names[i] = fmt.Sprintf("column%d", i)
		}
	} else {
		s.header = first
		copy(names, first)
		t.reset()
		dedupe(names)
	}
	if s.opts.Schema != nil {
		if s.opts.Schema.NumFields() != s.width {
			return nil, fmt.Errorf("%w: schema has %d columns but %s has %d", errs.ErrPlan, s.opts.Schema.NumFields(), path, s.width)
		}
		fields := slices.Clone(s.opts.Schema.Fields())
		for i := range fields {
			fields[i].Nullable = true
		}
		return arrow.NewSchema(fields, nil), nil
	}
	guesses := make([]guess, s.width)
	for i := range guesses {
		guesses[i] = newGuess()
	}
	p := columnParser{tok: t, ncols: s.width, nulls: byteStrings(s.opts.nulls())}
	limit := s.opts.sampleRows()
	rows := len(t.lines) // the first row, when it is data
	for limit < 0 || rows < limit {
		n, err := t.next()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return nil, fmt.Errorf("%w: %s:%w", errs.ErrExec, path, err)
		}
		if n != s.width {
			return nil, fmt.Errorf("%w: %s:%d: expected %d fields, got %d", errs.ErrExec, path, t.line, s.width, n)
		}
		rows++
		if rows%4096 == 0 {
			s.observe(&p, guesses, rows)
			t.reset()
			rows = 0
			limit -= 4096
		}
	}
	s.observe(&p, guesses, rows)
	fields := make([]arrow.Field, s.width)
	for i := range fields {
		fields[i] = arrow.Field{Name: names[i], Type: guesses[i].typ(), Nullable: true}
	}
	return arrow.NewSchema(fields, nil), nil
}

// observe feeds the tokenized sample rows to the type guesses.
func (s *Source) observe(p *columnParser, guesses []guess, rows int) {
	for r := range rows {
		for c := range guesses {
			k := r*s.width + c
			if f := p.tok.field(k); !p.isNull(k, f) {
				guesses[c].add(f)
			}
		}
	}
}

// dedupe names empty columns by position and suffixes repeated names.
func dedupe(names []string) {
	seen := map[string]bool{}
	for i, n := range names {
		if n == "" {
			n = fmt.Sprintf("column%d", i)
		}
		base := n
		for k := 1; seen[n]; k++ {
			n = fmt.Sprintf("%s_%d", base, k)
		}
		seen[n] = true
		names[i] = n
	}
}

func byteStrings(ss []string) [][]byte {
	out := make([][]byte, len(ss))
	for i, s := range ss {
		out[i] = []byte(s)
	}
	return out
}
