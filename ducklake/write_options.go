package ducklake

import (
	"github.com/apache/arrow-go/v18/arrow/memory"
)

// WriteMode says what a write does to the rows a table already has.
type WriteMode int

const (
	// Append adds the rows; a table that does not exist is created.
	Append WriteMode = iota
	// Overwrite replaces all the table's rows with the written ones (a
	// table that does not exist is created).
	Overwrite
)

func (m WriteMode) String() string {
	if m == Overwrite {
		return "overwrite"
	}
	return "append"
}

// WriteOptions tune writes, deletes and updates.
type WriteOptions struct {
	Mode WriteMode
	// TargetFileSize rolls data files at about this many bytes; 0 means
	// 64 MiB.
	TargetFileSize int64
	// MaxRetries bounds how often a commit that lost to another writer is
	// tried again on the new latest snapshot; 0 means 20.
	MaxRetries int
	// PartitionBy partitions a table the write creates. For an existing
	// table it must be empty or the table's own partitioning.
	PartitionBy []PartitionKey
	// Author and CommitMessage go into ducklake_snapshot_changes, in
	// catalogs that have those columns.
	Author, CommitMessage string
	// Mem allocates the batches written and read; nil is the default.
	Mem memory.Allocator
}

const (
	defaultTargetFileSize = 64 << 20
	defaultMaxRetries     = 20
	// rowGroupRows is DuckDB's row group size, so that DuckDB reads the
	// files with its usual parallelism.
	rowGroupRows = 122880
)

func (o WriteOptions) mem() memory.Allocator {
	if o.Mem == nil {
		return memory.DefaultAllocator
	}
	return o.Mem
}

func (o WriteOptions) targetFileSize() int64 {
	if o.TargetFileSize <= 0 {
		return defaultTargetFileSize
	}
	return o.TargetFileSize
}

func (o WriteOptions) maxRetries() int {
	if o.MaxRetries <= 0 {
		return defaultMaxRetries
	}
	return o.MaxRetries
}
