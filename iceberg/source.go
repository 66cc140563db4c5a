package iceberg

import (
	"context"
	"fmt"
	"strings"
	"sync"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/parquet/metadata"
	iceberg "github.com/apache/iceberg-go"
	iceio "github.com/apache/iceberg-go/io"
	"github.com/apache/iceberg-go/table"

	"lakeframe/errs"
	"lakeframe/exec"
	"lakeframe/exec/source/files"
	"lakeframe/exec/source/prune"
	"lakeframe/expr"
	"lakeframe/plan"
)

// Source is one snapshot of an Iceberg table as a lakeframe scan source.
// Building it reads nothing but the table metadata already in memory;
// manifests are read when the scan is planned, with the pushed filters.
type Source struct {
	tbl  *table.Table
	tio  *tableIO
	opts ScanOptions
	// snap is the snapshot read; nil for a table without snapshots.
	snap    *table.Snapshot
	ischema *iceberg.Schema
	schema  *arrow.Schema
	// identity[specID] maps column names to the partition field id that
	// holds their value, for the identity fields of that spec.
	identity map[int]map[string]int
	// identityCols are the columns identity-partitioned in any spec.
	identityCols map[string]bool

	mu sync.Mutex
	// posDeletes caches, per positional delete file read, the positions
	// it deletes by data file path (resolved through location remaps).
	posDeletes map[string]map[string][]int64
	// footers caches the data files' footers: a large file is read as
	// several tasks, one per row-group range.
	footers map[string]*metadata.FileMetaData
	// manifests caches the snapshot's manifest list once read.
	manifests []iceberg.ManifestFile
	// cache, when set, serves reads of data files in object storage.
	cache *files.BlockCache
}

var _ exec.Scanner = (*Source)(nil)

// NewSource selects the snapshot that opts name and its schema. It fails
// when the snapshot, time or ref does not exist.
func NewSource(tbl *table.Table, opts ScanOptions) (*Source, error) {
	if tbl == nil {
		return nil, fmt.Errorf("%w: iceberg table is nil", errs.ErrPlan)
	}
	set := 0
	if opts.SnapshotID != nil {
		set++
	}
	if opts.AsOf != nil {
		set++
	}
	if opts.Ref != "" {
		set++
	}
	if set > 1 {
		return nil, fmt.Errorf("%w: choose one of snapshot id, as-of time and ref", errs.ErrPlan)
	}
	meta := tbl.Metadata()
	s := &Source{opts: opts, ischema: meta.CurrentSchema()}
	snapSchema := false
	switch {
	case opts.SnapshotID != nil:
		s.snap = meta.SnapshotByID(*opts.SnapshotID)
		if s.snap == nil {
			return nil, fmt.Errorf("%w: table %s has no snapshot %d", errs.ErrPlan, name(tbl), *opts.SnapshotID)
		}
		snapSchema = true
	case opts.AsOf != nil:
		s.snap = tbl.SnapshotAsOf(opts.AsOf.UnixMilli(), true)
		if s.snap == nil {
			return nil, fmt.Errorf("%w: table %s has no snapshot at or before %s", errs.ErrPlan, name(tbl), opts.AsOf.UTC().Format("2006-01-02 15:04:05.000Z07:00"))
		}
		// Pin the snapshot so planning reads exactly this one.
		id := s.snap.SnapshotID
		s.opts.SnapshotID, s.opts.AsOf = &id, nil
		snapSchema = true
	case opts.Ref != "":
		s.snap = meta.SnapshotByName(opts.Ref)
		if s.snap == nil {
			return nil, fmt.Errorf("%w: table %s has no branch or tag %q", errs.ErrPlan, name(tbl), opts.Ref)
		}
		ref := meta.Refs()
		for n, r := range ref {
			if n == opts.Ref && r.SnapshotRefType == table.TagRef {
				snapSchema = true
			}
		}
	default:
		s.snap = meta.CurrentSnapshot()
	}
	if snapSchema && s.snap.SchemaID != nil {
		for _, sc := range meta.Schemas() {
			if sc.ID == *s.snap.SchemaID {
				s.ischema = sc
			}
		}
	}
	var err error
	if s.schema, err = arrowSchema(s.ischema); err != nil {
		return nil, fmt.Errorf("%w: table %s: %w", errs.ErrExec, name(tbl), err)
	}
	s.identity, s.identityCols = identityFields(meta, s.ischema)
	if s.cache, err = openCache(opts); err != nil {
		return nil, err
	}
	s.tio = newTableIO(tableFS{tbl})
	s.tbl = table.New(tbl.Identifier(), meta, tbl.MetadataLocation(),
		func(context.Context) (iceio.IO, error) { return s.tio, nil }, nil)
	return s, nil
}

