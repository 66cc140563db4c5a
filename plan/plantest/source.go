// Package plantest builds logical plans for tests: a fake Source whose
// schema and filter support a test chooses, and builders that stop the test
// when a plan does not build.
package plantest

import (
	"context"
	"fmt"
	"strconv"
	"strings"

	"github.com/apache/arrow-go/v18/arrow"

	"lakeframe/expr"
	"lakeframe/plan"
)

// Source is a table that exists only in the plan. Each column has its own
// FilterSupport; a predicate is as supported as the least supported column
// it references, and a predicate without columns is exact.
type Source struct {
	name    string
	schema  *arrow.Schema
	support map[string]plan.FilterSupport
}

var _ plan.Source = (*Source)(nil)

// NewSource makes a source from column specs of the form
// "name:type[:support[:notnull]]". Types are bool, int8, int16, int32,
// int64, uint8, uint16, uint32, uint64, float32, float64, string,
// large_string, binary, date32, date64, timestamp (microseconds, UTC) and
// decimal(p,s); support is exact, inexact or unsupported (the default).
// Columns are nullable unless marked notnull.
func NewSource(name string, cols ...string) (*Source, error) {
	fields := make([]arrow.Field, len(cols))
	support := make(map[string]plan.FilterSupport, len(cols))
	for i, spec := range cols {
		f, s, err := parseColumn(spec)
		if err != nil {
			return nil, err
		}
		fields[i] = f
		support[f.Name] = s
	}
	return &Source{name: name, schema: arrow.NewSchema(fields, nil), support: support}, nil
}

func parseColumn(spec string) (arrow.Field, plan.FilterSupport, error) {
	parts := strings.Split(spec, ":")
	if len(parts) < 2 || len(parts) > 4 || parts[0] == "" {
		return arrow.Field{}, 0, fmt.Errorf("plantest: column %q: want name:type[:support[:notnull]]", spec)
	}
	nullable := true
	if len(parts) == 4 {
		if parts[3] != "notnull" {
			return arrow.Field{}, 0, fmt.Errorf("plantest: column %q: unknown flag %q", spec, parts[3])
		}
		nullable = false
	}
	t, err := parseType(parts[1])
	if err != nil {
		return arrow.Field{}, 0, fmt.Errorf("plantest: column %q: %w", spec, err)
	}
	support := plan.FilterUnsupported
	if len(parts) >= 3 {
		switch parts[2] {
		case "exact":
			support = plan.FilterExact
		case "inexact":
			support = plan.FilterInexact
		case "unsupported":
		default:
			return arrow.Field{}, 0, fmt.Errorf("plantest: column %q: unknown filter support %q", spec, parts[2])
		}
	}
	return arrow.Field{Name: parts[0], Type: t, Nullable: nullable}, support, nil
}

var namedTypes = map[string]arrow.DataType{
	"bool":         arrow.FixedWidthTypes.Boolean,
	"int8":         arrow.PrimitiveTypes.Int8,
	"int16":        arrow.PrimitiveTypes.Int16,
	"int32":        arrow.PrimitiveTypes.Int32,
	"int64":        arrow.PrimitiveTypes.Int64,
	"uint8":        arrow.PrimitiveTypes.Uint8,
	"uint16":       arrow.PrimitiveTypes.Uint16,
	"uint32":       arrow.PrimitiveTypes.Uint32,
	"uint64":       arrow.PrimitiveTypes.Uint64,
	"float32":      arrow.PrimitiveTypes.Float32,
	"float64":      arrow.PrimitiveTypes.Float64,
	"string":       arrow.BinaryTypes.String,
	"large_string": arrow.BinaryTypes.LargeString,
	"binary":       arrow.BinaryTypes.Binary,
	"date32":       arrow.FixedWidthTypes.Date32,
	"date64":       arrow.FixedWidthTypes.Date64,
	"timestamp":    &arrow.TimestampType{Unit: arrow.Microsecond, TimeZone: "UTC"},
}

func parseType(s string) (arrow.DataType, error) {
	if t, ok := namedTypes[s]; ok {
		return t, nil
	}
	if inner, ok := strings.CutPrefix(s, "decimal("); ok {
		if inner, ok = strings.CutSuffix(inner, ")"); ok {
			p, sc, _ := strings.Cut(inner, ",")
			prec, err1 := strconv.Atoi(p)
			scale, err2 := strconv.Atoi(sc)
			if err1 == nil && err2 == nil {
				return &arrow.Decimal128Type{Precision: int32(prec), Scale: int32(scale)}, nil
			}
		}
	}
	return nil, fmt.Errorf("unknown type %q", s)
}

// Kind is "fake".
func (s *Source) Kind() string { return "fake" }

// Schema is the schema the source was made with.
func (s *Source) Schema() *arrow.Schema { return s.schema }

// String is the source's name.
func (s *Source) String() string { return s.name }

// SupportsFilter returns the least support among the columns pred
// references.
func (s *Source) SupportsFilter(pred expr.Node) plan.FilterSupport {
	out := plan.FilterExact
	for _, c := range expr.Columns(pred) {
		out = min(out, s.support[c])
	}
	return out
}

// Plan returns one task that stands for the whole table.
func (s *Source) Plan(_ context.Context, p plan.Pushdown) (*plan.ScanPlan, error) {
	return &plan.ScanPlan{Tasks: []plan.Task{task{name: s.name}}}, nil
}

type task struct{ name string }

func (t task) String() string        { return t.name }
func (t task) EstimatedBytes() int64 { return 0 }
