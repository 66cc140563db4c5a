package rules

import (
	"reflect"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/scalar"

	"lakeframe/expr"
)

// sameExpr reports whether two expression trees are structurally equal.
// Rules use it to avoid pushing a predicate a scan already has; plans are
// never compared by their printed text.
func sameExpr(a, b expr.Node) bool {
	if a == b {
		return true
	}
	if a == nil || b == nil || reflect.TypeOf(a) != reflect.TypeOf(b) || !sameFields(a, b) {
		return false
	}
	ac, bc := a.Children(), b.Children()
	if len(ac) != len(bc) {
		return false
	}
	for i := range ac {
		if !sameExpr(ac[i], bc[i]) {
			return false
		}
	}
	return true
}

// sameFields compares what a node holds besides its children; a and b have
// the same dynamic type. An unknown node kind is never equal, which only
// costs a missed deduplication.
func sameFields(a, b expr.Node) bool {
	switch x := a.(type) {
	case *expr.Column:
		return x.Name == b.(*expr.Column).Name
	case *expr.Literal:
		return scalar.Equals(x.Value, b.(*expr.Literal).Value)
	case *expr.Binary:
		return x.Op == b.(*expr.Binary).Op
	case *expr.Unary:
		return x.Op == b.(*expr.Unary).Op
	case *expr.IsIn:
		return true
	case *expr.Cast:
		y := b.(*expr.Cast)
		return arrow.TypeEqual(x.To, y.To) && x.Try == y.Try
	case *expr.Alias:
		return x.Name == b.(*expr.Alias).Name
	case *expr.Case:
		y := b.(*expr.Case)
		return len(x.Whens) == len(y.Whens) && (x.Else == nil) == (y.Else == nil)
	case *expr.Call:
		return x.Fn == b.(*expr.Call).Fn
	case *expr.Agg:
		y := b.(*expr.Agg)
		return x.Fn == y.Fn && x.Fraction == y.Fraction
	case *expr.SortKey:
		y := b.(*expr.SortKey)
		return x.Desc == y.Desc && x.NullsFirst == y.NullsFirst
	}
	return false
}
