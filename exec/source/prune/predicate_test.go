package prune

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/scalar"

	"lakeframe/expr"
)

var testSchema = arrow.NewSchema([]arrow.Field{
	{Name: "i", Type: arrow.PrimitiveTypes.Int32, Nullable: true},
	{Name: "s", Type: arrow.BinaryTypes.String, Nullable: true},
	{Name: "f", Type: arrow.PrimitiveTypes.Float64, Nullable: true},
	{Name: "b", Type: arrow.FixedWidthTypes.Boolean, Nullable: true},
	{Name: "d", Type: arrow.FixedWidthTypes.Date32, Nullable: true},
}, nil)

func resolve(t *testing.T, e expr.Expr) expr.Node {
	t.Helper()
	n, err := expr.Resolve(e.Node(), testSchema)
	if err != nil {
		t.Fatal(err)
	}
	return n
}

func statsOf(m map[string]Stats) StatsFunc {
	return func(col int) (Stats, bool) {
		s, ok := m[testSchema.Field(col).Name]
		return s, ok
	}
}

func TestMayMatchHandCases(t *testing.T) {
	i := expr.Col("i")
	s := expr.Col("s")
	// i in [10, 20] with 2 nulls of 100 rows; s in ["apple", "banana"].
	st := statsOf(map[string]Stats{
		"i": {Rows: 100, Nulls: 2, Min: Int(10), Max: Int(20), HasBounds: true},
		"s": {Rows: 100, Nulls: 0, Min: String("apple"), Max: String("banana"), HasBounds: true},
		"f": {Rows: 100, Nulls: 0, Min: Float(1), Max: Float(2), HasBounds: true},
		"b": {Rows: 100, Nulls: 0, Min: Bool(false), Max: Bool(false), HasBounds: true},
	})
	cases := []struct {
		name string
		pred expr.Expr
		want bool
	}{
		{"eq inside", i.Eq(15), true},
		{"eq below", i.Eq(9), false},
		{"eq min", i.Eq(10), true},
		{"lt min", i.Lt(10), false},
		{"le min", i.Le(10), true},
		{"gt max", i.Gt(20), false},
		{"ge max", i.Ge(20), true},
		{"between outside", i.Between(21, 30), false},
		{"between overlap", i.Between(0, 10), true},
		{"ne", i.Ne(15), true},
		{"is null", i.IsNull(), true},
		{"is not null", i.IsNotNull(), true},
		{"in miss", i.IsIn(1, 2, 30), false},
		{"in hit", i.IsIn(1, 12), true},
		{"in null only", i.IsIn(nil), false},
		{"not in", i.IsIn(1, 2).Not(), true},
		{"or both miss", i.Lt(5).Or(i.Gt(25)), false},
		{"or one hit", i.Lt(5).Or(i.Gt(15)), true},
		{"and one miss", i.Gt(15).And(s.Eq("cherry")), false},
		{"not lt", i.Lt(30).Not(), false},
		{"not gt", i.Gt(15).Not(), true},
		{"string range", s.Ge("b"), true},
		{"string above", s.Gt("banana"), false},
		{"string prefix above", s.Eq("bananas"), false},
		{"unknown function", s.Str().EndsWith("z"), true},
		{"starts with above", s.Str().StartsWith("z"), false},
		{"starts with inside", s.Str().StartsWith("ban"), true},
		{"unknown arithmetic", i.Add(1).Gt(100), true},
		{"unknown and miss", i.Add(1).Gt(100).And(i.Gt(50)), false},
		{"unknown or miss", i.Add(1).Gt(100).Or(i.Gt(50)), true},
		{"null literal", i.Eq(nil), false},
		{"bool col", expr.Col("b"), false},
		{"not bool col", expr.Col("b").Not(), true},
		{"float", expr.Col("f").Gt(1.5), true},
		{"float above", expr.Col("f").Gt(2.0), false},
		{"no stats", expr.Col("d").Eq("2024-01-01"), true},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			p := Compile(resolve(t, c.pred), testSchema)
			if got := p.MayMatch(st); got != c.want {
				t.Errorf("%s: MayMatch = %v, want %v", c.pred, got, c.want)
			}
		})
	}
}

