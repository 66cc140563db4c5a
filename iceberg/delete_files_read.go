package iceberg

import (
	"context"
	"fmt"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"
	"github.com/apache/arrow-go/v18/parquet"
	"github.com/apache/arrow-go/v18/parquet/file"
	"github.com/apache/arrow-go/v18/parquet/pqarrow"
)

// readPositionDeletes reads a positional delete file into data file path
// -> deleted positions, as the delete file spells the paths.
func readPositionDeletes(ctx context.Context, tio *tableIO, path string, mem memory.Allocator) (map[string][]int64, error) {
	f, err := tio.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	rdr, err := file.NewParquetReader(f, file.WithReadProps(parquet.NewReaderProperties(mem)))
	if err != nil {
		return nil, err
	}
	defer rdr.Close()
	sc := rdr.MetaData().Schema
	pathCol, posCol := sc.ColumnIndexByName("file_path"), sc.ColumnIndexByName("pos")
	if pathCol < 0 || posCol < 0 {
		return nil, fmt.Errorf("no file_path or pos column")
	}
	fr, err := pqarrow.NewFileReader(rdr, pqarrow.ArrowReadProperties{BatchSize: 64 << 10}, mem)
	if err != nil {
		return nil, err
	}
	rr, err := fr.GetRecordReader(ctx, []int{pathCol, posCol}, nil)
	if err != nil {
		return nil, err
	}
	defer rr.Release()
	out := map[string][]int64{}
	for rr.Next() {
		rec := rr.RecordBatch()
		paths, pos := rec.Column(0), rec.Column(1)
		p, ok := pos.(*array.Int64)
		if !ok {
			return nil, fmt.Errorf("pos column is %s, not int64", pos.DataType())
		}
		for i := 0; i < int(rec.NumRows()); i++ {
			if paths.IsNull(i) || p.IsNull(i) {
				continue
			}
			s := stringValue(paths, i)
			out[s] = append(out[s], p.Value(i))
		}
	}
	if err := rr.Err(); err != nil {
		return nil, err
	}
	return out, nil
}

func stringValue(a arrow.Array, i int) string {
	switch x := a.(type) {
	case *array.String:
		return x.Value(i)
	case *array.LargeString:
		return x.Value(i)
	case *array.Binary:
		return string(x.Value(i))
	case *array.LargeBinary:
		return string(x.Value(i))
	}
	return a.ValueStr(i)
}
