package kernel

import (
	"errors"
	"testing"

	"github.com/apache/arrow-go/v18/arrow"

	"lakeframe/errs"
)

func TestCastStringToDate32(t *testing.T) {
	const in = `["2024-02-29", null, "1969-12-31", " 2000-1-2 ", "0001-01-01", "-0001-12-31", "9999-12-31"]`
	const want = `["2024-02-29", null, "1969-12-31", "2000-01-02", "0001-01-01", "-0001-12-31", "9999-12-31"]`
	for _, dt := range stringTypes {
		mem := checkedMem(t)
		for form, a := range inputVariants(t, mem, dt, in) {
			t.Log(dt, form)
			// Compared as text: JSON dates cannot spell negative years.
			got, err := CastStringToDate32(mem, a)
			if err != nil {
				t.Fatal(err)
			}
			str, err := CastToString(mem, got)
			got.Release()
			assertArray(t, fromJSON(t, mem, tString, want), str, err)
		}
	}
	mem := checkedMem(t)
	got, err := CastStringToDate32(mem, fromJSON(t, mem, tString, `["2024-02-29", null, "1970-01-01"]`))
	assertArray(t, fromJSON(t, mem, tDate32, `[19782, null, 0]`), got, err)
}

func TestCastStringToDate32Invalid(t *testing.T) {
	bad := []string{"2023-02-29", "2024-13-01", "2024-00-10", "2024-01-32", "2024-01-00", "2024/01/01", "2024-01-01x",
		"", "x", "2024-01", "2024-01-01 10:00:00", "20240101", "2024-001-01", "1234567-01-01", "--2024-01-01"}
	for _, s := range bad {
		mem := checkedMem(t)
		in := fromJSON(t, mem, tString, `["2024-01-01", "`+s+`", null]`)
		if got, err := CastStringToDate32(mem, in); !errors.Is(err, errs.ErrExec) {
			if got != nil {
				got.Release()
			}
			t.Errorf("%q: got %v, want ErrExec", s, err)
		}
		got, err := TryCastStringToDate32(mem, in)
		assertArray(t, fromJSON(t, mem, tDate32, `["2024-01-01", null, null]`), got, err)
	}
	// TRY_CAST must not clear bits of the input's own validity bitmap.
	mem := checkedMem(t)
	in := fromJSON(t, mem, tString, `["x", null, "2024-01-01"]`)
	got, err := TryCastStringToDate32(mem, in)
	assertArray(t, fromJSON(t, mem, tDate32, `[null, null, "2024-01-01"]`), got, err)
	if in.NullN() != 1 || !in.IsValid(0) {
		t.Fatal("input changed")
	}
}