func TestMayMatchPitfalls(t *testing.T) {
	f := expr.Col("f")
	s := expr.Col("s")
	cases := []struct {
		name  string
		stats Stats
		col   string
		pred  expr.Expr
		want  bool
	}{
		// A NaN bound says nothing: never prune on it.
		{"nan max", Stats{Rows: 10, Nulls: 0, Min: Float(1), Max: Float(nan()), HasBounds: true}, "f", f.Gt(100.0), true},
		{"nan min", Stats{Rows: 10, Nulls: 0, Min: Float(nan()), Max: Float(1), HasBounds: true}, "f", f.Lt(0.0), true},
		// A NaN literal is not pruned on.
		{"nan literal", Stats{Rows: 10, Nulls: 0, Min: Float(1), Max: Float(2), HasBounds: true}, "f", f.Eq(nan()), true},
		// A truncated max "abc" may stand for "abcz".
		{"truncated max", Stats{Rows: 10, Nulls: 0, Min: String("a"), Max: String("abc"), HasBounds: true, MaxIsPrefix: true}, "s", s.Eq("abcz"), true},
		{"truncated max gt", Stats{Rows: 10, Nulls: 0, Min: String("a"), Max: String("abc"), HasBounds: true, MaxIsPrefix: true}, "s", s.Gt("abc"), true},
		{"truncated max beyond", Stats{Rows: 10, Nulls: 0, Min: String("a"), Max: String("abc"), HasBounds: true, MaxIsPrefix: true}, "s", s.Gt("abd"), false},
		{"exact max", Stats{Rows: 10, Nulls: 0, Min: String("a"), Max: String("abc"), HasBounds: true}, "s", s.Eq("abcz"), false},
		// All-null row group: only IS NULL can match.
		{"all null eq", Stats{Rows: 10, Nulls: 10}, "f", f.Eq(1.0), false},
		{"all null is null", Stats{Rows: 10, Nulls: 10}, "f", f.IsNull(), true},
		{"all null not null", Stats{Rows: 10, Nulls: 10}, "f", f.IsNotNull(), false},
		{"unknown nulls", Stats{Rows: 10, Nulls: -1, Min: Float(1), Max: Float(2), HasBounds: true}, "f", f.IsNull(), true},
		{"no nulls", Stats{Rows: 10, Nulls: 0, Min: Float(1), Max: Float(2), HasBounds: true}, "f", f.IsNull(), false},
		{"no bounds", Stats{Rows: 10, Nulls: 0}, "f", f.Gt(100.0), true},
		{"empty", Stats{Rows: 0, Nulls: 0}, "f", f.IsNull(), false},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			p := Compile(resolve(t, c.pred), testSchema)
			got := p.MayMatch(statsOf(map[string]Stats{c.col: c.stats}))
			if got != c.want {
				t.Errorf("%s: MayMatch = %v, want %v", c.pred, got, c.want)
			}
		})
	}
}

func nan() float64 { var z float64; return z / z }

// tv is a SQL truth value for the reference evaluator.
type tv int

const (
	tFalse tv = iota
	tTrue
	tNull
)

// refEval evaluates a predicate on one row the plain way: row[col] is the
// int value of column i, nil for NULL.
func refEval(n expr.Node, row *int64) tv {
	switch x := n.(type) {
	case *expr.Binary:
		switch x.Op {
		case expr.OpAnd:
			a, b := refEval(x.Left, row), refEval(x.Right, row)
			if a == tFalse || b == tFalse {
				return tFalse
			}
			if a == tNull || b == tNull {
				return tNull
			}
			return tTrue
		case expr.OpOr:
			a, b := refEval(x.Left, row), refEval(x.Right, row)
			if a == tTrue || b == tTrue {
				return tTrue
			}
			if a == tNull || b == tNull {
				return tNull
			}
			return tFalse
		}
		lit := x.Right.(*expr.Literal)
		if row == nil || !lit.Value.IsValid() {
			return tNull
		}
		v := int64(lit.Value.(*scalar.Int32).Value)
		var r bool
		switch x.Op {
		case expr.OpEq:
			r = *row == v
		case expr.OpNe:
			r = *row != v
		case expr.OpLt:
			r = *row < v
		case expr.OpLe:
			r = *row <= v
		case expr.OpGt:
			r = *row > v
		case expr.OpGe:
			r = *row >= v
		}
		if r {
			return tTrue
		}
		return tFalse
	case *expr.Unary:
		switch x.Op {
		case expr.OpNot:
			switch refEval(x.In, row) {
			case tTrue:
				return tFalse
			case tFalse:
				return tTrue
			}
			return tNull
		case expr.OpIsNull:
			if row == nil {
				return tTrue
			}
			return tFalse
		case expr.OpIsNotNull:
			if row != nil {
				return tTrue
			}
			return tFalse
		}
	case *expr.IsIn:
		if row == nil {
			return tNull
		}
		sawNull := false
		for _, item := range x.List {
			l := item.(*expr.Literal)
			if !l.Value.IsValid() {
				sawNull = true
			} else if int64(l.Value.(*scalar.Int32).Value) == *row {
				return tTrue
			}
		}
		if sawNull {
			return tNull
		}
		return tFalse
	}
	panic(fmt.Sprintf("refEval: %T", n))
}

