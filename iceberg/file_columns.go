package iceberg

import (
	"fmt"

	"github.com/apache/arrow-go/v18/parquet/metadata"
	iceberg "github.com/apache/iceberg-go"
	"github.com/apache/iceberg-go/table"
)

// fileColumns finds a table's columns among a data file's top-level
// fields: by field id when the file has them, otherwise through the
// table's name mapping (schema.name-mapping.default). A file with neither
// cannot be read: names alone may match the wrong column after renames.
type fileColumns struct {
	byID    map[int]int
	byName  map[string]int
	mapping map[int][]string // field id -> names, from the name mapping
}

func (s *Source) fileColumns(meta *metadata.FileMetaData) (*fileColumns, error) {
	root := meta.Schema.Root()
	fc := &fileColumns{byID: map[int]int{}, byName: map[string]int{}}
	for i := range root.NumFields() {
		f := root.Field(i)
		if id := f.FieldID(); id >= 0 {
			fc.byID[int(id)] = i
		}
		fc.byName[f.Name()] = i
	}
	if len(fc.byID) == 0 {
		nm := s.tbl.Metadata().NameMapping()
		if nm == nil {
			return nil, fmt.Errorf("its columns have no field ids (field_id) and table %s has no name mapping (%s)",
				name(s.tbl), table.DefaultNameMappingKey)
		}
		fc.mapping = map[int][]string{}
		for _, m := range nm {
			if id := m.ID(); id >= 0 {
				fc.mapping[id] = m.Names
			}
		}
	}
	return fc, nil
}

// find returns the manifest field index holding field, false when the
// file does not have it.
func (fc *fileColumns) find(field iceberg.NestedField) (int, bool) {
	if len(fc.byID) > 0 {
		i, ok := fc.byID[field.ID]
		return i, ok
	}
	for _, n := range fc.mapping[field.ID] {
		if i, ok := fc.byName[n]; ok {
			return i, true
		}
	}
	return 0, false
}

// findID is find for a field known only by id and name.
func (fc *fileColumns) findID(id int, name string) (int, bool) {
	return fc.find(iceberg.NestedField{ID: id, Name: name})
}