// tableFS opens the wrapped table's FileIO lazily, on first use.
type tableFS struct{ tbl *table.Table }

func (t tableFS) io() (iceio.IO, error) { return t.tbl.FS(context.Background()) }

func (t tableFS) Open(name string) (iceio.File, error) {
	fs, err := t.io()
	if err != nil {
		return nil, err
	}
	return fs.Open(name)
}

func (t tableFS) Remove(name string) error {
	fs, err := t.io()
	if err != nil {
		return err
	}
	return fs.Remove(name)
}

func (t tableFS) ReadFile(name string) ([]byte, error) {
	fs, err := t.io()
	if err != nil {
		return nil, err
	}
	if rf, ok := fs.(iceio.ReadFileIO); ok {
		return rf.ReadFile(name)
	}
	return readAll(fs, name)
}

// identityFields finds, per partition spec, the columns of schema whose
// values an identity partition field holds.
func identityFields(meta table.Metadata, schema *iceberg.Schema) (map[int]map[string]int, map[string]bool) {
	bySpec := map[int]map[string]int{}
	cols := map[string]bool{}
	for _, spec := range meta.PartitionSpecs() {
		m := map[string]int{}
		for _, f := range spec.Fields() {
			if _, ok := f.Transform.(iceberg.IdentityTransform); !ok || len(f.SourceIDs) != 1 {
				continue
			}
			col, ok := schema.FindColumnName(f.SourceIDs[0])
			if !ok || strings.Contains(col, ".") {
				continue
			}
			m[col] = f.FieldID
			cols[col] = true
		}
		bySpec[spec.ID()] = m
	}
	return bySpec, cols
}

// footer is the cached footer of a data file, nil when not read yet.
func (s *Source) footer(path string) *metadata.FileMetaData {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.footers[path]
}

func (s *Source) keepFooter(path string, meta *metadata.FileMetaData) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.footers == nil {
		s.footers = map[string]*metadata.FileMetaData{}
	}
	s.footers[path] = meta
}

func name(tbl *table.Table) string { return strings.Join(tbl.Identifier(), ".") }

// Kind is "iceberg".
func (s *Source) Kind() string { return "iceberg" }

// Schema is the snapshot's schema as Arrow; uuid columns are text.
func (s *Source) Schema() *arrow.Schema { return s.schema }

// Table is the table the source reads.
func (s *Source) Table() *table.Table { return s.tbl }

// Snapshot is the snapshot the source reads, nil for an empty table.
func (s *Source) Snapshot() *table.Snapshot { return s.snap }

// String names the table and the snapshot read; what a plan kept is in
// its ScanStats.
func (s *Source) String() string {
	if s.snap == nil {
		return name(s.tbl) + " snapshot=none"
	}
	return fmt.Sprintf("%s snapshot=%d", name(s.tbl), s.snap.SnapshotID)
}

// SupportsFilter: a predicate on identity-partition columns only is exact
// when every data file of the snapshot is partitioned by those columns:
// planning keeps exactly the files whose partition values satisfy it.
// Predicates that partition values, column metrics or row-group
// statistics can prune with are inexact: rows are still filtered above
// the scan. The rest are not pushed.
func (s *Source) SupportsFilter(pred expr.Node) plan.FilterSupport {
	if s.exact(pred) {
		return plan.FilterExact
	}
	usable := func(col int) bool { return prune.Prunable(s.schema.Field(col).Type) }
	if prune.Compile(pred, s.schema).CanPrune(usable) {
		return plan.FilterInexact
	}
	return plan.FilterUnsupported
}
