package remote

import (
	"encoding/json"
	"reflect"
	"testing"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/decimal128"
	"github.com/apache/arrow-go/v18/arrow/scalar"

	"lakeframe/expr"
)

func TestSchemaRoundTrip(t *testing.T) {
	s := arrow.NewSchema([]arrow.Field{{Name: "a", Type: arrow.PrimitiveTypes.Int64, Nullable: true}}, nil)
	b, _ := encodeSchema(s)
	got, err := decodeSchema(b)
	if err != nil {
		t.Fatal(err)
	}
	if !got.Equal(s) {
		t.Fatalf("got %s", got)
	}
}

func TestSchemaRoundTripMeta(t *testing.T) {
	md := arrow.NewMetadata([]string{"k"}, []string{"v"})
	for _, s := range []*arrow.Schema{
		arrow.NewSchema([]arrow.Field{{Name: "a", Type: arrow.BinaryTypes.String, Nullable: true, Metadata: md}}, &md),
		arrow.NewSchema(nil, nil),
		arrow.NewSchema([]arrow.Field{{Name: "a", Type: &arrow.Decimal128Type{Precision: 15, Scale: 2}}}, nil),
	} {
		b, _ := encodeSchema(s)
		got, err := decodeSchema(b)
		if err != nil {
			t.Fatalf("%s: %v", s, err)
		}
		if !got.Equal(s) {
			t.Fatalf("got %s", got)
		}
	}
}

func TestExprRoundTrip(t *testing.T) {
	dec := &arrow.Decimal128Type{Precision: 15, Scale: 2}
	lit := func(s scalar.Scalar) expr.Node { return &expr.Literal{Value: s} }
	cases := map[string]expr.Node{
		"column":       &expr.Column{Name: "a b"},
		"int":          lit(scalar.NewInt64Scalar(-7)),
		"untyped":      &expr.Literal{Value: scalar.NewFloat64Scalar(2.5), Untyped: true},
		"null":         lit(scalar.MakeNullScalar(arrow.PrimitiveTypes.Int32)),
		"string":       lit(scalar.NewStringScalar("héllo")),
		"date":         lit(scalar.NewDate32Scalar(9000)),
		"decimal":      lit(scalar.NewDecimal128Scalar(decimal128.FromI64(12345), dec)),
		"interval":     lit(scalar.NewMonthDayNanoIntervalScalar(arrow.MonthDayNanoInterval{Months: 1, Days: 2, Nanoseconds: 3})),
		"binary":       &expr.Binary{Op: expr.BinaryOp(3), Left: &expr.Column{Name: "a"}, Right: lit(scalar.NewInt64Scalar(1))},
		"unary":        &expr.Unary{Op: expr.UnaryOp(1), In: &expr.Column{Name: "a"}},
		"isin":         &expr.IsIn{In: &expr.Column{Name: "a"}, List: []expr.Node{lit(scalar.NewInt64Scalar(1)), lit(scalar.NewInt64Scalar(2))}},
		"cast":         &expr.Cast{In: &expr.Column{Name: "a"}, To: dec},
		"alias":        &expr.Alias{In: &expr.Column{Name: "a"}, Name: "b"},
		"case":         &expr.Case{Whens: []expr.Node{&expr.Column{Name: "c"}}, Thens: []expr.Node{&expr.Column{Name: "a"}}, Else: &expr.Column{Name: "b"}},
		"case no else": &expr.Case{Whens: []expr.Node{&expr.Column{Name: "c"}}, Thens: []expr.Node{&expr.Column{Name: "a"}}},
		"call":         &expr.Call{Fn: expr.ScalarFunc(2), Args: []expr.Node{&expr.Column{Name: "a"}}},
		"agg":          &expr.Agg{Fn: expr.AggFunc(1), In: &expr.Column{Name: "a"}},
		"count all":    &expr.Agg{Fn: expr.AggFunc(0)},
		"sort key":     &expr.SortKey{In: &expr.Column{Name: "a"}, Desc: true, NullsFirst: true},
	}
	for name, n := range cases {
		t.Run(name, func(t *testing.T) {
			j, err := encodeExpr(n)
			if err != nil {
				t.Fatal(err)
			}
			data, err := json.Marshal(j)
			if err != nil {
				t.Fatal(err)
			}
			var back *exprJSON
			if err := json.Unmarshal(data, &back); err != nil {
				t.Fatal(err)
			}
			got, err := decodeExpr(back)
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(got, n) && !equalExpr(got, n) {
				t.Fatalf("got %s (%#v), want %s", got, got, n)
			}
		})
	}
}

// equalExpr compares trees by kind, printed form and literal values with
// their types, for literals whose scalars hold buffers DeepEqual cannot
// compare.
func equalExpr(a, b expr.Node) bool {
	if reflect.TypeOf(a) != reflect.TypeOf(b) || a.String() != b.String() {
		return false
	}
	if la, ok := a.(*expr.Literal); ok {
		lb := b.(*expr.Literal)
		return la.Untyped == lb.Untyped && scalar.Equals(la.Value, lb.Value)
	}
	ca, cb := a.Children(), b.Children()
	if len(ca) != len(cb) {
		return false
	}
	for i := range ca {
		if !equalExpr(ca[i], cb[i]) {
			return false
		}
	}
	return true
}
