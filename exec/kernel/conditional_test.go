package kernel

import (
	"errors"
	"strings"
	"testing"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"

	"lakeframe/errs"
)

// conditionalTypes give, per type, two columns a and b of four JSON
// values each; expected results are assembled from these elements.
var conditionalTypes = []struct {
	dt   arrow.DataType
	a, b [4]string
}{
	{arrow.PrimitiveTypes.Int8, [4]string{"1", "null", "-3", "null"}, [4]string{"10", "20", "null", "null"}},
	{arrow.PrimitiveTypes.Int16, [4]string{"1", "null", "-3", "null"}, [4]string{"10", "20", "null", "null"}},
	{tInt32, [4]string{"1", "null", "-3", "null"}, [4]string{"10", "20", "null", "null"}},
	{tInt64, [4]string{"1", "null", "-3", "null"}, [4]string{"10", "20", "null", "null"}},
	{arrow.PrimitiveTypes.Uint64, [4]string{"1", "null", "3", "null"}, [4]string{"18446744073709551615", "20", "null", "null"}},
	{arrow.PrimitiveTypes.Float32, [4]string{"1.5", "null", "-3", "null"}, [4]string{"10", "0.25", "null", "null"}},
	{tFloat64, [4]string{"1.5", "null", "-3", "null"}, [4]string{"10", "0.25", "null", "null"}},
	{tBool, [4]string{"true", "null", "false", "null"}, [4]string{"false", "true", "null", "null"}},
	{tString, [4]string{`"a"`, "null", `"ccc"`, "null"}, [4]string{`""`, `"bé"`, "null", "null"}},
	{tLString, [4]string{`"a"`, "null", `"ccc"`, "null"}, [4]string{`""`, `"bé"`, "null", "null"}},
	{arrow.BinaryTypes.StringView, [4]string{`"a"`, "null", `"a string longer than twelve bytes"`, "null"}, [4]string{`""`, `"bé"`, "null", "null"}},
	{tDate32, [4]string{`"2024-02-29"`, "null", `"1969-12-31"`, "null"}, [4]string{`"2000-01-01"`, `"2001-01-01"`, "null", "null"}},
	{tDate64, [4]string{`"2024-02-29"`, "null", `"1969-12-31"`, "null"}, [4]string{`"2000-01-01"`, `"2001-01-01"`, "null", "null"}},
	{tTsUs, [4]string{`"2024-02-29T10:00:00"`, "null", `"1969-12-31T23:59:59.5"`, "null"}, [4]string{`"2000-01-01T00:00:00"`, `"2001-01-01T00:00:00"`, "null", "null"}},
	{&arrow.Decimal128Type{Precision: 10, Scale: 2}, [4]string{`"1.25"`, "null", `"-3.50"`, "null"}, [4]string{`"10.00"`, `"0.01"`, "null", "null"}},
	{&arrow.Decimal256Type{Precision: 40, Scale: 2}, [4]string{`"1.25"`, "null", `"-3.50"`, "null"}, [4]string{`"10.00"`, `"0.01"`, "null", "null"}},
	{arrow.FixedWidthTypes.MonthDayNanoInterval, [4]string{`{"months": 1, "days": 2, "nanoseconds": 3}`, "null", `{"months": -1, "days": 0, "nanoseconds": 0}`, "null"},
		[4]string{`{"months": 0, "days": 0, "nanoseconds": 9}`, `{"months": 5, "days": 5, "nanoseconds": 5}`, "null", "null"}},
}

func jsonList(elems ...string) string { return "[" + strings.Join(elems, ", ") + "]" }

