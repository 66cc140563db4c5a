package ducklake

import (
	"context"
	"fmt"
	"sync"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/parquet/metadata"

	"lakeframe/exec"
	"lakeframe/exec/source/files"
	"lakeframe/exec/source/prune"
	"lakeframe/expr"
	"lakeframe/plan"
)

// Source reads one DuckLake table at one snapshot. Its schema is fixed
// when it is built; Plan lists and prunes the files.
type Source struct {
	table  *Table
	schema *arrow.Schema
	fs     files.FS
	opts   SourceOptions

	mu      sync.Mutex
	footers map[string]*metadata.FileMetaData
}

// SourceOptions tune how a table is split into tasks.
type SourceOptions struct {
	// TaskBytes is about how many bytes of data files one task reads when
	// it combines small files (a file is never split); 0 means 64 MiB.
	TaskBytes int64
}

var _ exec.Scanner = (*Source)(nil)

// NewSource looks up a table (see Catalog.Table for how names resolve) at
// the latest snapshot or the one opts select, and reads its columns.
func NewSource(ctx context.Context, cat *Catalog, table string, opts ...ReadOption) (*Source, error) {
	t, err := cat.Table(ctx, table, opts...)
	if err != nil {
		return nil, err
	}
	return t.Source(SourceOptions{})
}

// Source makes a scan source of the table.
func (t *Table) Source(opts SourceOptions) (*Source, error) {
	schema, err := arrowSchema(t.Columns)
	if err != nil {
		return nil, fmt.Errorf("ducklake table %s: %w", t.QualifiedName(), err)
	}
	return &Source{table: t, schema: schema, fs: t.cat.fs, opts: opts, footers: map[string]*metadata.FileMetaData{}}, nil
}

// Table is the table the source reads.
func (s *Source) Table() *Table { return s.table }

// Kind is "ducklake".
func (s *Source) Kind() string { return "ducklake" }

// Schema is the table's columns at the snapshot read.
func (s *Source) Schema() *arrow.Schema { return s.schema }

// String names the table; the snapshot is in the plan's statistics.
func (s *Source) String() string { return s.table.QualifiedName() }

// SupportsFilter: predicates that file statistics or partition values can
// prune with are inexact (whole files are skipped, the rest is filtered
// above the scan); others are unsupported.
func (s *Source) SupportsFilter(pred expr.Node) plan.FilterSupport {
	p := prune.Compile(pred, s.schema)
	if p.CanPrune(func(col int) bool { return prune.Prunable(s.schema.Field(col).Type) }) {
		return plan.FilterInexact
	}
	return plan.FilterUnsupported
}
