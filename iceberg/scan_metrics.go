package iceberg

import (
	"fmt"
	"strings"

	"github.com/apache/iceberg-go/table"

	"lakeframe/plan"
)

// scanMetrics are what planning one Iceberg scan found: the snapshot, the
// filter pushed into iceberg-go, what is left for rows, and how many
// manifests, data files and bytes were kept out of the total.
type scanMetrics struct {
	snapshot *table.Snapshot
	// pushed are the filters manifests, files and row groups were pruned
	// with.
	pushed []string
	// residual lists the pushed predicates the scan does not apply
	// exactly: lakeframe evaluates them on the rows read.
	residual []string
	// manifestsTotal counts the snapshot's data manifests, manifestsKept
	// those whose partition summaries could match.
	manifestsTotal, manifestsKept int
	// filesTotal is the snapshot's data file count; filesKept are those
	// planned for reading.
	filesTotal, filesKept int
	// deleteFiles are the delete files (positional, equality, deletion
	// vectors) applied to the kept files.
	deleteFiles int
	// bytes is the size of the kept data files, rows their record count
	// before deletes.
	bytes, rows int64
}

// stats are the figures as EXPLAIN and scan reports show them: files,
// bytes and rows in the standard fields, the rest as details.
func (m *scanMetrics) stats() plan.ScanStats {
	snap := "snapshot=none"
	if m.snapshot != nil {
		snap = fmt.Sprintf("snapshot=%d", m.snapshot.SnapshotID)
	}
	details := []string{
		snap,
		fmt.Sprintf("manifests=%d/%d", m.manifestsKept, m.manifestsTotal),
		fmt.Sprintf("delete_files=%d", m.deleteFiles),
	}
	if len(m.pushed) > 0 {
		details = append(details, "pushed=["+strings.Join(m.pushed, ", ")+"]")
	}
	if len(m.residual) > 0 {
		details = append(details, "residual=["+strings.Join(m.residual, ", ")+"]")
	}
	return plan.ScanStats{
		FilesTotal:   m.filesTotal,
		FilesKept:    m.filesKept,
		BytesToRead:  m.bytes,
		RowsEstimate: m.rows,
		Details:      details,
	}
}
