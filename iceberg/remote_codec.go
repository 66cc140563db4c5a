package iceberg

import (
	"context"
	"encoding/json"
	"fmt"

	iceio "github.com/apache/iceberg-go/io"
	"github.com/apache/iceberg-go/table"

	"lakeframe/errs"
	"lakeframe/exec"
	"lakeframe/exec/remote"
	"lakeframe/plan"
)

// Scans of Iceberg tables run on executors, which open the table's
// metadata and files themselves: a source is sent as the table's metadata
// location, how its FileIO is built (location remaps and properties,
// credentials included) and the snapshot and schema read; tasks go in
// iceberg-go's file scan task codec (task_codec.go).
func init() { remote.RegisterSourceCodec("iceberg", remoteCodec{}) }

type remoteCodec struct{}

// wireSource describes a Source to an executor. It may hold credentials
// (IO properties): it is sent to executors and never printed.
type wireSource struct {
	Identifier       []string `json:"identifier"`
	MetadataLocation string   `json:"metadata_location,omitempty"`
	// Metadata is the table metadata itself, for a table without a
	// metadata file to read.
	Metadata   json.RawMessage `json:"metadata,omitempty"`
	IO         wireIO          `json:"io"`
	SnapshotID *int64          `json:"snapshot_id,omitempty"`
	SchemaID   int             `json:"schema_id"`
	// Cache is the block cache of the coordinator's scan, which executors
	// on the same host share.
	CacheDir      string `json:"cache_dir,omitempty"`
	CacheMaxBytes int64  `json:"cache_max_bytes,omitempty"`
}

// wireIO rebuilds the table's FileIO: the local file system, or the
// remapping FileIO of OpenMetadata with its locations and properties.
type wireIO struct {
	Remap   bool              `json:"remap,omitempty"`
	Remaps  [][2]string       `json:"remaps,omitempty"`
	BaseDir string            `json:"base_dir,omitempty"`
	Props   map[string]string `json:"props,omitempty"`
}

func (remoteCodec) EncodeSource(src plan.Source) ([]byte, error) {
	s, ok := src.(*Source)
	if !ok {
		return nil, fmt.Errorf("%w: iceberg codec got a %T source", errs.ErrInternal, src)
	}
	w := wireSource{Identifier: s.tbl.Identifier(), MetadataLocation: s.tbl.MetadataLocation(), SchemaID: s.ischema.ID}
	if s.cache != nil {
		w.CacheDir, w.CacheMaxBytes = s.cache.Dir(), s.cache.MaxBytes()
	}
	if s.snap != nil {
		id := s.snap.SnapshotID
		w.SnapshotID = &id
	}
	var err error
	if w.IO, err = s.wireIO(); err != nil {
		return nil, err
	}
	if w.MetadataLocation == "" {
		if w.Metadata, err = json.Marshal(s.tbl.Metadata()); err != nil {
			return nil, fmt.Errorf("%w: table %s: encode metadata: %w", errs.ErrNotImplemented, name(s.tbl), err)
		}
	}
	return json.Marshal(w)
}

// wireIO describes the FileIO the source reads through. A FileIO built by
// a catalog from its own properties (an object store reached through a
// catalog) cannot be described: its properties are not kept.
func (s *Source) wireIO() (wireIO, error) {
	base := s.tio.base
	if tf, ok := base.(tableFS); ok {
		fs, err := tf.io()
		if err != nil {
			return wireIO{}, fmt.Errorf("%w: table %s: file io: %w", errs.ErrExec, name(s.tbl), err)
		}
		base = fs
	}
	switch b := base.(type) {
	case iceio.LocalFS, *iceio.LocalFS:
		return wireIO{}, nil
	case *remapIO:
		w := wireIO{Remap: true, BaseDir: b.loc.base, Props: b.props}
		for _, r := range b.loc.remaps {
			w.Remaps = append(w.Remaps, [2]string{r.from, r.to})
		}
		return w, nil
	}
	return wireIO{}, fmt.Errorf("%w: table %s reads through a %T file io, which executors cannot rebuild (open the table with iceberg.OpenMetadata and WithProperties to run its scans on executors)",
		errs.ErrNotImplemented, name(s.tbl), base)
}

func (w wireIO) build() iceio.IO {
	if !w.Remap {
		return iceio.LocalFS{}
	}
	loc := &locations{base: w.BaseDir}
	for _, r := range w.Remaps {
		loc.remaps = append(loc.remaps, remap{from: r[0], to: r[1]})
	}
	return newRemapIO(loc, w.Props)
}

func (remoteCodec) OpenSource(ctx context.Context, desc []byte) (exec.Scanner, error) {
	var w wireSource
	if err := json.Unmarshal(desc, &w); err != nil {
		return nil, fmt.Errorf("%w: decode iceberg source: %w", errs.ErrExec, err)
	}
	fsys := w.IO.build()
	fsF := func(context.Context) (iceio.IO, error) { return fsys, nil }
	ident := table.Identifier(w.Identifier)
	var tbl *table.Table
	if w.MetadataLocation != "" {
		var err error
		if tbl, err = table.NewFromLocation(ctx, ident, w.MetadataLocation, fsF, nil); err != nil {
			return nil, fmt.Errorf("%w: open iceberg metadata %s: %w", errs.ErrExec, w.MetadataLocation, err)
		}
	} else {
		meta, err := table.ParseMetadataBytes(w.Metadata)
		if err != nil {
			return nil, fmt.Errorf("%w: iceberg table %v: decode metadata: %w", errs.ErrExec, w.Identifier, err)
		}
		tbl = table.New(ident, meta, "", fsF, nil)
	}
	s, err := NewSource(tbl, ScanOptions{SnapshotID: w.SnapshotID, CacheDir: w.CacheDir, CacheMaxBytes: w.CacheMaxBytes})
	if err != nil {
		return nil, err
	}
	if s.ischema.ID != w.SchemaID {
		// The coordinator read a branch or the current snapshot with the
		// table's current schema rather than the snapshot's.
		meta := tbl.Metadata()
		var found bool
		for _, sc := range meta.Schemas() {
			if sc.ID == w.SchemaID {
				s.ischema, found = sc, true
			}
		}
		if !found {
			return nil, fmt.Errorf("%w: iceberg table %s has no schema %d", errs.ErrExec, name(tbl), w.SchemaID)
		}
		if s.schema, err = arrowSchema(s.ischema); err != nil {
			return nil, fmt.Errorf("%w: table %s: %w", errs.ErrExec, name(tbl), err)
		}
		s.identity, s.identityCols = identityFields(meta, s.ischema)
	}
	return s, nil
}

func (remoteCodec) EncodeTask(src plan.Source, t plan.Task) ([]byte, error) {
	s, ok := src.(*Source)
	it, ok2 := t.(*Task)
	if !ok || !ok2 {
		return nil, fmt.Errorf("%w: iceberg codec got a %T source and a %T task", errs.ErrInternal, src, t)
	}
	return s.EncodeTask(it)
}

func (remoteCodec) DecodeTask(src exec.Scanner, b []byte) (plan.Task, error) {
	s, ok := src.(*Source)
	if !ok {
		return nil, fmt.Errorf("%w: iceberg codec got a %T source", errs.ErrInternal, src)
	}
	return s.DecodeTask(b)
}
