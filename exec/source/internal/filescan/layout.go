// Package filescan holds what the file-format sources share: listing the
// files and their hive partitions, the layout of file columns followed by
// partition columns, projection onto it, filter support and partition
// pruning, one-file tasks, and the state of a stream (limit, batch size,
// constant partition columns, assembling batches).
package filescan

import (
	"fmt"

	"github.com/apache/arrow-go/v18/arrow"

	"lakeframe/errs"
	"lakeframe/expr"
)

// Layout is the schema of a file source: the columns stored in the files,
// followed by the hive partition columns.
type Layout struct {
	Schema   *arrow.Schema
	NumFile  int
	NumParts int
}

// NewLayout appends the partition columns to the file columns. A partition
// key that is also a file column is an error naming the file.
func NewLayout(fileSchema *arrow.Schema, parts []arrow.Field, firstFile string) (*Layout, error) {
	fields := append([]arrow.Field(nil), fileSchema.Fields()...)
	for _, p := range parts {
		if len(fileSchema.FieldIndices(p.Name)) > 0 {
			return nil, fmt.Errorf("%w: partition key %q is also a column of %s", errs.ErrPlan, p.Name, firstFile)
		}
		fields = append(fields, p)
	}
	return &Layout{Schema: arrow.NewSchema(fields, nil), NumFile: fileSchema.NumFields(), NumParts: len(parts)}, nil
}

// Column is one output column of a projected scan: file column Index of
// the file schema, or partition column Index.
type Column struct {
	Name      string
	Partition bool
	Index     int
}

// Project maps the columns a scan asks for (nil: all) onto the layout and
// returns them with the output schema.
func (l *Layout) Project(cols []string) ([]Column, *arrow.Schema, error) {
	if cols == nil {
		cols = make([]string, l.Schema.NumFields())
		for i, f := range l.Schema.Fields() {
			cols[i] = f.Name
		}
	}
	out := make([]Column, len(cols))
	fields := make([]arrow.Field, len(cols))
	for i, name := range cols {
		idx := l.Schema.FieldIndices(name)
		if len(idx) == 0 {
			return nil, nil, expr.UnknownColumnError(name, l.Schema)
		}
		j := idx[0]
		fields[i] = l.Schema.Field(j)
		if j >= l.NumFile {
			out[i] = Column{Name: name, Partition: true, Index: j - l.NumFile}
		} else {
			out[i] = Column{Name: name, Index: j}
		}
	}
	return out, arrow.NewSchema(fields, nil), nil
}

// FileColumns returns the distinct file-column indexes of a projection in
// order of first use.
func FileColumns(cols []Column) []int {
	var out []int
	seen := map[int]bool{}
	for _, c := range cols {
		if !c.Partition && !seen[c.Index] {
			seen[c.Index] = true
			out = append(out, c.Index)
		}
	}
	return out
}
