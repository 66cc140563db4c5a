package tpchgen

import (
	"fmt"
	"slices"

	"github.com/apache/arrow-go/v18/arrow/memory"

	"lakeframe/errs"
)

// Defaults for the file layout.
const (
	DefaultRowGroupSize   = 122_880
	DefaultMaxRowsPerFile = 2_000_000
	DefaultBatchSize      = 65_536
)

// Progress describes one Parquet file that Generate has finished.
type Progress struct {
	Table string // table name, e.g. "lineitem"
	File  string // file name inside the table's directory, e.g. "part-0.parquet"
	Rows  int64  // rows in the file
}

// Option configures Generate.
type Option func(*config)

type config struct {
	tables         []string
	overwrite      bool
	rowGroupSize   int64
	maxRowsPerFile int64
	batchSize      int
	mem            memory.Allocator
	progress       func(Progress)
}

// WithTables limits generation to the named tables. Orders and lineitem
// come from one pass of the generator, as do part and partsupp, so asking
// for one of a pair costs as much as asking for both.
func WithTables(tables ...string) Option {
	return func(c *config) { c.tables = slices.Clone(tables) }
}

// WithOverwrite regenerates tables even when the directory's _SUCCESS
// marker says they are complete at the requested scale factor.
func WithOverwrite() Option {
	return func(c *config) { c.overwrite = true }
}

// WithRowGroupSize sets the rows per Parquet row group
// (DefaultRowGroupSize).
func WithRowGroupSize(rows int64) Option {
	return func(c *config) { c.rowGroupSize = rows }
}

// WithMaxRowsPerFile caps the rows per Parquet file
// (DefaultMaxRowsPerFile). A table is split into as few files as the cap
// allows, of equal size rounded up to whole row groups, the last file
// taking the remainder.
func WithMaxRowsPerFile(rows int64) Option {
	return func(c *config) { c.maxRowsPerFile = rows }
}

// WithBatchSize sets the rows per Arrow record batch handed from the
// generator to the Parquet writers (DefaultBatchSize).
func WithBatchSize(rows int) Option {
	return func(c *config) { c.batchSize = rows }
}

// WithAllocator sets the allocator for Arrow buffers
// (memory.DefaultAllocator).
func WithAllocator(mem memory.Allocator) Option {
	return func(c *config) { c.mem = mem }
}

// WithProgress calls fn after each Parquet file is written. Calls are
// serialized; fn must return quickly, as it holds up the writers.
func WithProgress(fn func(Progress)) Option {
	return func(c *config) { c.progress = fn }
}

func newConfig(sf int, opts []Option) (*config, error) {
	c := &config{
		tables:         Tables(),
		rowGroupSize:   DefaultRowGroupSize,
		maxRowsPerFile: DefaultMaxRowsPerFile,
		batchSize:      DefaultBatchSize,
		mem:            memory.DefaultAllocator,
	}
	for _, o := range opts {
		o(c)
	}
	if err := checkScale(sf); err != nil {
		return nil, err
	}
	if len(c.tables) == 0 {
		return nil, fmt.Errorf("%w: no tables to generate", errs.ErrPlan)
	}
	for _, t := range c.tables {
		if _, ok := tableColumns[t]; !ok {
			return nil, unknownTable(t)
		}
	}
	slices.Sort(c.tables)
	c.tables = slices.Compact(c.tables)
	switch {
	case c.rowGroupSize < 1:
		return nil, fmt.Errorf("%w: row group size %d must be positive", errs.ErrPlan, c.rowGroupSize)
	case c.maxRowsPerFile < 1:
		return nil, fmt.Errorf("%w: max rows per file %d must be positive", errs.ErrPlan, c.maxRowsPerFile)
	case c.batchSize < 1:
		return nil, fmt.Errorf("%w: batch size %d must be positive", errs.ErrPlan, c.batchSize)
	case c.mem == nil:
		return nil, fmt.Errorf("%w: nil allocator", errs.ErrPlan)
	}
	return c, nil
}
