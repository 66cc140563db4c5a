package ducklake

import (
	"context"
	"fmt"
	"net/url"
	"strings"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/compute"
	arrowexec "github.com/apache/arrow-go/v18/arrow/compute/exec"
	"github.com/apache/arrow-go/v18/arrow/memory"
	"github.com/apache/arrow-go/v18/arrow/scalar"

	"lakeframe/errs"
)

// conform turns a column read from a file into the table's type: as is
// when the types match, relabelled when they differ only in the names,
// nullability or extension wrapping of nested fields, and cast when the
// table's type was promoted (int32 to int64, float to double, ...). The
// result is a new reference the caller releases.
func conform(mem memory.Allocator, a arrow.Array, to arrow.DataType) (arrow.Array, error) {
	from := a.DataType()
	if arrow.TypeEqual(from, to) {
		a.Retain()
		return a, nil
	}
	if arrow.TypeEqual(canonical(from), canonical(to)) {
		return array.MakeFromData(retype(a.Data(), to)), nil
	}
	if ext, ok := a.(array.ExtensionArray); ok {
		return conform(mem, ext.Storage(), to)
	}
	ctx := arrowexec.WithAllocator(context.Background(), mem)
	out, err := compute.CastArray(ctx, a, compute.SafeCastOptions(to))
	if err != nil {
		return nil, fmt.Errorf("%w: cannot read %s as %s: %w", errs.ErrExec, from, to, err)
	}
	return out, nil
}

// canonical strips what does not change a type's data layout: field
// names inside lists and maps, nullability, metadata and extension types.
func canonical(t arrow.DataType) arrow.DataType {
	switch x := t.(type) {
	case arrow.ExtensionType:
		return canonical(x.StorageType())
	case *arrow.MapType:
		return arrow.MapOf(canonical(x.KeyType()), canonical(x.ItemType()))
	case *arrow.ListType:
		return arrow.ListOfField(arrow.Field{Name: "element", Type: canonical(x.Elem()), Nullable: true})
	case *arrow.LargeListType:
		return arrow.LargeListOfField(arrow.Field{Name: "element", Type: canonical(x.Elem()), Nullable: true})
	case *arrow.FixedSizeListType:
		return arrow.FixedSizeListOfField(x.Len(), arrow.Field{Name: "element", Type: canonical(x.Elem()), Nullable: true})
	case *arrow.StructType:
		fields := make([]arrow.Field, x.NumFields())
		for i, f := range x.Fields() {
			fields[i] = arrow.Field{Name: f.Name, Type: canonical(f.Type), Nullable: true}
		}
		return arrow.StructOf(fields...)
	}
	return t
}

// retype gives array data a type of the same layout, recursively. The
// buffers are shared.
func retype(d arrow.ArrayData, to arrow.DataType) arrow.ArrayData {
	kids := d.Children()
	childTypes := childTypes(to)
	children := make([]arrow.ArrayData, len(kids))
	for i, k := range kids {
		if i < len(childTypes) {
			children[i] = retype(k, childTypes[i])
		} else {
			k.Retain()
			children[i] = k
		}
	}
	out := array.NewData(to, d.Len(), d.Buffers(), children, d.NullN(), d.Offset())
	for _, c := range children {
		c.Release()
	}
	if dict := d.Dictionary(); dict != nil {
		out.SetDictionary(dict)
	}
	return out
}

// childTypes are the types of a nested type's child arrays.
func childTypes(t arrow.DataType) []arrow.DataType {
	switch x := t.(type) {
	case arrow.ExtensionType:
		return childTypes(x.StorageType())
	case *arrow.MapType:
		return []arrow.DataType{x.Elem()}
	case arrow.ListLikeType:
		return []arrow.DataType{x.Elem()}
	case *arrow.StructType:
		out := make([]arrow.DataType, x.NumFields())
		for i, f := range x.Fields() {
			out[i] = f.Type
		}
		return out
	}
	return nil
}

// constantArray is n rows of a value given as catalog text; nil is NULL.
func constantArray(mem memory.Allocator, c *Column, value *string, t arrow.DataType, n int) (arrow.Array, error) {
	if value == nil {
		return array.MakeArrayOfNull(mem, t, n), nil
	}
	sc, err := parseScalar(*value, t)
	if err != nil {
		return nil, fmt.Errorf("%w: value %q of column %s: %w", errs.ErrExec, *value, c.Name, err)
	}
	a, err := scalar.MakeArrayFromScalar(sc, n, mem)
	if err != nil {
		return nil, fmt.Errorf("%w: value of column %s: %w", errs.ErrExec, c.Name, err)
	}
	return a, nil
}

// hiveValue finds a column's value in a name=value directory of a file's
// path; nil means NULL.
func hiveValue(path, name string) (*string, error) {
	var found *string
	for _, seg := range strings.Split(path, "/") {
		k, v, ok := strings.Cut(seg, "=")
		if !ok || k != name {
			continue
		}
		if u, err := url.PathUnescape(v); err == nil {
			v = u
		}
		if v == "__HIVE_DEFAULT_PARTITION__" {
			found = nil
		} else {
			found = &v
		}
		return found, nil
	}
	return nil, fmt.Errorf("%w: column %s should be read from a %s=... directory, which path %s lacks", errs.ErrExec, name, name, path)
}
