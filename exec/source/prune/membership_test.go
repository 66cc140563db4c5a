package prune

import (
	"math"
	"math/rand/v2"
	"strings"
	"testing"

	"lakeframe/expr"
)

// TestMayMatchNaN: a float column that may hold NaN keeps the row groups
// where only NaN satisfies the predicate (NaN <> v, NOT (x < v)).
func TestMayMatchNaN(t *testing.T) {
	f := expr.Col("f")
	bounds := Stats{Rows: 10, Nulls: 0, Min: Float(5), Max: Float(5), HasBounds: true}
	noNaN := bounds
	noNaN.NoNaN = true
	cases := []struct {
		name string
		st   Stats
		pred expr.Expr
		want bool
	}{
		{"ne may be nan", bounds, f.Ne(5.0), true},
		{"ne no nan", noNaN, f.Ne(5.0), false},
		{"not lt may be nan", bounds, f.Gt(1.0).Not(), true},
		{"not lt no nan", noNaN, f.Gt(1.0).Not(), false},
		{"not in may be nan", bounds, f.IsIn(5.0).Not(), true},
		{"not in no nan", noNaN, f.IsIn(5.0).Not(), false},
		{"eq outside", bounds, f.Eq(6.0), false},
		{"only nan no bounds", Stats{Rows: 3, Nulls: 0}, f.Ne(1.0), true},
	}
	for _, c := range cases {
		p := Compile(resolve(t, c.pred), testSchema)
		if got := p.MayMatch(statsOf(map[string]Stats{"f": c.st})); got != c.want {
			t.Errorf("%s: %s MayMatch = %v, want %v", c.name, c.pred, got, c.want)
		}
	}
	if st := Constant(Float(math.NaN()), false, 1); st.NoNaN {
		t.Error("a NaN constant claims no NaN")
	}
}

// TestMayMatchContains: a membership test (a hash bucket) prunes equality
// and IN lists even without bounds, and never what it admits.
func TestMayMatchContains(t *testing.T) {
	i := expr.Col("i")
	even := func(v Value) bool { return v.i%2 == 0 }
	noBounds := Stats{Rows: 10, Nulls: 0, Contains: even}
	withBounds := Stats{Rows: 10, Nulls: 0, Min: Int(0), Max: Int(100), HasBounds: true, Contains: even}
	cases := []struct {
		st   Stats
		pred expr.Expr
		want bool
	}{
		{noBounds, i.Eq(3), false},
		{noBounds, i.Eq(4), true},
		{noBounds, i.IsIn(1, 3, 5), false},
		{noBounds, i.IsIn(1, 4), true},
		{noBounds, i.Ne(3), true},
		{noBounds, i.Eq(3).Not(), true},
		{noBounds, i.Lt(3), true},
		{withBounds, i.Eq(3), false},
		{withBounds, i.Eq(200), false},
		{withBounds, i.Eq(50), true},
		{withBounds, i.IsIn(3, 7, 200), false},
		{withBounds, i.IsIn(3, 8), true},
	}
	for _, c := range cases {
		p := Compile(resolve(t, c.pred), testSchema)
		if got := p.MayMatch(statsOf(map[string]Stats{"i": c.st})); got != c.want {
			t.Errorf("%s: MayMatch = %v, want %v", c.pred, got, c.want)
		}
	}
}

// TestStartsWithAgainstReference checks on random sets of strings that
// starts_with pruning never drops a set holding a match, with exact and
// with truncated maxima.
func TestStartsWithAgainstReference(t *testing.T) {
	r := rand.New(rand.NewPCG(3, 4))
	alphabet := []string{"", "a", "b", "ab", "ba", "abc", "b\xff", "é"}
	word := func() string {
		var sb strings.Builder
		for range r.IntN(4) {
			sb.WriteString(alphabet[1+r.IntN(len(alphabet)-1)])
		}
		return sb.String()
	}
	for iter := 0; iter < 20000; iter++ {
		n := 1 + r.IntN(4)
		vals := make([]string, n)
		for k := range vals {
			vals[k] = word()
		}
		lo, hi := vals[0], vals[0]
		for _, v := range vals {
			lo, hi = min(lo, v), max(hi, v)
		}
		st := Stats{Rows: int64(n), Nulls: 0, Min: String(lo), Max: String(hi), HasBounds: true}
		if r.IntN(3) == 0 && len(hi) > 0 {
			// A truncated maximum: a prefix of the true one.
			st.Max, st.MaxIsPrefix = String(hi[:r.IntN(len(hi))]), true
		}
		prefix := word()
		negate := r.IntN(2) == 0
		pred := expr.Col("s").Str().StartsWith(prefix)
		if negate {
			pred = pred.Not()
		}
		want := false
		for _, v := range vals {
			if strings.HasPrefix(v, prefix) != negate {
				want = true
			}
		}
		p := Compile(resolve(t, pred), testSchema)
		if want && !p.MayMatch(statsOf(map[string]Stats{"s": st})) {
			t.Fatalf("%s pruned %q (stats %+v) that match", pred, vals, st)
		}
	}
	// It does prune: a set entirely above the prefix's range.
	p := Compile(resolve(t, expr.Col("s").Str().StartsWith("ab")), testSchema)
	if p.MayMatch(statsOf(map[string]Stats{"s": {Rows: 2, Min: String("b"), Max: String("c"), HasBounds: true}})) {
		t.Error("starts_with(s, 'ab') kept strings in [b, c]")
	}
}
