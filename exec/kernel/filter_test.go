package kernel

import (
	"encoding/base64"
	"errors"
	"fmt"
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"

	"lakeframe/errs"
)

func TestFilterArrayTypes(t *testing.T) {
	for _, ft := range filterTypes {
		t.Run(ft.name, func(t *testing.T) {
			mem := checkedMem(t)
			want := fromJSON(t, mem, ft.dt, ft.kept)
			for form, in := range inputVariants(t, mem, ft.dt, ft.values) {
				for mform, mask := range inputVariants(t, mem, tBool, filterMask) {
					t.Log(form, "mask", mform)
					got, err := FilterArray(mem, in, mask.(*array.Boolean))
					assertArray(t, want, got, err)
				}
			}
		})
	}
}

// randomJSON returns n random JSON values of a type, about a fifth null.
func randomJSON(rng *rand.Rand, dt arrow.DataType, n int) string {
	vals := make([]string, n)
	for i := range vals {
		if rng.IntN(5) == 0 {
			vals[i] = "null"
			continue
		}
		switch dt.ID() {
		case arrow.INT8:
			vals[i] = fmt.Sprint(rng.IntN(256) - 128)
		case arrow.INT16, arrow.INT32, arrow.INT64:
			vals[i] = fmt.Sprint(rng.IntN(20001) - 10000)
		case arrow.FLOAT64:
			vals[i] = fmt.Sprint(rng.Float64()*100 - 50)
		case arrow.BOOL:
			vals[i] = fmt.Sprint(rng.IntN(2) == 0)
		case arrow.STRING, arrow.LARGE_STRING:
			vals[i] = fmt.Sprintf("%q", strings.Repeat("é", rng.IntN(4))+fmt.Sprint(rng.IntN(1000)))
		case arrow.BINARY: // base64 in JSON
			vals[i] = fmt.Sprintf("%q", base64.StdEncoding.EncodeToString([]byte(strings.Repeat("x", rng.IntN(9)))))
		case arrow.DATE32:
			vals[i] = fmt.Sprintf(`"%04d-%02d-%02d"`, 1900+rng.IntN(200), 1+rng.IntN(12), 1+rng.IntN(28))
		case arrow.DECIMAL128:
			vals[i] = fmt.Sprintf(`"%d.%02d"`, rng.IntN(2000)-1000, rng.IntN(100))
		case arrow.LIST:
			vals[i] = fmt.Sprintf("[%d, %d]", rng.IntN(10), rng.IntN(10))
		default:
			panic("randomJSON: add " + dt.String())
		}
	}
	return "[" + strings.Join(vals, ", ") + "]"
}

// randomMask mixes runs of true, runs of false and random bits with nulls,
// so whole 64-bit words and sparse words both occur.
func randomMask(rng *rand.Rand, n int) string {
	vals := make([]string, 0, n)
	for len(vals) < n {
		run := min(n-len(vals), 1+rng.IntN(150))
		kind := rng.IntN(3)
		for range run {
			switch {
			case kind == 0:
				vals = append(vals, "true")
			case kind == 1:
				vals = append(vals, "false")
			case rng.IntN(6) == 0:
				vals = append(vals, "null")
			default:
				vals = append(vals, fmt.Sprint(rng.IntN(2) == 0))
			}
		}
	}
	return "[" + strings.Join(vals, ", ") + "]"
}

// referenceFilter filters by concatenating one-row slices: no filter or
// take kernel involved.
func referenceFilter(t *testing.T, mem memory.Allocator, in arrow.Array, mask *array.Boolean) arrow.Array {
	t.Helper()
	var parts []arrow.Array
	for i := range mask.Len() {
		if mask.IsValid(i) && mask.Value(i) {
			parts = append(parts, array.NewSlice(in, int64(i), int64(i+1)))
		}
	}
	if len(parts) == 0 {
		parts = append(parts, array.NewSlice(in, 0, 0))
	}
	out, err := array.Concatenate(parts, mem)
	for _, p := range parts {
		p.Release()
	}
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(out.Release)
	return out
}

