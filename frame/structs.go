package frame

import (
	"context"
	"fmt"
	"reflect"
	"strings"
	"time"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"

	"lakeframe/errs"
	"lakeframe/plan"
)

// structTag names the column a struct field maps to; "-" leaves the field
// out.
const structTag = "lakeframe"

// structField is one exported struct field and the column it maps to.
type structField struct {
	index  []int
	column string
	typ    reflect.Type
}

// structFields lists the fields of struct type t that map to columns: a
// field's column is its tag's name, else the field's name.
func structFields(t reflect.Type) ([]structField, error) {
	if t.Kind() != reflect.Struct {
		return nil, fmt.Errorf("%w: want a struct type, got %s", errs.ErrPlan, t)
	}
	var out []structField
	for _, f := range reflect.VisibleFields(t) {
		if !f.IsExported() || f.Anonymous {
			continue
		}
		name := f.Name
		if tag, ok := f.Tag.Lookup(structTag); ok {
			tag, _, _ = strings.Cut(tag, ",")
			if tag == "-" {
				continue
			}
			if tag != "" {
				name = tag
			}
		}
		out = append(out, structField{index: f.Index, column: name, typ: f.Type})
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("%w: struct %s has no exported field", errs.ErrPlan, t)
	}
	return out, nil
}

// CollectAs runs the query and returns its rows as values of struct type T.
// Each exported field takes the column named by its `lakeframe:"name"` tag,
// else the column of its own name, else the one whose name equals it but
// for case; columns no field asks for are ignored, and a field with no
// column is an error. Integers, floats, strings, []byte, bool and
// time.Time (from dates and timestamps) convert to fields of those kinds
// that hold every value; a NULL needs a pointer field, which it leaves nil.
func CollectAs[T any](ctx context.Context, df *DataFrame, opts ...Option) ([]T, error) {
	fields, err := structFields(reflect.TypeFor[T]())
	if err != nil {
		return nil, err
	}
	schema, err := df.Schema()
	if err != nil {
		return nil, err
	}
	setters := make([]cellSetter, len(fields))
	cols := make([]int, len(fields))
	for i, f := range fields {
		if cols[i], err = columnFor(schema, f); err != nil {
			return nil, err
		}
		if setters[i], err = newCellSetter(schema.Field(cols[i]), f); err != nil {
			return nil, err
		}
	}
	var out []T
	for rec, err := range df.Iter(ctx, opts...) {
		if err != nil {
			return nil, err
		}
		start := len(out)
		out = append(out, make([]T, rec.NumRows())...)
		for i, set := range setters {
			col := rec.Column(cols[i])
			for r := range int(rec.NumRows()) {
				dst := reflect.ValueOf(&out[start+r]).Elem().FieldByIndex(fields[i].index)
				if err := set(dst, col, r); err != nil {
					return nil, fmt.Errorf("collect as %s: row %d: %w", reflect.TypeFor[T](), start+r+1, err)
				}
			}
		}
	}
	return out, nil
}

func columnFor(schema *arrow.Schema, f structField) (int, error) {
	if idx := schema.FieldIndices(f.column); len(idx) == 1 {
		return idx[0], nil
	}
	match := -1
	for i, sf := range schema.Fields() {
		if strings.EqualFold(sf.Name, f.column) {
			if match >= 0 {
				return 0, fmt.Errorf("%w: field %s matches columns %q and %q but for case; tag it with the one it means",
					errs.ErrPlan, f.column, schema.Field(match).Name, sf.Name)
			}
			match = i
		}
	}
	if match < 0 {
		return 0, fmt.Errorf("%w: no column for field %s; the columns are %s", errs.ErrPlan, f.column, strings.Join(plan.ColumnNames(schema), ", "))
	}
	return match, nil
}

// cellSetter stores row r of col in dst.
type cellSetter func(dst reflect.Value, col arrow.Array, r int) error

