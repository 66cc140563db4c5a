package plan

import (
	"fmt"
	"strings"

	"github.com/apache/arrow-go/v18/arrow"

	"lakeframe/expr"
)

// Scan reads rows from a Source. The optimizer fills in the pushdowns.
type Scan struct {
	Source Source
	// Columns projected from the source, in order; nil means all.
	Columns []string
	// Filters pushed into the source, resolved against its schema.
	Filters []expr.Node
	// Limit is the number of rows needed at most; negative means all.
	Limit  int64
	schema *arrow.Schema
}

var _ Node = (*Scan)(nil)

// NewScan scans every column of src.
func NewScan(src Source) *Scan {
	return &Scan{Source: src, Limit: -1, schema: src.Schema()}
}

// WithPushdown returns the scan with new pushdowns, checking the columns.
func (s *Scan) WithPushdown(columns []string, filters []expr.Node, limit int64) (*Scan, error) {
	schema := s.Source.Schema()
	if columns != nil {
		fields := make([]arrow.Field, len(columns))
		for i, c := range columns {
			idx := schema.FieldIndices(c)
			if len(idx) == 0 {
				return nil, expr.UnknownColumnError(c, schema)
			}
			fields[i] = schema.Field(idx[0])
		}
		md := schema.Metadata()
		schema = arrow.NewSchema(fields, &md)
	}
	return &Scan{Source: s.Source, Columns: columns, Filters: filters, Limit: limit, schema: schema}, nil
}

func (s *Scan) Schema() *arrow.Schema { return s.schema }
func (s *Scan) Children() []Node      { return nil }
func (s *Scan) WithChildren(children ...Node) (Node, error) {
	if len(children) != 0 {
		return nil, fmt.Errorf("scan takes no inputs, got %d", len(children))
	}
	return s, nil
}

func (s *Scan) String() string {
	var sb strings.Builder
	fmt.Fprintf(&sb, "Scan %s: %s", s.Source.Kind(), s.Source)
	if s.Columns != nil {
		fmt.Fprintf(&sb, " columns=[%s]", strings.Join(s.Columns, ", "))
	}
	if len(s.Filters) > 0 {
		parts := make([]string, len(s.Filters))
		for i, f := range s.Filters {
			parts[i] = f.String()
		}
		fmt.Fprintf(&sb, " filters=[%s]", strings.Join(parts, ", "))
	}
	if s.Limit >= 0 {
		fmt.Fprintf(&sb, " limit=%d", s.Limit)
	}
	return sb.String()
}
