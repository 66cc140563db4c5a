package tpchgen

import (
	"fmt"
	"path/filepath"
)

// SuccessFile is the marker Generate writes into the output directory once
// every requested table is complete. It holds "sf=<scale factor>" and
// "tables=<comma-separated names>" lines.
const SuccessFile = "_SUCCESS"

// lockFile serializes Generate calls on one directory, across processes.
const lockFile = ".lock"

// tmpPrefix starts the names of directories a table is written into before
// it is complete. Readers globbing <dir>/<table>/*.parquet never see them.
const tmpPrefix = ".tmp-"

// Glob returns the pattern matching table's Parquet files under dir.
func Glob(dir, table string) string {
	return filepath.Join(dir, table, "*.parquet")
}

func partName(i int) string { return fmt.Sprintf("part-%d.parquet", i) }

// rowsPerFile picks how many rows each of a table's files gets: the
// fewest files of at most maxRows rows, equal in size rounded up to whole
// row groups so that only a file's last row group is short.
func rowsPerFile(expected, maxRows, rowGroup int64) int64 {
	if rowGroup > maxRows {
		rowGroup = 1
	}
	for n := max(ceilDiv(expected, maxRows), 1); ; n++ {
		per := ceilDiv(ceilDiv(expected, n), rowGroup) * rowGroup
		if per <= maxRows {
			return max(per, 1)
		}
	}
}

func ceilDiv(a, b int64) int64 { return (a + b - 1) / b }