func randomPred(r *rand.Rand, depth int) expr.Expr {
	i := expr.Col("i")
	lit := func() any {
		if r.IntN(12) == 0 {
			return nil
		}
		return r.IntN(12)
	}
	if depth > 0 && r.IntN(3) == 0 {
		a, b := randomPred(r, depth-1), randomPred(r, depth-1)
		switch r.IntN(3) {
		case 0:
			return a.And(b)
		case 1:
			return a.Or(b)
		}
		return a.Not()
	}
	switch r.IntN(9) {
	case 0:
		return i.Eq(lit())
	case 1:
		return i.Ne(lit())
	case 2:
		return i.Lt(lit())
	case 3:
		return i.Le(lit())
	case 4:
		return i.Gt(lit())
	case 5:
		return i.Ge(lit())
	case 6:
		return i.IsNull()
	case 7:
		return i.IsNotNull()
	}
	return i.IsIn(lit(), lit(), lit())
}

// TestMayMatchAgainstReference checks on random row groups that pruning
// never drops a row group where some row matches, and that on constant
// columns (partition values) it is exact.
func TestMayMatchAgainstReference(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	for iter := 0; iter < 20000; iter++ {
		pred := resolve(t, randomPred(r, 3))
		n := 1 + r.IntN(4)
		rows := make([]*int64, n)
		constant := r.IntN(2) == 0
		for k := range rows {
			if constant && k > 0 {
				rows[k] = rows[0]
				continue
			}
			if r.IntN(4) != 0 {
				v := int64(r.IntN(12))
				rows[k] = &v
			}
		}
		var st Stats
		st.Rows = int64(n)
		var vals []int64
		for _, v := range rows {
			if v == nil {
				st.Nulls++
			} else {
				vals = append(vals, *v)
			}
		}
		if len(vals) > 0 {
			st.Min, st.Max, st.HasBounds = Int(slices.Min(vals)), Int(slices.Max(vals)), true
		}
		anyTrue := false
		for _, v := range rows {
			if refEval(pred, v) == tTrue {
				anyTrue = true
			}
		}
		p := Compile(pred, testSchema)
		got := p.MayMatch(statsOf(map[string]Stats{"i": st}))
		if anyTrue && !got {
			t.Fatalf("%s pruned rows %v that match", pred, deref(rows))
		}
		if constant && p.Exact() && got != anyTrue {
			t.Fatalf("%s on constant %v: MayMatch = %v, want %v", pred, deref(rows), got, anyTrue)
		}
	}
}

func deref(rows []*int64) []any {
	out := make([]any, len(rows))
	for i, v := range rows {
		if v != nil {
			out[i] = *v
		}
	}
	return out
}

func TestExactAndCanPrune(t *testing.T) {
	i, s := expr.Col("i"), expr.Col("s")
	usable := func(col int) bool { return testSchema.Field(col).Name == "i" }
	cases := []struct {
		pred            expr.Expr
		exact, canPrune bool
	}{
		{i.Eq(1), true, true},
		{i.Eq(1).And(s.Eq("x")), true, true},
		{i.Eq(1).Or(s.Eq("x")), true, false},
		{s.Eq("x"), true, false},
		{i.Add(1).Eq(2), false, false},
		{i.Add(1).Eq(2).And(i.Lt(5)), false, true},
		{i.Lt(5).Not(), true, true},
		{s.Str().StartsWith("a"), true, false},
		{s.Str().EndsWith("a"), false, false},
	}
	for _, c := range cases {
		p := Compile(resolve(t, c.pred), testSchema)
		if p.Exact() != c.exact || p.CanPrune(usable) != c.canPrune {
			t.Errorf("%s: exact=%v canPrune=%v, want %v %v", c.pred, p.Exact(), p.CanPrune(usable), c.exact, c.canPrune)
		}
	}
}
