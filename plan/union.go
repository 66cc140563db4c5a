package plan

import (
	"fmt"
	"strings"

	"github.com/apache/arrow-go/v18/arrow"

	"lakeframe/errs"
)

// Union passes the rows of every input, one after another, duplicates
// kept (SQL's UNION ALL). Its inputs have the same column names and types
// in the same order: whoever builds a union lines them up first (frame
// does, by position or by name, casting to common types), so rules can
// move filters and projections into each input unchanged. A column of the
// output may be NULL when it may be in any input.
type Union struct {
	Inputs []Node
	schema *arrow.Schema
}

var _ Node = (*Union)(nil)

// NewUnion checks that the inputs line up and derives the output schema.
func NewUnion(inputs ...Node) (*Union, error) {
	if len(inputs) < 2 {
		return nil, fmt.Errorf("%w: a union needs at least two inputs, got %d", errs.ErrPlan, len(inputs))
	}
	first := inputs[0].Schema()
	fields := append([]arrow.Field(nil), first.Fields()...)
	for i, in := range inputs[1:] {
		s := in.Schema()
		if s.NumFields() != first.NumFields() {
			return nil, fmt.Errorf("%w: union input %d has %d columns (%s), the first has %d (%s)",
				errs.ErrPlan, i+2, s.NumFields(), columnList(s), first.NumFields(), columnList(first))
		}
		for c, f := range s.Fields() {
			if f.Name != fields[c].Name || !arrow.TypeEqual(f.Type, fields[c].Type) {
				return nil, fmt.Errorf("%w: union input %d column %d is %s %s, the first input's is %s %s",
					errs.ErrPlan, i+2, c+1, f.Name, f.Type, fields[c].Name, fields[c].Type)
			}
			fields[c].Nullable = fields[c].Nullable || f.Nullable
			fields[c].Metadata = arrow.Metadata{}
		}
	}
	return &Union{Inputs: inputs, schema: arrow.NewSchema(fields, nil)}, nil
}

func columnList(s *arrow.Schema) string { return strings.Join(ColumnNames(s), ", ") }

// ColumnNames lists a schema's column names in order.
func ColumnNames(s *arrow.Schema) []string {
	names := make([]string, s.NumFields())
	for i, f := range s.Fields() {
		names[i] = f.Name
	}
	return names
}

func (u *Union) Schema() *arrow.Schema { return u.schema }
func (u *Union) Children() []Node      { return u.Inputs }
func (u *Union) WithChildren(children ...Node) (Node, error) {
	if len(children) != len(u.Inputs) {
		return nil, fmt.Errorf("%w: union of %d inputs given %d", errs.ErrInternal, len(u.Inputs), len(children))
	}
	return NewUnion(children...)
}
func (u *Union) String() string { return fmt.Sprintf("Union inputs=%d", len(u.Inputs)) }
