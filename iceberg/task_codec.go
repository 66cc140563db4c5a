package iceberg

import (
	"encoding/json"
	"fmt"

	"github.com/apache/iceberg-go/codec"

	"lakeframe/errs"
	"lakeframe/exec/remote"
)

// wireTask is a Task as sent to another process that opens the same
// table: each file scan task in iceberg-go's codec, the filter as Iceberg
// expression JSON.
type wireTask struct {
	Files   [][]byte `json:"files"`
	SpecIDs []int    `json:"spec_ids"`
	Columns []string `json:"columns"`
	// Filters are the pushed filters in the plan codec's expression form.
	Filters json.RawMessage `json:"filters,omitempty"`
	// Limit is absent when the task returns all its rows.
	Limit *int64 `json:"limit,omitempty"`
	Bytes int64  `json:"bytes"`
}

// EncodeTask serializes a task planned by s.
func (s *Source) EncodeTask(t *Task) ([]byte, error) {
	meta := s.tbl.Metadata()
	w := wireTask{Columns: t.Columns, Bytes: t.Bytes}
	if t.Limit > 0 {
		w.Limit = &t.Limit
	}
	for _, ft := range t.Files {
		specID := int(ft.File.SpecID())
		spec := meta.PartitionSpecByID(specID)
		if spec == nil {
			return nil, fmt.Errorf("%w: encode task: file %s has unknown partition spec %d", errs.ErrInternal, ft.File.FilePath(), specID)
		}
		b, err := codec.EncodeFileScanTask(ft, *spec, s.ischema, meta.Version())
		if err != nil {
			return nil, fmt.Errorf("%w: encode task for %s: %w", errs.ErrNotImplemented, ft.File.FilePath(), err)
		}
		w.Files = append(w.Files, b)
		w.SpecIDs = append(w.SpecIDs, specID)
	}
	if len(t.Filters) > 0 {
		f, err := remote.MarshalExprs(t.Filters)
		if err != nil {
			return nil, fmt.Errorf("%w: encode task filters: %w", errs.ErrNotImplemented, err)
		}
		w.Filters = f
	}
	return json.Marshal(w)
}

// DecodeTask restores a task that EncodeTask wrote for the same table and
// snapshot.
func (s *Source) DecodeTask(b []byte) (*Task, error) {
	var w wireTask
	if err := json.Unmarshal(b, &w); err != nil {
		return nil, fmt.Errorf("%w: decode iceberg task: %w", errs.ErrExec, err)
	}
	if len(w.SpecIDs) != len(w.Files) {
		return nil, fmt.Errorf("%w: decode iceberg task: %d files but %d spec ids", errs.ErrExec, len(w.Files), len(w.SpecIDs))
	}
	meta := s.tbl.Metadata()
	t := &Task{Columns: w.Columns, Bytes: w.Bytes}
	if w.Limit != nil {
		t.Limit = *w.Limit
	}
	for i, fb := range w.Files {
		spec := meta.PartitionSpecByID(w.SpecIDs[i])
		if spec == nil {
			return nil, fmt.Errorf("%w: decode iceberg task: unknown partition spec %d", errs.ErrExec, w.SpecIDs[i])
		}
		ft, err := codec.DecodeFileScanTask(fb, *spec, s.ischema, meta.Version())
		if err != nil {
			return nil, fmt.Errorf("%w: decode iceberg task: %w", errs.ErrExec, err)
		}
		t.Files = append(t.Files, ft)
	}
	if len(w.Filters) > 0 {
		f, err := remote.UnmarshalExprs(w.Filters)
		if err != nil {
			return nil, fmt.Errorf("%w: decode iceberg task filters: %w", errs.ErrExec, err)
		}
		t.Filters = f
	}
	return t, nil
}