func newCellSetter(col arrow.Field, f structField) (cellSetter, error) {
	t := f.typ
	pointer := t.Kind() == reflect.Pointer
	if pointer {
		t = t.Elem()
	}
	get, err := cellGetter(col.Type, t)
	if err != nil {
		return nil, fmt.Errorf("%w: column %s of type %s cannot go into field %s of type %s: %w", errs.ErrPlan, col.Name, col.Type, f.column, f.typ, err)
	}
	return func(dst reflect.Value, a arrow.Array, r int) error {
		if a.IsNull(r) {
			if !pointer {
				return fmt.Errorf("column %s is NULL and field %s of type %s cannot hold it; make it a pointer", col.Name, f.column, f.typ)
			}
			return nil
		}
		v := get(a, r)
		if pointer {
			p := reflect.New(t)
			p.Elem().Set(v)
			dst.Set(p)
			return nil
		}
		dst.Set(v)
		return nil
	}, nil
}

// cellGetter reads a non-NULL cell of Arrow type at as a value of Go type t,
// or says why it cannot without losing values.
func cellGetter(at arrow.DataType, t reflect.Type) (func(arrow.Array, int) reflect.Value, error) {
	conv := func(get func(arrow.Array, int) reflect.Value) func(arrow.Array, int) reflect.Value {
		return func(a arrow.Array, r int) reflect.Value { return get(a, r).Convert(t) }
	}
	switch t.Kind() {
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		if t == reflect.TypeFor[time.Duration]() {
			break
		}
		if bits, ok := signedBits(at); ok && bits <= t.Bits() {
			return conv(func(a arrow.Array, r int) reflect.Value { return reflect.ValueOf(signedValue(a, r)) }), nil
		}
		if bits, ok := unsignedBits(at); ok && bits < t.Bits() {
			return conv(func(a arrow.Array, r int) reflect.Value { return reflect.ValueOf(unsignedValue(a, r)) }), nil
		}
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		if bits, ok := unsignedBits(at); ok && bits <= t.Bits() {
			return conv(func(a arrow.Array, r int) reflect.Value { return reflect.ValueOf(unsignedValue(a, r)) }), nil
		}
	case reflect.Float32, reflect.Float64:
		switch at.ID() {
		case arrow.FLOAT64:
			if t.Kind() == reflect.Float64 {
				return conv(func(a arrow.Array, r int) reflect.Value { return reflect.ValueOf(a.(*array.Float64).Value(r)) }), nil
			}
		case arrow.FLOAT32:
			return conv(func(a arrow.Array, r int) reflect.Value { return reflect.ValueOf(a.(*array.Float32).Value(r)) }), nil
		}
	case reflect.String:
		switch at.ID() {
		case arrow.STRING:
			return conv(func(a arrow.Array, r int) reflect.Value { return reflect.ValueOf(a.(*array.String).Value(r)) }), nil
		case arrow.LARGE_STRING:
			return conv(func(a arrow.Array, r int) reflect.Value { return reflect.ValueOf(a.(*array.LargeString).Value(r)) }), nil
		case arrow.DECIMAL128, arrow.DECIMAL256:
			// Exact decimals have no Go type of their own; their text keeps
			// every digit.
			return conv(func(a arrow.Array, r int) reflect.Value { return reflect.ValueOf(a.ValueStr(r)) }), nil
		}
	case reflect.Bool:
		if at.ID() == arrow.BOOL {
			return conv(func(a arrow.Array, r int) reflect.Value { return reflect.ValueOf(a.(*array.Boolean).Value(r)) }), nil
		}
	case reflect.Slice:
		if t.Elem().Kind() == reflect.Uint8 {
			switch at.ID() {
			case arrow.BINARY:
				return conv(func(a arrow.Array, r int) reflect.Value {
					return reflect.ValueOf(bytesCopy(a.(*array.Binary).Value(r)))
				}), nil
			case arrow.LARGE_BINARY:
				return conv(func(a arrow.Array, r int) reflect.Value {
					return reflect.ValueOf(bytesCopy(a.(*array.LargeBinary).Value(r)))
				}), nil
			}
		}
	case reflect.Struct:
		if t != reflect.TypeFor[time.Time]() {
			break
		}
		switch x := at.(type) {
		case *arrow.Date32Type:
			return func(a arrow.Array, r int) reflect.Value {
				return reflect.ValueOf(a.(*array.Date32).Value(r).ToTime())
			}, nil
		case *arrow.Date64Type:
			return func(a arrow.Array, r int) reflect.Value {
				return reflect.ValueOf(a.(*array.Date64).Value(r).ToTime())
			}, nil
		case *arrow.TimestampType:
			return func(a arrow.Array, r int) reflect.Value {
				return reflect.ValueOf(a.(*array.Timestamp).Value(r).ToTime(x.Unit))
			}, nil
		}
	}
	return nil, fmt.Errorf("no lossless conversion")
}

