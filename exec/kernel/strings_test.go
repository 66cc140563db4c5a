package kernel

import (
	"errors"
	"math"
	"testing"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/memory"

	"lakeframe/errs"
)

var stringTypes = []arrow.DataType{tString, tLString, arrow.BinaryTypes.StringView}

// stringOut is the type a string kernel returns for input type dt.
func stringOut(dt arrow.DataType) arrow.DataType {
	if dt.ID() == arrow.LARGE_STRING {
		return tLString
	}
	return tString
}

// runStringKernel checks kernel on in (JSON) as String, LargeString and
// StringView, each plain and sliced. wantType maps the input type to the
// result type.
func runStringKernel(t *testing.T, in, want string, wantType func(arrow.DataType) arrow.DataType,
	kernel func(memory.Allocator, arrow.Array) (arrow.Array, error)) {
	t.Helper()
	for _, dt := range stringTypes {
		mem := checkedMem(t)
		for form, a := range inputVariants(t, mem, dt, in) {
			got, err := kernel(mem, a)
			if err != nil {
				t.Fatalf("%s %s: %v", dt, form, err)
			}
			t.Logf("%s %s", dt, form)
			assertArray(t, fromJSON(t, mem, wantType(dt), want), got, nil)
		}
	}
}

func boolOut(arrow.DataType) arrow.DataType  { return tBool }
func int64Out(arrow.DataType) arrow.DataType { return tInt64 }

const sampleStrings = `["hello", "héllo wörld", "", null, "🦆🦆x", "hell"]`

func TestStringPredicates(t *testing.T) {
	cases := []struct {
		name   string
		kernel func(memory.Allocator, arrow.Array, string) (arrow.Array, error)
		arg    string
		want   string
	}{
		{"contains", Contains, "ll", `[true, true, false, null, false, true]`},
		{"contains non-ascii", Contains, "ö", `[false, true, false, null, false, false]`},
		{"contains empty", Contains, "", `[true, true, true, null, true, true]`},
		{"contains %", Contains, "%", `[false, false, false, null, false, false]`},
		{"starts_with", StartsWith, "hell", `[true, false, false, null, false, true]`},
		{"starts_with duck", StartsWith, "🦆", `[false, false, false, null, true, false]`},
		{"starts_with longer", StartsWith, "hello!", `[false, false, false, null, false, false]`},
		{"starts_with empty", StartsWith, "", `[true, true, true, null, true, true]`},
		{"ends_with", EndsWith, "lo", `[true, false, false, null, false, false]`},
		{"ends_with rld", EndsWith, "wörld", `[false, true, false, null, false, false]`},
		{"ends_with _", EndsWith, "_", `[false, false, false, null, false, false]`},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			runStringKernel(t, sampleStrings, c.want, boolOut, func(mem memory.Allocator, a arrow.Array) (arrow.Array, error) {
				return c.kernel(mem, a, c.arg)
			})
		})
	}
}

func TestLength(t *testing.T) {
	runStringKernel(t, `["hello", "héllo wörld", "", null, "🦆🦆x", "日本語", "K"]`, `[5, 11, 0, null, 3, 3, 1]`, int64Out, Length)
}

func TestLowerUpper(t *testing.T) {
	const in = `["HeLLo", "ÉCOLE Straße", "", null, "İSTANBUL", "ΑΒΓ δ", "K7"]`
	// İ lowers to i and the Kelvin sign to k (3 bytes to 1); ß has no
	// single-rune upper case.
	runStringKernel(t, in, `["hello", "école straße", "", null, "istanbul", "αβγ δ", "k7"]`, stringOut, Lower)
	runStringKernel(t, in, `["HELLO", "ÉCOLE STRAßE", "", null, "İSTANBUL", "ΑΒΓ Δ", "K7"]`, stringOut, Upper)
}