func TestFilterArrayRandom(t *testing.T) {
	rng := rand.New(rand.NewPCG(7, 8))
	types := []arrow.DataType{arrow.PrimitiveTypes.Int8, arrow.PrimitiveTypes.Int16, tInt32, tInt64, tFloat64, tBool, tString, tLString,
		arrow.BinaryTypes.Binary, tDate32, &arrow.Decimal128Type{Precision: 12, Scale: 2}, arrow.ListOf(tInt64)}
	for _, dt := range types {
		t.Run(dt.String(), func(t *testing.T) {
			mem := checkedMem(t)
			for _, n := range []int{0, 1, 63, 64, 65, 700} {
				in := slicedJSON(t, mem, dt, randomJSON(rng, dt, n))
				mask := slicedJSON(t, mem, tBool, randomMask(rng, n)).(*array.Boolean)
				got, err := FilterArray(mem, in, mask)
				t.Log("rows", n)
				assertArray(t, referenceFilter(t, mem, in, mask), got, err)
			}
		})
	}
}

func TestFilterRecord(t *testing.T) {
	mem := checkedMem(t)
	schema := arrow.NewSchema([]arrow.Field{
		{Name: "i", Type: tInt64, Nullable: true},
		{Name: "b", Type: tBool, Nullable: true},
		{Name: "s", Type: tString, Nullable: true},
	}, nil)
	cols := []arrow.Array{
		fromJSON(t, mem, tInt64, `[1, 2, null, 4]`),
		slicedJSON(t, mem, tBool, `[true, null, false, null]`),
		fromJSON(t, mem, tString, `["a", "b", "c", null]`),
	}
	rec := array.NewRecordBatch(schema, cols, 4)
	defer rec.Release()

	t.Run("mixed", func(t *testing.T) {
		got, err := Filter(mem, rec, fromJSON(t, mem, tBool, `[false, true, null, true]`).(*array.Boolean))
		if err != nil {
			t.Fatal(err)
		}
		defer got.Release()
		if got.NumRows() != 2 || !got.Schema().Equal(schema) {
			t.Fatalf("got %v", got)
		}
		for i, want := range []arrow.Array{
			fromJSON(t, mem, tInt64, `[2, 4]`), fromJSON(t, mem, tBool, `[null, null]`), fromJSON(t, mem, tString, `["b", null]`),
		} {
			got.Column(i).Retain()
			assertArray(t, want, got.Column(i), nil)
		}
	})
	t.Run("all true", func(t *testing.T) {
		got, err := Filter(mem, rec, fromJSON(t, mem, tBool, `[true, true, true, true]`).(*array.Boolean))
		if err != nil {
			t.Fatal(err)
		}
		defer got.Release()
		if got != rec {
			t.Fatal("an all-true mask should return the batch itself")
		}
	})
	for name, mask := range map[string]string{"all false": `[false, false, false, false]`, "all null": `[null, null, null, null]`} {
		t.Run(name, func(t *testing.T) {
			got, err := Filter(mem, rec, fromJSON(t, mem, tBool, mask).(*array.Boolean))
			if err != nil {
				t.Fatal(err)
			}
			defer got.Release()
			if got.NumRows() != 0 || got.NumCols() != 3 || !got.Schema().Equal(schema) {
				t.Fatalf("got %v", got)
			}
			for _, c := range got.Columns() {
				if c.Len() != 0 {
					t.Fatalf("column %v", c)
				}
			}
		})
	}
	t.Run("length mismatch", func(t *testing.T) {
		if _, err := Filter(mem, rec, fromJSON(t, mem, tBool, `[true]`).(*array.Boolean)); !errors.Is(err, errs.ErrInternal) {
			t.Fatalf("got %v", err)
		}
		if _, err := FilterArray(mem, cols[0], nil); !errors.Is(err, errs.ErrInternal) {
			t.Fatalf("got %v", err)
		}
	})
}
