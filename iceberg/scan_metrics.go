package iceberg

import (
	"fmt"
	"strings"
)

// ScanMetrics are what planning one Iceberg scan found: the snapshot, the
// filter pushed into iceberg-go, what lakeframe still checks on rows, and
// how many manifests and files were kept out of the total.
type ScanMetrics struct {
	SnapshotID int64
	// Pushed is the iceberg-go filter manifests and files were pruned
	// with; empty when nothing was pushed.
	Pushed string
	// Residual lists the predicates no pruning could apply; lakeframe
	// evaluates every pushed predicate on rows again as well.
	Residual []string
	// DataManifestsTotal/Kept count the snapshot's data manifests and
	// those whose partition summaries could match.
	DataManifestsTotal, DataManifestsKept int
	// DataFilesTotal is the snapshot's data file count; DataFilesKept are
	// those planned for reading.
	DataFilesTotal, DataFilesKept int
	// DeleteFiles are the delete files (positional, equality, deletion
	// vectors) applied to the kept files.
	DeleteFiles int
	// BytesToRead is the size of the kept data files.
	BytesToRead int64
	// Tasks is the number of lakeframe tasks the files were packed into.
	Tasks int
}

// String is the one-line EXPLAIN form.
func (m *ScanMetrics) String() string {
	var sb strings.Builder
	fmt.Fprintf(&sb, "manifests=%d/%d data_files=%d/%d delete_files=%d bytes=%d",
		m.DataManifestsKept, m.DataManifestsTotal, m.DataFilesKept, m.DataFilesTotal, m.DeleteFiles, m.BytesToRead)
	if m.Pushed != "" {
		fmt.Fprintf(&sb, " pushed=[%s]", m.Pushed)
	}
	if len(m.Residual) > 0 {
		fmt.Fprintf(&sb, " residual=[%s]", strings.Join(m.Residual, ", "))
	}
	return sb.String()
}