// bytesCopy copies b out of the Arrow buffer; an empty value stays non-nil,
// since nil is how a NULL reads.
func bytesCopy(b []byte) []byte {
	out := make([]byte, len(b))
	copy(out, b)
	return out
}

func signedBits(t arrow.DataType) (int, bool) {
	switch t.ID() {
	case arrow.INT8:
		return 8, true
	case arrow.INT16:
		return 16, true
	case arrow.INT32:
		return 32, true
	case arrow.INT64:
		return 64, true
	}
	return 0, false
}

func unsignedBits(t arrow.DataType) (int, bool) {
	switch t.ID() {
	case arrow.UINT8:
		return 8, true
	case arrow.UINT16:
		return 16, true
	case arrow.UINT32:
		return 32, true
	case arrow.UINT64:
		return 64, true
	}
	return 0, false
}

func signedValue(a arrow.Array, r int) int64 {
	switch x := a.(type) {
	case *array.Int8:
		return int64(x.Value(r))
	case *array.Int16:
		return int64(x.Value(r))
	case *array.Int32:
		return int64(x.Value(r))
	case *array.Int64:
		return x.Value(r)
	}
	panic(fmt.Sprintf("signedValue: %T", a)) // cellGetter checked the type
}

func unsignedValue(a arrow.Array, r int) uint64 {
	switch x := a.(type) {
	case *array.Uint8:
		return uint64(x.Value(r))
	case *array.Uint16:
		return uint64(x.Value(r))
	case *array.Uint32:
		return uint64(x.Value(r))
	case *array.Uint64:
		return x.Value(r)
	}
	panic(fmt.Sprintf("unsignedValue: %T", a)) // cellGetter checked the type
}

// FromStructs makes a frame of rows given as structs: one column per
// exported field, named by its `lakeframe:"name"` tag or else the field's
// name. Go kinds map to Arrow types (int to int64, float64 to float64,
// string, []byte to binary, bool, time.Time to a UTC timestamp in
// microseconds); a pointer field makes a nullable column whose nil is NULL.
func FromStructs[T any](rows []T) *DataFrame {
	t := reflect.TypeFor[T]()
	fields, err := structFields(t)
	if err != nil {
		return failed(fmt.Errorf("from structs: %w", err))
	}
	arrowFields := make([]arrow.Field, len(fields))
	for i, f := range fields {
		at, nullable, err := arrowTypeOf(f.typ)
		if err != nil {
			return failed(fmt.Errorf("from structs: %w: field %s of type %s: %w", errs.ErrPlan, f.column, f.typ, err))
		}
		arrowFields[i] = arrow.Field{Name: f.column, Type: at, Nullable: nullable}
	}
	schema := arrow.NewSchema(arrowFields, nil)
	if dup := duplicateName(schema); dup != "" {
		return failed(fmt.Errorf("from structs: %w: two fields of %s map to column %q", errs.ErrPlan, t, dup))
	}
	b := array.NewRecordBuilder(memory.DefaultAllocator, schema)
	defer b.Release()
	for r := range rows {
		v := reflect.ValueOf(&rows[r]).Elem()
		for i, f := range fields {
			appendValue(b.Field(i), v.FieldByIndex(f.index))
		}
	}
	rec := b.NewRecordBatch()
	defer rec.Release()
	return FromArrow(array.NewTableFromRecords(schema, []arrow.RecordBatch{rec}))
}

