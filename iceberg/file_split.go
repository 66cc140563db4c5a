package iceberg

import (
	"github.com/apache/arrow-go/v18/parquet/metadata"
	"github.com/apache/iceberg-go/table"
)

// split cuts a data file larger than the smallest task into one byte
// range per row group, at its split offsets (the row-group starts its
// writer recorded), so that pack can balance tasks across cores by row
// groups as the Parquet source does. The ranges cover the whole file, from
// 0 to its size, so that every row group starts in exactly one of them,
// even where recorded offsets are off.
func (s *Source) split(t table.FileScanTask) []table.FileScanTask {
	size := t.File.FileSizeBytes()
	offsets := t.File.SplitOffsets()
	if size <= min(minTaskBytes, s.taskBytes()) || len(offsets) < 2 {
		return []table.FileScanTask{t}
	}
	for i, off := range offsets {
		if off < 0 || off >= size || i > 0 && off <= offsets[i-1] {
			return []table.FileScanTask{t} // offsets that make no sense
		}
	}
	var out []table.FileScanTask
	start := int64(0)
	for _, off := range offsets[1:] {
		r := t
		r.Start, r.Length = start, off-start
		out = append(out, r)
		start = off
	}
	r := t
	r.Start, r.Length = start, size-start
	return append(out, r)
}

// rowGroupStart is the file offset of a row group's first page, which
// split offsets and task ranges refer to.
func rowGroupStart(rg *metadata.RowGroupMetaData) int64 {
	start := int64(-1)
	for c := range rg.NumColumns() {
		cc, err := rg.ColumnChunk(c)
		if err != nil {
			continue
		}
		off := cc.DataPageOffset()
		if cc.HasDictionaryPage() && cc.DictionaryPageOffset() > 0 && cc.DictionaryPageOffset() < off {
			off = cc.DictionaryPageOffset()
		}
		if start < 0 || off < start {
			start = off
		}
	}
	return start
}
