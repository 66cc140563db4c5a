package iceberg

import (
	"github.com/apache/arrow-go/v18/arrow"
	iceberg "github.com/apache/iceberg-go"
	iceio "github.com/apache/iceberg-go/io"
	"github.com/apache/iceberg-go/table"
	"io"
)

// arrowSchema converts an Iceberg schema to the Arrow schema lakeframe
// shows: iceberg-go's conversion, with uuid columns as text (lakeframe
// has no uuid type; text compares and prints as users expect).
func arrowSchema(sc *iceberg.Schema) (*arrow.Schema, error) {
	as, err := table.SchemaToArrowSchema(sc, nil, false, false)
	if err != nil {
		return nil, err
	}
	fields := as.Fields()
	for i, f := range fields {
		if isUUID(f.Type) {
			fields[i] = arrow.Field{Name: f.Name, Type: arrow.BinaryTypes.String, Nullable: f.Nullable}
		} else {
			fields[i] = arrow.Field{Name: f.Name, Type: f.Type, Nullable: f.Nullable}
		}
	}
	return arrow.NewSchema(fields, nil), nil
}

func isUUID(t arrow.DataType) bool {
	ext, ok := t.(arrow.ExtensionType)
	return ok && ext.ExtensionName() == "arrow.uuid"
}

func readAll(fs iceio.IO, name string) ([]byte, error) {
	f, err := fs.Open(name)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	return io.ReadAll(f)
}