func TestIfElseAndCoalesceTypes(t *testing.T) {
	for _, ct := range conditionalTypes {
		t.Run(ct.dt.String(), func(t *testing.T) {
			mem := checkedMem(t)
			a, b := ct.a, ct.b
			outType := ct.dt
			if ct.dt.ID() == arrow.STRING_VIEW {
				outType = tString
			}
			cond := fromJSON(t, mem, tBool, `[true, false, null, true]`)
			// cond true: a, false or null: b.
			wantIf := fromJSON(t, mem, outType, jsonList(a[0], b[1], b[2], a[3]))
			// The first non-null of a and b.
			wantCoalesce := fromJSON(t, mem, outType, jsonList(a[0], b[1], a[2], "null"))
			for aform, av := range inputVariants(t, mem, ct.dt, jsonList(a[:]...)) {
				for bform, bv := range inputVariants(t, mem, ct.dt, jsonList(b[:]...)) {
					t.Log(aform, bform)
					got, err := IfElse(mem, cond, av, bv)
					assertArray(t, wantIf, got, err)
					got, err = Coalesce(mem, av, bv)
					assertArray(t, wantCoalesce, got, err)
				}
			}
			// A constant (length 1) else and coalesce fallback.
			c := fromJSON(t, mem, ct.dt, jsonList(b[0]))
			got, err := IfElse(mem, cond, fromJSON(t, mem, ct.dt, jsonList(a[:]...)), c)
			assertArray(t, fromJSON(t, mem, outType, jsonList(a[0], b[0], b[0], a[3])), got, err)
			got, err = Coalesce(mem, slicedJSON(t, mem, ct.dt, jsonList(a[:]...)), c)
			assertArray(t, fromJSON(t, mem, outType, jsonList(a[0], b[0], a[2], b[0])), got, err)
			// No else: NULL.
			got, err = IfElse(mem, slicedJSON(t, mem, tBool, `[true, false, null, true]`), fromJSON(t, mem, ct.dt, jsonList(a[:]...)), nil)
			assertArray(t, fromJSON(t, mem, outType, jsonList(a[0], "null", "null", a[3])), got, err)
		})
	}
}

func TestCaseWhen(t *testing.T) {
	mem := checkedMem(t)
	c1 := slicedJSON(t, mem, tBool, `[true, false, null, false, true]`)
	c2 := fromJSON(t, mem, tBool, `[true, true, true, null, false]`)
	v1 := fromJSON(t, mem, tInt64, `[1, 2, 3, 4, null]`)
	v2 := slicedJSON(t, mem, tInt64, `[10, 20, 30, 40, 50]`)
	els := fromJSON(t, mem, tInt64, `[100, 200, 300, 400, 500]`)
	conds, vals := []arrow.Array{c1, c2}, []arrow.Array{v1, v2}

	got, err := CaseWhen(mem, conds, vals, els)
	assertArray(t, fromJSON(t, mem, tInt64, `[1, 20, 30, 400, null]`), got, err)
	got, err = CaseWhen(mem, conds, vals, nil)
	assertArray(t, fromJSON(t, mem, tInt64, `[1, 20, 30, null, null]`), got, err)
	// Constant branches, CASE WHEN c1 THEN 'yes' WHEN c2 THEN NULL ELSE 'no'.
	got, err = CaseWhen(mem, conds, []arrow.Array{fromJSON(t, mem, tString, `["yes"]`), array.NewNull(1)}, fromJSON(t, mem, tString, `["no"]`))
	assertArray(t, fromJSON(t, mem, tString, `["yes", null, null, "no", "yes"]`), got, err)
	// A constant true condition takes every row.
	got, err = CaseWhen(mem, []arrow.Array{fromJSON(t, mem, tBool, `[true]`), c2}, vals, els)
	assertArray(t, fromJSON(t, mem, tInt64, `[1, 2, 3, 4, null]`), got, err)
	// Constant false and null conditions take none.
	got, err = CaseWhen(mem, []arrow.Array{fromJSON(t, mem, tBool, `[false]`), fromJSON(t, mem, tBool, `[null]`)}, vals, els)
	assertArray(t, fromJSON(t, mem, tInt64, `[100, 200, 300, 400, 500]`), got, err)
	// All branches of the Null type give a Null array.
	got, err = IfElse(mem, c1, array.NewNull(5), nil)
	assertArray(t, array.NewNull(5), got, err)
	// Empty input.
	got, err = CaseWhen(mem, []arrow.Array{fromJSON(t, mem, tBool, `[]`)}, []arrow.Array{fromJSON(t, mem, tString, `[]`)}, fromJSON(t, mem, tString, `[]`))
	assertArray(t, fromJSON(t, mem, tString, `[]`), got, err)
}