func duplicateName(s *arrow.Schema) string {
	for _, f := range s.Fields() {
		if len(s.FieldIndices(f.Name)) > 1 {
			return f.Name
		}
	}
	return ""
}

func arrowTypeOf(t reflect.Type) (arrow.DataType, bool, error) {
	nullable := false
	if t.Kind() == reflect.Pointer {
		t, nullable = t.Elem(), true
	}
	switch t.Kind() {
	case reflect.Int8:
		return arrow.PrimitiveTypes.Int8, nullable, nil
	case reflect.Int16:
		return arrow.PrimitiveTypes.Int16, nullable, nil
	case reflect.Int32:
		return arrow.PrimitiveTypes.Int32, nullable, nil
	case reflect.Int, reflect.Int64:
		if t == reflect.TypeFor[time.Duration]() {
			return nil, false, fmt.Errorf("durations are not supported")
		}
		return arrow.PrimitiveTypes.Int64, nullable, nil
	case reflect.Uint8:
		return arrow.PrimitiveTypes.Uint8, nullable, nil
	case reflect.Uint16:
		return arrow.PrimitiveTypes.Uint16, nullable, nil
	case reflect.Uint32:
		return arrow.PrimitiveTypes.Uint32, nullable, nil
	case reflect.Uint, reflect.Uint64:
		return arrow.PrimitiveTypes.Uint64, nullable, nil
	case reflect.Float32:
		return arrow.PrimitiveTypes.Float32, nullable, nil
	case reflect.Float64:
		return arrow.PrimitiveTypes.Float64, nullable, nil
	case reflect.String:
		return arrow.BinaryTypes.String, nullable, nil
	case reflect.Bool:
		return arrow.FixedWidthTypes.Boolean, nullable, nil
	case reflect.Slice:
		if t.Elem().Kind() == reflect.Uint8 {
			return arrow.BinaryTypes.Binary, true, nil
		}
	case reflect.Struct:
		if t == reflect.TypeFor[time.Time]() {
			return &arrow.TimestampType{Unit: arrow.Microsecond, TimeZone: "UTC"}, nullable, nil
		}
	}
	return nil, false, fmt.Errorf("no Arrow type for Go type %s", t)
}

// appendValue appends v, of a type arrowTypeOf accepted, to b.
func appendValue(b array.Builder, v reflect.Value) {
	if v.Kind() == reflect.Pointer {
		if v.IsNil() {
			b.AppendNull()
			return
		}
		v = v.Elem()
	}
	switch x := b.(type) {
	case *array.Int8Builder:
		x.Append(int8(v.Int()))
	case *array.Int16Builder:
		x.Append(int16(v.Int()))
	case *array.Int32Builder:
		x.Append(int32(v.Int()))
	case *array.Int64Builder:
		x.Append(v.Int())
	case *array.Uint8Builder:
		x.Append(uint8(v.Uint()))
	case *array.Uint16Builder:
		x.Append(uint16(v.Uint()))
	case *array.Uint32Builder:
		x.Append(uint32(v.Uint()))
	case *array.Uint64Builder:
		x.Append(v.Uint())
	case *array.Float32Builder:
		x.Append(float32(v.Float()))
	case *array.Float64Builder:
		x.Append(v.Float())
	case *array.StringBuilder:
		x.Append(v.String())
	case *array.BooleanBuilder:
		x.Append(v.Bool())
	case *array.BinaryBuilder:
		if v.IsNil() {
			x.AppendNull()
		} else {
			x.Append(v.Bytes())
		}
	case *array.TimestampBuilder:
		x.Append(arrow.Timestamp(v.Interface().(time.Time).UnixMicro()))
	}
}
