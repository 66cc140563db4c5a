package iceberg

import (
	"bytes"
	"fmt"
	"strconv"
	"strings"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	iceberg "github.com/apache/iceberg-go"
	"github.com/google/uuid"
)

// partitionValues computes the partition of each row of a batch in the
// file schema, with iceberg-go's transforms. Values are copied into Go
// memory, so they outlive the batch they came from.
type partitionValues struct {
	spec   iceberg.PartitionSpec
	schema *iceberg.Schema
	fields []partitionSource
}

// partitionSource is one partition field and where its source column is
// in the batch: a top-level column, then struct children.
type partitionSource struct {
	field iceberg.PartitionField
	typ   iceberg.Type
	path  []int
}

// partitionGroup is the rows of a batch in one partition.
type partitionGroup struct {
	key    string
	values partitionRecord
	rows   []int32
}

// partitionRecord holds a partition's values in spec order; it is the
// StructLike iceberg-go formats partition paths from.
type partitionRecord []any

func (r partitionRecord) Size() int          { return len(r) }
func (r partitionRecord) Get(pos int) any    { return r[pos] }
func (r partitionRecord) Set(pos int, v any) { r[pos] = v }

func newPartitionValues(spec iceberg.PartitionSpec, sc *iceberg.Schema) (*partitionValues, error) {
	p := &partitionValues{spec: spec, schema: sc}
	for _, f := range spec.Fields() {
		src, ok := sc.FindFieldByID(f.SourceID())
		if !ok {
			return nil, fmt.Errorf("partition field %s: no source column %d in the schema", f.Name, f.SourceID())
		}
		path, ok := fieldPath(sc.Fields(), f.SourceID())
		if !ok {
			return nil, fmt.Errorf("partition field %s: source column %s is inside a list or map", f.Name, src.Name)
		}
		p.fields = append(p.fields, partitionSource{field: f, typ: src.Type, path: path})
	}
	return p, nil
}

// fieldPath finds field id among fields and the struct fields below them.
func fieldPath(fields []iceberg.NestedField, id int) ([]int, bool) {
	for i, f := range fields {
		if f.ID == id {
			return []int{i}, true
		}
		if st, ok := f.Type.(*iceberg.StructType); ok {
			if rest, ok := fieldPath(st.FieldList, id); ok {
				return append([]int{i}, rest...), true
			}
		}
	}
	return nil, false
}

// groups splits rec's rows by partition, in the order partitions first
// appear.
func (p *partitionValues) groups(rec arrow.RecordBatch) ([]*partitionGroup, error) {
	n := int(rec.NumRows())
	if len(p.fields) == 0 {
		return []*partitionGroup{{rows: nil}}, nil
	}
	cols := make([]arrow.Array, len(p.fields))
	parents := make([][]*array.Struct, len(p.fields))
	for i, f := range p.fields {
		arr := rec.Column(f.path[0])
		for _, j := range f.path[1:] {
			st, ok := arr.(*array.Struct)
			if !ok {
				return nil, fmt.Errorf("partition source %s: %s is not a struct", f.field.Name, arr.DataType())
			}
			parents[i] = append(parents[i], st)
			arr = st.Field(j)
		}
		cols[i] = arr
	}
	var out []*partitionGroup
	byKey := map[string]*partitionGroup{}
	rowVals := make(partitionRecord, len(p.fields))
	var key strings.Builder
	for r := range n {
		key.Reset()
		for i, f := range p.fields {
			var v any
			if !nullAt(cols[i], parents[i], r) {
				lit, err := literalAt(cols[i], r, f.typ)
				if err != nil {
					return nil, fmt.Errorf("partition source of %s: %w", f.field.Name, err)
				}
				if out := f.field.Transform.Apply(iceberg.Optional[iceberg.Literal]{Valid: true, Val: lit}); out.Valid {
					v = out.Val.Any()
				}
			}
			rowVals[i] = v
			writeKeyPart(&key, v)
		}
		g, ok := byKey[key.String()]
		if !ok {
			g = &partitionGroup{key: key.String(), values: append(partitionRecord(nil), rowVals...)}
			byKey[g.key] = g
			out = append(out, g)
		}
		g.rows = append(g.rows, int32(r))
	}
	return out, nil
}