func TestCaseWhenLong(t *testing.T) {
	// 200 rows: c1 on multiples of 3, c2 on multiples of 2, else the row.
	mem := checkedMem(t)
	n := 200
	bc := array.NewBooleanBuilder(mem)
	defer bc.Release()
	bi := array.NewInt64Builder(mem)
	defer bi.Release()
	for i := range n {
		bc.Append(i%3 == 0)
	}
	c1 := bc.NewArray()
	defer c1.Release()
	for i := range n {
		if i%7 == 0 {
			bc.AppendNull()
		} else {
			bc.Append(i%2 == 0)
		}
	}
	c2 := bc.NewArray()
	defer c2.Release()
	for i := range n {
		bi.Append(int64(i))
	}
	rows := bi.NewArray()
	defer rows.Release()
	for i := range n {
		switch {
		case i%3 == 0:
			bi.Append(-1)
		case i%7 != 0 && i%2 == 0:
			bi.Append(-2)
		default:
			bi.Append(int64(i))
		}
	}
	want := bi.NewArray()
	defer want.Release()
	got, err := CaseWhen(mem, []arrow.Array{c1, c2}, []arrow.Array{fromJSON(t, mem, tInt64, `[-1]`), fromJSON(t, mem, tInt64, `[-2]`)}, rows)
	assertArray(t, want, got, err)
}

func TestCoalesceEdges(t *testing.T) {
	mem := checkedMem(t)
	a := fromJSON(t, mem, tInt64, `[null, 2, null]`)
	got, err := Coalesce(mem, a)
	if err != nil || got != a {
		t.Fatalf("one argument should come back as is: %v %v", got, err)
	}
	got.Release()
	got, err = Coalesce(mem, array.NewNull(3), a, fromJSON(t, mem, tInt64, `[null]`), fromJSON(t, mem, tInt64, `[7, 8, null]`))
	assertArray(t, fromJSON(t, mem, tInt64, `[7, 2, null]`), got, err)
	got, err = Coalesce(mem, fromJSON(t, mem, tInt64, `[null, null]`), fromJSON(t, mem, tInt64, `[null, null]`))
	assertArray(t, fromJSON(t, mem, tInt64, `[null, null]`), got, err)
	got, err = Coalesce(mem, array.NewNull(2), array.NewNull(2))
	assertArray(t, array.NewNull(2), got, err)
}

func TestConditionalErrors(t *testing.T) {
	mem := checkedMem(t)
	i := fromJSON(t, mem, tInt64, `[1, 2]`)
	s := fromJSON(t, mem, tString, `["a", "b"]`)
	cond := fromJSON(t, mem, tBool, `[true, false]`)
	check := func(name string, err, kind error) {
		if !errors.Is(err, kind) {
			t.Errorf("%s: got %v, want %v", name, err, kind)
		}
	}
	_, err := Coalesce(mem)
	check("no arguments", err, errs.ErrPlan)
	_, err = Coalesce(mem, i, s)
	check("type mismatch", err, errs.ErrPlan)
	_, err = Coalesce(mem, i, fromJSON(t, mem, tInt64, `[1, 2, 3]`))
	check("length mismatch", err, errs.ErrInternal)
	_, err = IfElse(mem, i, i, i)
	check("int condition", err, errs.ErrPlan)
	_, err = CaseWhen(mem, []arrow.Array{cond}, nil, nil)
	check("no values", err, errs.ErrPlan)
	_, err = IfElse(mem, cond, i, s)
	check("branch type mismatch", err, errs.ErrPlan)
	l := fromJSON(t, mem, arrow.ListOf(tInt64), `[[1], [2]]`)
	_, err = IfElse(mem, cond, l, l)
	check("list", err, errs.ErrNotImplemented)
}
