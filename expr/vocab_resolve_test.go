package expr_test

import (
	"errors"
	"strings"
	"testing"

	"github.com/apache/arrow-go/v18/arrow"

	"lakeframe/errs"
	"lakeframe/expr"
)

// TestVocabularyPlanErrors: mistakes in the vocabulary's arguments are plan
// errors, found by Resolve, that say what is wrong.
func TestVocabularyPlanErrors(t *testing.T) {
	schema := arrow.NewSchema([]arrow.Field{
		{Name: "s", Type: arrow.BinaryTypes.String, Nullable: true},
		{Name: "x", Type: arrow.PrimitiveTypes.Float64, Nullable: true},
		{Name: "b", Type: arrow.FixedWidthTypes.Boolean, Nullable: true},
	}, nil)
	s, x := expr.Col("s").Str(), expr.Col("x")
	cases := []struct {
		e    expr.Expr
		says string
	}{
		{s.Matches("(a"), `"(a"`},
		{s.ReplaceAll("[z-a]", "x"), `"[z-a]"`},
		{s.Extract("(a)(b)", 3), "2 capture groups"},
		{s.Extract("a", -1), "group -1"},
		{s.PadStart(3, ""), "must not be empty"},
		{x.Str().Trim(), "needs a string"},
		{expr.Col("s").Abs(), "numeric"},
		{expr.Col("b").Sqrt(), "numeric"},
		{x.Log(expr.Col("s")), "numeric"},
		{x.Quantile(-0.1), "[0, 1]"},
		{expr.Col("s").Var(), "numeric"},
		{expr.Col("s").Dt().Strftime("%Y"), "date or timestamp"},
		{s.Strptime("%Y-%q"), "%q"},
		{s.Strptime("%A"), "%A"},
		{s.Strptime("%Y%"), "lone"},
	}
	for _, c := range cases {
		_, err := expr.Resolve(c.e.Node(), schema)
		if !errors.Is(err, errs.ErrPlan) || !strings.Contains(err.Error(), c.says) {
			t.Errorf("%s: got %v, want a plan error saying %q", c.e, err, c.says)
		}
	}
	// A valid pattern is compiled once, when the call is resolved.
	n, err := expr.Resolve(s.Matches("a+").Node(), schema)
	if err != nil {
		t.Fatal(err)
	}
	if n.(*expr.Call).Regexp() == nil {
		t.Error("resolved regexp_matches has no compiled pattern")
	}
}
