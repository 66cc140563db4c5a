package iceberg

import (
	"fmt"
	"slices"
	"strings"

	iceberg "github.com/apache/iceberg-go"
)

// partitionsOverwritten returns the live data and delete files that a
// dynamic partition overwrite with files replaces: those in the same
// partition spec with the same partition values as one of files. Delete
// files of a replaced partition only apply to its replaced data files.
// An unpartitioned table is one partition, replaced whole.
func partitionsOverwritten(files, data, deletes []iceberg.DataFile) (oldData, oldDeletes []iceberg.DataFile) {
	keys := map[string]bool{}
	for _, f := range files {
		keys[partitionKey(f)] = true
	}
	for _, f := range data {
		if keys[partitionKey(f)] {
			oldData = append(oldData, f)
		}
	}
	for _, f := range deletes {
		if keys[partitionKey(f)] {
			oldDeletes = append(oldDeletes, f)
		}
	}
	return oldData, oldDeletes
}

// partitionKey identifies a file's partition: its spec and its partition
// values, spelled by writeKeyPart.
func partitionKey(f iceberg.DataFile) string {
	part := f.Partition()
	ids := make([]int, 0, len(part))
	for id := range part {
		ids = append(ids, id)
	}
	slices.Sort(ids)
	var sb strings.Builder
	fmt.Fprintf(&sb, "%d", f.SpecID())
	for _, id := range ids {
		fmt.Fprintf(&sb, "|%d:", id)
		writeKeyPart(&sb, part[id])
	}
	return sb.String()
}
