package iceberg

import (
	"fmt"

	"github.com/apache/arrow-go/v18/arrow"
	iceberg "github.com/apache/iceberg-go"

	"lakeframe/exec/sink"
)

// dataFileWriter writes one Parquet data file of a table through its
// FileIO, with lakeframe's Parquet sink, and keeps the file's Iceberg
// metrics as the rows go by.
type dataFileWriter struct {
	s         *dataFileSettings
	path      string
	partition map[int]any
	file      *sink.ParquetFile
	metrics   *fileMetrics
	lastUse   int64
}

// openDataFile creates the file at path, in partition (nil when the
// spec is unpartitioned).
func (s *dataFileSettings) openDataFile(path string, partition map[int]any) (*dataFileWriter, error) {
	out, err := s.fs.Create(path)
	if err != nil {
		return nil, fmt.Errorf("create data file %s: %w", path, err)
	}
	f, err := sink.NewParquetFile(out, s.arrow, s.parquet, s.arrowOut, s.groupBytes)
	if err != nil {
		s.remove(path)
		return nil, fmt.Errorf("write data file %s: %w", path, err)
	}
	return &dataFileWriter{s: s, path: path, partition: partition, file: f, metrics: s.metrics.newFile()}, nil
}

// write appends rec, a batch in the file schema. A failed write leaves
// the file to abort.
func (w *dataFileWriter) write(rec arrow.RecordBatch) error {
	if err := w.metrics.add(rec); err != nil {
		return fmt.Errorf("write data file %s: %w", w.path, err)
	}
	if err := w.file.Write(rec); err != nil {
		return fmt.Errorf("write data file %s: %w", w.path, err)
	}
	return nil
}

// size estimates the bytes the file holds so far.
func (w *dataFileWriter) size() int64 { return w.file.Size() }

// finish writes the footer, closes (uploads) the file and returns its
// manifest entry. On an error the file is removed.
func (w *dataFileWriter) finish() (iceberg.DataFile, error) {
	df, err := w.close()
	if err != nil {
		w.s.remove(w.path)
		return nil, fmt.Errorf("finish data file %s: %w", w.path, err)
	}
	return df, nil
}

func (w *dataFileWriter) close() (iceberg.DataFile, error) {
	footer, size, err := w.file.Close()
	if err != nil {
		return nil, err
	}
	if footer.NumRows != w.metrics.rows || w.file.Rows() != w.metrics.rows {
		return nil, fmt.Errorf("footer says %d rows, %d were written", footer.NumRows, w.metrics.rows)
	}
	b, err := iceberg.NewDataFileBuilder(w.s.spec, iceberg.EntryContentData, w.path, iceberg.ParquetFile,
		w.partition, nil, nil, w.metrics.rows, size)
	if err != nil {
		return nil, err
	}
	if err := w.metrics.build(b, footer); err != nil {
		return nil, err
	}
	// Readers split large files at these offsets, a row group per range.
	offsets := make([]int64, footer.NumRowGroups())
	for i := range offsets {
		offsets[i] = rowGroupStart(footer.RowGroup(i))
	}
	b.SplitOffsets(offsets)
	return b.Build(), nil
}

// abort closes the file unfinished and removes it.
func (w *dataFileWriter) abort() {
	_ = w.file.Abort()
	w.s.remove(w.path)
}

// remove deletes a file the write gives up, best effort: what it misses
// is unreferenced garbage FindOrphanFiles reports.
func (s *dataFileSettings) remove(path string) { _ = s.fs.Remove(path) }