func TestSubstr(t *testing.T) {
	// Characters: "héllo wörld" is h0 é1 l2 l3 o4 _5 w6 ö7 r8 l9 d10.
	const in = `["hello", "héllo wörld", "", null, "🦆🦆x"]`
	cases := []struct {
		start, length int64
		want          string
	}{
		{1, 3, `["hel", "hél", "", null, "🦆🦆x"]`},
		{2, 3, `["ell", "éll", "", null, "🦆x"]`},
		{0, 2, `["h", "h", "", null, "🦆"]`}, // start 0 is before the first character
		{0, 0, `["", "", "", null, ""]`},
		{-3, 2, `["ll", "rl", "", null, "🦆🦆"]`},
		{4, -3, `["hel", "hél", "", null, "🦆🦆x"]`},
		{-2, -2, `["el", "ör", "", null, "🦆"]`},
		{6, 2, `["", " w", "", null, ""]`},
		{2, math.MaxInt64, `["ello", "éllo wörld", "", null, "🦆x"]`},
		{math.MaxInt64, 1, `["", "", "", null, ""]`},
		{math.MinInt64, math.MinInt64, `["", "", "", null, ""]`},
		{-100, 102, `["hello", "héllo wörld", "", null, "🦆🦆x"]`},
		{-100, 3, `["", "", "", null, ""]`},
	}
	for _, c := range cases {
		runStringKernel(t, in, c.want, stringOut, func(mem memory.Allocator, a arrow.Array) (arrow.Array, error) {
			return Substr(mem, a, c.start, c.length)
		})
	}
	from := []struct {
		start int64
		want  string
	}{
		{3, `["llo", "llo wörld", "", null, "x"]`},
		{-3, `["llo", "rld", "", null, "🦆🦆x"]`},
		{0, `["hello", "héllo wörld", "", null, "🦆🦆x"]`},
		{-100, `["hello", "héllo wörld", "", null, "🦆🦆x"]`},
		{100, `["", "", "", null, ""]`},
	}
	for _, c := range from {
		runStringKernel(t, in, c.want, stringOut, func(mem memory.Allocator, a arrow.Array) (arrow.Array, error) {
			return SubstrFrom(mem, a, c.start)
		})
	}
}

func TestStringKernelsEmptyAndAllNull(t *testing.T) {
	kernels := map[string]func(memory.Allocator, arrow.Array) (arrow.Array, error){
		"length": Length, "lower": Lower, "upper": Upper,
		"substr":   func(m memory.Allocator, a arrow.Array) (arrow.Array, error) { return Substr(m, a, 1, 2) },
		"contains": func(m memory.Allocator, a arrow.Array) (arrow.Array, error) { return Contains(m, a, "x") },
		"like":     func(m memory.Allocator, a arrow.Array) (arrow.Array, error) { return Like(m, a, "a_%b", 0) },
	}
	for name, k := range kernels {
		for in, n := range map[string]int{`[]`: 0, `[null, null]`: 2} {
			t.Run(name+in, func(t *testing.T) {
				mem := checkedMem(t)
				got, err := k(mem, fromJSON(t, mem, tString, in))
				if err != nil {
					t.Fatal(err)
				}
				defer got.Release()
				if got.Len() != n || got.NullN() != n {
					t.Fatalf("got %v", got)
				}
			})
		}
	}
}

func TestStringKernelsRejectOtherTypes(t *testing.T) {
	mem := checkedMem(t)
	in := fromJSON(t, mem, tInt64, `[1]`)
	if _, err := Length(mem, in); !errors.Is(err, errs.ErrNotImplemented) {
		t.Fatalf("got %v", err)
	}
	if _, err := Contains(mem, in, "1"); !errors.Is(err, errs.ErrNotImplemented) {
		t.Fatalf("got %v", err)
	}
}

func TestConcat(t *testing.T) {
	mem := checkedMem(t)
	a := slicedJSON(t, mem, tString, `["a", null, "", "é", "x"]`)
	b := fromJSON(t, mem, tLString, `["b", "b", "", null, "🦆"]`)
	got, err := Concat(mem, a, fromJSON(t, mem, tString, `["-"]`), b)
	assertArray(t, fromJSON(t, mem, tLString, `["a-b", null, "-", null, "x-🦆"]`), got, err)
	got, err = Concat(mem, a, a)
	assertArray(t, fromJSON(t, mem, tString, `["aa", null, "", "éé", "xx"]`), got, err)
	got, err = Concat(mem, fromJSON(t, mem, arrow.BinaryTypes.StringView, `["long enough to be out of line", "v"]`), fromJSON(t, mem, tString, `["!"]`))
	assertArray(t, fromJSON(t, mem, tString, `["long enough to be out of line!", "v!"]`), got, err)
	got, err = Concat(mem, a, fromJSON(t, mem, tString, `[null]`))
	assertArray(t, fromJSON(t, mem, tString, `[null, null, null, null, null]`), got, err)
	got, err = Concat(mem, fromJSON(t, mem, tString, `[]`), fromJSON(t, mem, tString, `[]`))
	assertArray(t, fromJSON(t, mem, tString, `[]`), got, err)
	if _, err := Concat(mem); !errors.Is(err, errs.ErrPlan) {
		t.Errorf("no arguments: got %v", err)
	}
	if _, err := Concat(mem, a, fromJSON(t, mem, tInt64, `[1]`)); !errors.Is(err, errs.ErrNotImplemented) {
		t.Errorf("int64 argument: got %v", err)
	}
	if _, err := Concat(mem, a, fromJSON(t, mem, tString, `["a", "b"]`)); !errors.Is(err, errs.ErrInternal) {
		t.Errorf("length mismatch: got %v", err)
	}
}
