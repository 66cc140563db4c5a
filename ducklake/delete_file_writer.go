package ducklake

import (
	"path/filepath"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"
	"github.com/google/uuid"
)

// deleteFileSchema is the specification's delete file: the data file's
// path and the deleted row positions, in increasing order.
var deleteFileSchema = arrow.NewSchema([]arrow.Field{
	{Name: "file_path", Type: arrow.BinaryTypes.String},
	{Name: "pos", Type: arrow.PrimitiveTypes.Int64},
}, nil)

// writeDeleteFile writes the positions deleted from the data file at
// dataPath into a new delete file in dir. positions are sorted and
// distinct; they hold every position deleted from the file so far, since
// a data file has at most one live delete file.
func writeDeleteFile(dir, dataPath string, dataFileID int64, positions []int64, mem memory.Allocator) (*writtenFile, error) {
	name := "ducklake-" + uuid.Must(uuid.NewV7()).String() + "-delete.parquet"
	f := &writtenFile{name: name, path: filepath.Join(dir, name), dataFileID: dataFileID}
	pathB := array.NewStringBuilder(mem)
	defer pathB.Release()
	posB := array.NewInt64Builder(mem)
	defer posB.Release()
	pathB.Reserve(len(positions))
	for range positions {
		pathB.Append(dataPath)
	}
	posB.AppendValues(positions, nil)
	paths, pos := pathB.NewArray(), posB.NewArray()
	defer paths.Release()
	defer pos.Release()
	rec := array.NewRecordBatch(deleteFileSchema, []arrow.Array{paths, pos}, int64(len(positions)))
	defer rec.Release()
	pf, err := createParquet(f.path, deleteFileSchema, mem)
	if err != nil {
		return nil, err
	}
	if err := pf.Write(rec); err != nil {
		_ = pf.Abort()
		removeFiles([]*writtenFile{f})
		return nil, err
	}
	f.rows = rec.NumRows()
	if err := closeParquet(pf, f); err != nil {
		removeFiles([]*writtenFile{f})
		return nil, err
	}
	return f, nil
}
