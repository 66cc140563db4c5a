package iceberg

import (
	iceberg "github.com/apache/iceberg-go"
	"github.com/apache/iceberg-go/table"
)

// filePathFieldID is the field id of a positional delete file's file_path
// column, whose bounds name the one data file a delete file may target.
const filePathFieldID = 2147483546

// deleteIndex matches delete files to the data files they apply to, by the
// spec's rules: a positional delete file (or deletion vector) applies to a
// data file of the same partition whose data sequence number is not
// larger than its own; an equality delete file to data files with a
// strictly smaller sequence number, of its partition, or of every
// partition when its spec is unpartitioned.
type deleteIndex struct {
	loc *locations
	// byPartition holds the partition-scoped deletes by spec and values.
	byPartition map[string][]indexedDelete
	// global are equality deletes of unpartitioned specs.
	global []indexedDelete
}

type indexedDelete struct {
	file iceberg.DataFile
	seq  int64
	// target is the one data file a positional delete file names, when its
	// metadata says so ("" when it may name several).
	target string
	eq, dv bool
}

func (s *Source) newDeleteIndex(entries []iceberg.ManifestEntry) *deleteIndex {
	idx := &deleteIndex{loc: s.tio.locations(), byPartition: map[string][]indexedDelete{}}
	meta := s.tbl.Metadata()
	for _, e := range entries {
		df := e.DataFile()
		d := indexedDelete{file: df, seq: e.SequenceNum()}
		switch df.ContentType() {
		case iceberg.EntryContentEqDeletes:
			d.eq = true
			if spec := meta.PartitionSpecByID(int(df.SpecID())); spec == nil || spec.IsUnpartitioned() {
				idx.global = append(idx.global, d)
				continue
			}
		case iceberg.EntryContentPosDeletes:
			d.dv = df.FileFormat() == iceberg.PuffinFile
			d.target = idx.resolve(positionTarget(df))
		default:
			continue
		}
		key := partitionKey(df)
		idx.byPartition[key] = append(idx.byPartition[key], d)
	}
	return idx
}

// positionTarget is the data file a positional delete file applies to
// alone, when its metadata names one.
func positionTarget(df iceberg.DataFile) string {
	if ref := df.ReferencedDataFile(); ref != nil {
		return *ref
	}
	lo, lok := df.LowerBoundValues()[filePathFieldID]
	hi, hok := df.UpperBoundValues()[filePathFieldID]
	if lok && hok && len(lo) > 0 && string(lo) == string(hi) {
		return string(lo)
	}
	return ""
}

func (idx *deleteIndex) resolve(path string) string {
	if idx.loc == nil || path == "" {
		return path
	}
	return idx.loc.resolve(path)
}

// task is the scan task of a whole data file with its delete files.
func (idx *deleteIndex) task(f plannedFile) table.FileScanTask {
	t := table.FileScanTask{File: f.file, Start: 0, Length: f.file.FileSizeBytes()}
	path := ""
	add := func(d *indexedDelete) {
		switch {
		case d.eq:
			if d.seq > f.seq {
				t.EqualityDeleteFiles = append(t.EqualityDeleteFiles, d.file)
			}
		case d.seq >= f.seq:
			if d.target != "" {
				if path == "" {
					path = idx.resolve(f.file.FilePath())
				}
				if d.target != path && d.target != f.file.FilePath() {
					return
				}
			}
			if d.dv {
				t.DeletionVectorFiles = append(t.DeletionVectorFiles, d.file)
			} else {
				t.DeleteFiles = append(t.DeleteFiles, d.file)
			}
		}
	}
	for i := range idx.global {
		add(&idx.global[i])
	}
	if ds := idx.byPartition[partitionKey(f.file)]; len(ds) > 0 {
		for i := range ds {
			add(&ds[i])
		}
	}
	return t
}