// valueMap is a partition's values by partition field id, as manifests
// hold them.
func (p *partitionValues) valueMap(rec partitionRecord) map[int]any {
	if len(p.fields) == 0 {
		return nil
	}
	m := make(map[int]any, len(p.fields))
	for i, f := range p.fields {
		m[f.field.FieldID] = rec[i]
	}
	return m
}

// path is a partition's directory under the data path, as iceberg-go
// names it (field=value, escaped).
func (p *partitionValues) path(rec partitionRecord) string {
	if len(p.fields) == 0 {
		return ""
	}
	return p.spec.PartitionToPath(rec, p.schema)
}

// writeKeyPart spells one partition value into a group key: NULL, the empty
// string and "null" all differ, and integers of any Go type (a writer's
// int32 day, a manifest's iceberg.Date) are spelled alike.
func writeKeyPart(b *strings.Builder, v any) {
	switch x := v.(type) {
	case nil:
		b.WriteString("n|")
	case string:
		b.WriteString("s")
		b.WriteString(strconv.Quote(x))
		b.WriteString("|")
	case []byte:
		b.WriteString("b")
		b.WriteString(strconv.Quote(string(x)))
		b.WriteString("|")
	default:
		if n, ok := asInt(v); ok {
			fmt.Fprintf(b, "i%d|", n)
			return
		}
		fmt.Fprintf(b, "%T:%v|", v, v)
	}
}

// nullAt reports whether row r of arr, or of a struct above it, is NULL.
func nullAt(arr arrow.Array, parents []*array.Struct, r int) bool {
	for _, st := range parents {
		if st.IsNull(r) {
			return true
		}
	}
	return arr.IsNull(r)
}

// literalAt is row r of arr (not NULL) as an Iceberg literal of type typ,
// copied out of the Arrow buffers.
func literalAt(arr arrow.Array, r int, typ iceberg.Type) (iceberg.Literal, error) {
	if ext, ok := arr.(array.ExtensionArray); ok {
		arr = ext.Storage()
	}
	switch a := arr.(type) {
	case *array.Boolean:
		return iceberg.BoolLiteral(a.Value(r)), nil
	case *array.Int32:
		return iceberg.Int32Literal(a.Value(r)), nil
	case *array.Int64:
		return iceberg.Int64Literal(a.Value(r)), nil
	case *array.Float32:
		return iceberg.Float32Literal(a.Value(r)), nil
	case *array.Float64:
		return iceberg.Float64Literal(a.Value(r)), nil
	case *array.Date32:
		return iceberg.DateLiteral(a.Value(r)), nil
	case *array.Time64:
		return iceberg.TimeLiteral(a.Value(r)), nil
	case *array.Timestamp:
		switch typ.(type) {
		case iceberg.TimestampNsType, iceberg.TimestampTzNsType:
			return iceberg.TimestampNsLiteral(a.Value(r)), nil
		}
		return iceberg.TimestampLiteral(a.Value(r)), nil
	case *array.String:
		return iceberg.StringLiteral(strings.Clone(a.Value(r))), nil
	case *array.LargeString:
		return iceberg.StringLiteral(strings.Clone(a.Value(r))), nil
	case *array.Binary:
		return iceberg.BinaryLiteral(bytes.Clone(a.Value(r))), nil
	case *array.LargeBinary:
		return iceberg.BinaryLiteral(bytes.Clone(a.Value(r))), nil
	case *array.FixedSizeBinary:
		if _, ok := typ.(iceberg.UUIDType); ok {
			u, err := uuid.FromBytes(a.Value(r))
			if err != nil {
				return nil, err
			}
			return iceberg.UUIDLiteral(u), nil
		}
		return iceberg.FixedLiteral(bytes.Clone(a.Value(r))), nil
	case *array.Decimal128:
		dt, ok := typ.(iceberg.DecimalType)
		if !ok {
			return nil, fmt.Errorf("decimal column of iceberg type %s", typ)
		}
		return iceberg.DecimalLiteral{Val: a.Value(r), Scale: dt.Scale()}, nil
	}
	return nil, fmt.Errorf("cannot partition by arrow type %s", arr.DataType())
}
