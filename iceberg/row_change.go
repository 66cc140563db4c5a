package iceberg

import (
	"fmt"
	"maps"
	"strings"

	"github.com/apache/arrow-go/v18/arrow/memory"
	iceberg "github.com/apache/iceberg-go"
	"github.com/apache/iceberg-go/table"

	"lakeframe/errs"
)

// RowChangeMode says how a delete or update records its changes.
type RowChangeMode int

const (
	// TableMode follows the table's write.delete.mode or write.update.mode
	// property, copy-on-write when it is unset.
	TableMode RowChangeMode = iota
	// CopyOnWrite rewrites every data file holding a changed row.
	CopyOnWrite
	// MergeOnRead writes positional delete files for the changed rows
	// (and, for updates, new data files with their new values).
	MergeOnRead
)

// Table properties that choose a row-level change's mode.
const (
	DeleteModeKey = "write.delete.mode"
	UpdateModeKey = "write.update.mode"
)

// RowChangeOptions tune DeleteRows and UpdateRows.
type RowChangeOptions struct {
	Mode RowChangeMode
	// TargetFileSize rolls rewritten and new data files at about this
	// many bytes; 0 uses the table's write.target-file-size-bytes.
	TargetFileSize int64
	// SnapshotProperties go into the new snapshot's summary.
	SnapshotProperties map[string]string
	// Mem allocates the batches read and written; nil is the default
	// allocator.
	Mem memory.Allocator
}

func (o RowChangeOptions) mem() memory.Allocator {
	if o.Mem == nil {
		return memory.DefaultAllocator
	}
	return o.Mem
}

func (o RowChangeOptions) props() iceberg.Properties {
	p := iceberg.Properties{}
	maps.Copy(p, o.SnapshotProperties)
	return p
}

// resolveMode picks the mode: the option when set, else the table
// property key, else copy-on-write (the Iceberg default).
func resolveMode(tbl *table.Table, m RowChangeMode, key string) (RowChangeMode, error) {
	if m != TableMode {
		return m, nil
	}
	switch v := tbl.Properties().Get(key, "copy-on-write"); strings.ToLower(v) {
	case "copy-on-write":
		return CopyOnWrite, nil
	case "merge-on-read":
		return MergeOnRead, nil
	default:
		return 0, fmt.Errorf("%w: table property %s=%q: want copy-on-write or merge-on-read", errs.ErrPlan, key, v)
	}
}