func TestCastFloatToInt(t *testing.T) {
	mem := checkedMem(t)
	cases := []struct {
		from arrow.DataType
		to   arrow.DataType
		in   string
		want string
	}{
		// Ties go to the even integer, as DuckDB's DOUBLE to INTEGER.
		{tFloat64, tInt64, `[2.5, 3.5, -2.5, -3.5, 2.4999, 2.5001, null, 0, -0.4]`, `[2, 4, -2, -4, 2, 3, null, 0, 0]`},
		{tFloat64, tInt32, `[2147483647.4, -2147483648.4, null]`, `[2147483647, -2147483648, null]`},
		{tFloat64, arrow.PrimitiveTypes.Int8, `[127, -128, 1.5]`, `[127, -128, 2]`},
		{tFloat64, arrow.PrimitiveTypes.Uint8, `[255, 0.4, -0.4]`, `[255, 0, 0]`},
		{arrow.PrimitiveTypes.Float32, tInt64, `[1.5, null, -7.5]`, `[2, null, -8]`},
		{tFloat64, arrow.PrimitiveTypes.Uint64, `[1e19]`, `[10000000000000000000]`},
	}
	for _, c := range cases {
		for form, a := range inputVariants(t, mem, c.from, c.in) {
			t.Log(c.from, c.to, form)
			got, err := CastFloatToInt(mem, a, c.to)
			assertArray(t, fromJSON(t, mem, c.to, c.want), got, err)
		}
	}
	for _, bad := range []struct {
		to arrow.DataType
		in string
	}{
		{tInt32, `[2147483647.5]`}, {arrow.PrimitiveTypes.Int8, `[128]`}, {arrow.PrimitiveTypes.Int8, `[-128.6]`},
		{arrow.PrimitiveTypes.Uint8, `[-0.6]`}, {tInt64, `[9.3e18]`}, {tInt64, `[-9.3e18]`}, {arrow.PrimitiveTypes.Uint64, `[1.9e19]`},
	} {
		if _, err := CastFloatToInt(mem, fromJSON(t, mem, tFloat64, bad.in), bad.to); !errors.Is(err, errs.ErrExec) {
			t.Errorf("%s to %s: got %v", bad.in, bad.to, err)
		}
	}
	// A null row's value does not matter.
	got, err := CastFloatToInt(mem, slicedJSON(t, mem, tFloat64, `[null]`), arrow.PrimitiveTypes.Int8)
	assertArray(t, fromJSON(t, mem, arrow.PrimitiveTypes.Int8, `[null]`), got, err)
	if _, err := CastFloatToInt(mem, fromJSON(t, mem, tInt64, `[1]`), tInt32); !errors.Is(err, errs.ErrNotImplemented) {
		t.Errorf("int64 input: got %v", err)
	}
	if _, err := CastFloatToInt(mem, fromJSON(t, mem, tFloat64, `[1]`), tString); !errors.Is(err, errs.ErrNotImplemented) {
		t.Errorf("string target: got %v", err)
	}
}

func TestCastToString(t *testing.T) {
	cases := []struct {
		from arrow.DataType
		in   string
		want string
	}{
		{arrow.PrimitiveTypes.Int8, `[-128, null, 127]`, `["-128", null, "127"]`},
		{arrow.PrimitiveTypes.Int16, `[-32768, 0]`, `["-32768", "0"]`},
		{tInt32, `[7, null]`, `["7", null]`},
		{tInt64, `[-9223372036854775808, 9223372036854775807, null]`, `["-9223372036854775808", "9223372036854775807", null]`},
		{arrow.PrimitiveTypes.Uint8, `[255]`, `["255"]`},
		{arrow.PrimitiveTypes.Uint16, `[65535]`, `["65535"]`},
		{arrow.PrimitiveTypes.Uint32, `[4294967295]`, `["4294967295"]`},
		{arrow.PrimitiveTypes.Uint64, `[18446744073709551615, null]`, `["18446744073709551615", null]`},
		{tFloat64, `[1.5, null, -0.25, 1e20, 3, 0.1, -1.5e-300]`, `["1.5", null, "-0.25", "1e+20", "3", "0.1", "-1.5e-300"]`},
		{arrow.PrimitiveTypes.Float32, `[0.1, 16777216]`, `["0.1", "1.6777216e+07"]`},
		{tBool, `[true, null, false]`, `["true", null, "false"]`},
		{tDate32, `["2024-02-29", null, "1969-12-31", "0099-01-01"]`, `["2024-02-29", null, "1969-12-31", "0099-01-01"]`},
	}
	for _, c := range cases {
		mem := checkedMem(t)
		for form, a := range inputVariants(t, mem, c.from, c.in) {
			t.Log(c.from, form)
			got, err := CastToString(mem, a)
			assertArray(t, fromJSON(t, mem, tString, c.want), got, err)
		}
	}
	mem := checkedMem(t)
	if _, err := CastToString(mem, fromJSON(t, mem, tString, `["x"]`)); !errors.Is(err, errs.ErrNotImplemented) {
		t.Errorf("string input: got %v", err)
	}
}
