package kernel

import (
	"errors"
	"testing"

	"github.com/apache/arrow-go/v18/arrow/array"

	"lakeframe/errs"
)

func TestNot(t *testing.T) {
	mem := checkedMem(t)
	const in = `[true, true, false, null, false, null, true, false, true, null]`
	want := fromJSON(t, mem, tBool, `[false, false, true, null, true, null, false, true, false, null]`)
	for form, a := range inputVariants(t, mem, tBool, in) {
		t.Log(form)
		got, err := Not(mem, a)
		assertArray(t, want, got, err)
	}
	got, err := Not(mem, fromJSON(t, mem, tBool, `[]`))
	assertArray(t, fromJSON(t, mem, tBool, `[]`), got, err)
	if _, err := Not(mem, fromJSON(t, mem, tInt64, `[1]`)); !errors.Is(err, errs.ErrPlan) {
		t.Fatalf("int64: got %v", err)
	}
}

func TestIsNullIsNotNull(t *testing.T) {
	mem := checkedMem(t)
	const in = `[1, null, 3, null, null, 6, 7, 8, 9, null, 11]`
	for form, a := range inputVariants(t, mem, tInt64, in) {
		t.Log(form)
		got, err := IsNull(mem, a)
		assertArray(t, fromJSON(t, mem, tBool, `[false, true, false, true, true, false, false, false, false, true, false]`), got, err)
		got, err = IsNotNull(mem, a)
		assertArray(t, fromJSON(t, mem, tBool, `[true, false, true, false, false, true, true, true, true, false, true]`), got, err)
	}
	noNulls := fromJSON(t, mem, tString, `["a", "b", "c"]`)
	got, err := IsNull(mem, noNulls)
	assertArray(t, fromJSON(t, mem, tBool, `[false, false, false]`), got, err)
	got, err = IsNotNull(mem, noNulls)
	assertArray(t, fromJSON(t, mem, tBool, `[true, true, true]`), got, err)
	nulls := array.NewNull(2)
	got, err = IsNull(mem, nulls)
	assertArray(t, fromJSON(t, mem, tBool, `[true, true]`), got, err)
	got, err = IsNotNull(mem, nulls)
	assertArray(t, fromJSON(t, mem, tBool, `[false, false]`), got, err)
}
