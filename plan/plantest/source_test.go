package plantest_test

import (
	"strings"
	"testing"

	"github.com/apache/arrow-go/v18/arrow"

	"lakeframe/expr"
	"lakeframe/plan"
	"lakeframe/plan/plantest"
)

func TestNewSource(t *testing.T) {
	src, err := plantest.NewSource("orders", "id:int64:exact:notnull", "price:decimal(15,2):inexact", "note:string", "day:date32:unsupported")
	if err != nil {
		t.Fatal(err)
	}
	want := arrow.NewSchema([]arrow.Field{
		{Name: "id", Type: arrow.PrimitiveTypes.Int64, Nullable: false},
		{Name: "price", Type: &arrow.Decimal128Type{Precision: 15, Scale: 2}, Nullable: true},
		{Name: "note", Type: arrow.BinaryTypes.String, Nullable: true},
		{Name: "day", Type: arrow.FixedWidthTypes.Date32, Nullable: true},
	}, nil)
	if !src.Schema().Equal(want) {
		t.Errorf("schema %s, want %s", src.Schema(), want)
	}
	if got := plan.NewScan(src).String(); got != "Scan fake: orders" {
		t.Errorf("scan prints as %q", got)
	}
}

func TestNewSourceErrors(t *testing.T) {
	for _, spec := range []string{"id", "id:", ":int64", "id:int128", "id:int64:sometimes", "id:int64:exact:x", "id:int64:exact:notnull:x", "d:decimal(15)"} {
		if _, err := plantest.NewSource("t", spec); err == nil || !strings.Contains(err.Error(), spec) {
			t.Errorf("spec %q: error %v, want one naming the spec", spec, err)
		}
	}
}

func TestSupportsFilter(t *testing.T) {
	src := plantest.MustSource(t, "t", "e:int64:exact", "i:int64:inexact", "u:int64")
	e, i, u := expr.Col("e"), expr.Col("i"), expr.Col("u")
	tests := []struct {
		pred expr.Expr
		want plan.FilterSupport
	}{
		{e.Gt(1), plan.FilterExact},
		{i.Gt(1), plan.FilterInexact},
		{u.Gt(1), plan.FilterUnsupported},
		{e.Gt(i), plan.FilterInexact},
		{e.Gt(1).And(u.IsNull()), plan.FilterUnsupported},
		{expr.Lit(true), plan.FilterExact},
	}
	for _, tc := range tests {
		r, err := expr.Resolve(tc.pred.Node(), src.Schema())
		if err != nil {
			t.Fatal(err)
		}
		if got := src.SupportsFilter(r); got != tc.want {
			t.Errorf("%s: support %d, want %d", tc.pred, got, tc.want)
		}
	}
}

func TestBuilder(t *testing.T) {
	n := plantest.Scan(t, "a:int64:exact", "s:string").
		Pushdown([]string{"a", "s"}, []expr.Expr{expr.Col("a").Gt(1)}, -1).
		Filter(expr.Col("s").Eq("x")).
		Project(expr.Col("a").Mul(2).Alias("a2"), expr.Col("s")).
		Aggregate([]expr.Expr{expr.Col("s")}, expr.Col("a2").Sum().Alias("total")).
		Sort(expr.Col("total").Desc()).
		Limit(1, 10).
		Distinct().
		Node()
	want := `Distinct
  Limit 10 offset=1
    Sort total DESC NULLS LAST
      Aggregate keys=[s] aggs=[sum(a2) AS total]
        Project (a * 2) AS a2, s
          Filter (s = "x")
            Scan fake: t columns=[a, s] filters=[(a > 1)]
`
	if got := plan.Format(n); got != want {
		t.Errorf("got\n%s\nwant\n%s", got, want)
	}
}

func TestBuilderJoin(t *testing.T) {
	left := plantest.ScanOf(t, plantest.MustSource(t, "l", "id:int64", "name:string"))
	right := plantest.ScanOf(t, plantest.MustSource(t, "r", "id:int64", "name:string", "v:float64"))
	tests := []struct {
		name     string
		build    func() plan.Node
		want     string
		wantCols string
	}{
		{"keys_and_suffix", func() plan.Node {
			return left.Join(right, plan.LeftJoin, plantest.On(expr.Col("id"), expr.Col("id")), plantest.Suffix("_r")).Node()
		}, "Join left on=[id = id]", "id name id_r name_r v"},
		{"using_keeps_key_once", func() plan.Node {
			return left.Join(right, plan.InnerJoin, plantest.Using("id"), plantest.Where(expr.Col("v").Gt(1))).Node()
		}, "Join inner on=[id = id] filter=(v > 1)", "id name name_right v"},
		{"cross", func() plan.Node {
			return left.Join(right, plan.CrossJoin).Node()
		}, "Join cross", "id name id_right name_right v"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			n := tc.build()
			if got := n.String(); got != tc.want {
				t.Errorf("join prints as %q, want %q", got, tc.want)
			}
			var names []string
			for _, f := range n.Schema().Fields() {
				names = append(names, f.Name)
			}
			if got := strings.Join(names, " "); got != tc.wantCols {
				t.Errorf("columns %q, want %q", got, tc.wantCols)
			}
		})
	}
}
