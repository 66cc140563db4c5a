package iceberg

import "time"

// ScanOptions select what a Source reads. At most one of SnapshotID,
// AsOf and Ref may be set; none reads the current snapshot.
type ScanOptions struct {
	// SnapshotID reads that snapshot, with the schema it was written with.
	SnapshotID *int64
	// AsOf reads the latest snapshot committed at or before this time.
	AsOf *time.Time
	// Ref reads a branch (with the table's current schema) or a tag (with
	// its snapshot's schema).
	Ref string
	// TaskBytes is the most bytes one task reads when it combines small
	// files; larger files are split at row groups into pieces about this
	// size. 0 means 64 MiB.
	TaskBytes int64
	// CacheDir, when set, reads data files in object storage (s3://)
	// through the block cache there (see files.BlockCache); empty means
	// LAKEFRAME_S3_CACHE_DIR, and without it nothing is cached. Data files
	// never change once written, so their blocks are never stale.
	CacheDir string
	// CacheMaxBytes bounds that cache; 0 means
	// LAKEFRAME_S3_CACHE_MAX_BYTES, else 8 GiB.
	CacheMaxBytes int64
}

const (
	defaultTaskBytes = 64 << 20
	// manifestReaders bounds the manifests read at once while planning.
	manifestReaders = 8
	// minTaskBytes keeps tasks from getting so small that per-task costs
	// (opening files, reading delete files) dominate.
	minTaskBytes = 4 << 20
)
