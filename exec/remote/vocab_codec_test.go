package remote

import (
	"encoding/json"
	"reflect"
	"testing"

	"github.com/apache/arrow-go/v18/arrow"

	"lakeframe/expr"
)

// vocabSchema has a column of each type the function vocabulary takes.
var vocabSchema = arrow.NewSchema([]arrow.Field{
	{Name: "x", Type: arrow.PrimitiveTypes.Float64, Nullable: true},
	{Name: "i", Type: arrow.PrimitiveTypes.Int32, Nullable: true},
	{Name: "s", Type: arrow.BinaryTypes.String, Nullable: true},
	{Name: "b", Type: arrow.FixedWidthTypes.Boolean, Nullable: true},
	{Name: "d", Type: arrow.FixedWidthTypes.Date32, Nullable: true},
	{Name: "ts", Type: &arrow.TimestampType{Unit: arrow.Microsecond}, Nullable: true},
}, nil)

// vocabExprs builds every aggregate and function of the vocabulary through
// the public API, so that a new one missing here is easy to spot.
func vocabExprs() map[string]expr.Expr {
	x, i, s, b := expr.Col("x"), expr.Col("i"), expr.Col("s"), expr.Col("b")
	d, ts := expr.Col("d"), expr.Col("ts")
	return map[string]expr.Expr{
		"var": x.Var(), "std": x.Std(), "var_pop": i.VarPop(), "std_pop": i.StdPop(),
		"median": x.Median(), "quantile": x.Quantile(0.25), "approx": s.ApproxCountDistinct(),
		"first": s.First(), "last": x.Last(), "list": s.List(), "any": b.Any(), "all": b.All(),

		"abs": i.Abs(), "sign": x.Sign(), "round": x.Round(-2), "floor": i.Floor(), "ceil": x.Ceil(),
		"sqrt": x.Sqrt(), "exp": i.Exp(), "ln": x.Ln(), "log10": x.Log10(), "log": x.Log(i), "pow": x.Pow(2.5),
		"isnan": x.IsNaN(), "isfinite": i.IsFinite(),

		"trim": s.Str().Trim(), "ltrim": s.Str().LTrim(), "rtrim": s.Str().RTrim(), "lpad": s.Str().PadStart(4, "*"),
		"rpad": s.Str().PadEnd(4, "é"), "reverse": s.Str().Reverse(), "replace": s.Str().Replace("a", "b"),
		"split": s.Str().Split(","), "concat": expr.Concat(s, 1, x), "matches": s.Str().Matches("a+"),
		"extract": s.Str().Extract("(a)(b)", 2), "replace_all": s.Str().ReplaceAll("a(b)", "$1"),

		"hour": ts.Dt().Hour(), "minute": ts.Dt().Minute(), "second": ts.Dt().Second(), "weekday": d.Dt().Weekday(),
		"quarter": d.Dt().Quarter(), "dayofyear": ts.Dt().DayOfYear(), "trunc": ts.Dt().Truncate(expr.UnitWeek),
		"trunc date": d.Dt().Truncate(expr.UnitQuarter), "date_diff": expr.DateDiff(expr.UnitHour, d, ts),

		"try_cast": s.TryCast(arrow.PrimitiveTypes.Int32),
		"strftime": ts.Dt().Strftime("%Y %j"), "strptime": s.Str().Strptime("%d/%m/%Y"),
	}
}

// TestVocabularyRoundTrip sends every resolved expression of the
// vocabulary through the wire codec and expects the same tree back, with
// its parameters (quantile fractions, units, patterns, formats).
func TestVocabularyRoundTrip(t *testing.T) {
	for name, e := range vocabExprs() {
		t.Run(name, func(t *testing.T) {
			n, err := expr.Resolve(e.Node(), vocabSchema)
			if err != nil {
				t.Fatal(err)
			}
			data, err := MarshalExprs([]expr.Node{n})
			if err != nil {
				t.Fatal(err)
			}
			back, err := UnmarshalExprs(data)
			if err != nil {
				t.Fatal(err)
			}
			if len(back) != 1 || !reflect.DeepEqual(back[0], n) && !equalExpr(back[0], n) {
				t.Fatalf("got %v, want %s", back, n)
			}
			// The decoded tree resolves to the same type.
			want, _ := expr.TypeOf(n, vocabSchema)
			got, err := expr.TypeOf(back[0], vocabSchema)
			if err != nil || !arrow.TypeEqual(got, want) {
				t.Fatalf("decoded type %v (%v), want %s", got, err, want)
			}
		})
	}
	// A decoded regular expression call has its pattern compiled already.
	n, _ := expr.Resolve(expr.Col("s").Str().Matches("a+").Node(), vocabSchema)
	data, _ := MarshalExprs([]expr.Node{n})
	back, err := UnmarshalExprs(data)
	if err != nil || back[0].(*expr.Call).Regexp() == nil {
		t.Fatalf("decoded %v (%v) has no compiled pattern", back, err)
	}
	// An invalid pattern on the wire is an error, not a panic.
	bad, _ := MarshalExprs([]expr.Node{&expr.Call{Fn: expr.FnRegexMatch, Args: []expr.Node{expr.Col("s").Node(), expr.Lit("(").Node()}}})
	if _, err := UnmarshalExprs(bad); err == nil {
		t.Fatal("an invalid pattern decoded without error")
	}
	// A quantile's fraction is part of the node, not only of its text.
	var j []*exprJSON
	data, _ = MarshalExprs([]expr.Node{expr.Col("x").Quantile(0.25).Node()})
	if err := json.Unmarshal(data, &j); err != nil || j[0].Fraction != 0.25 {
		t.Fatalf("quantile fraction on the wire: %s", data)
	}
}
