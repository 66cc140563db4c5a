// Package expr builds expression trees: column references, literals,
// operators, scalar functions, aggregates and sort keys. Expressions are
// small values whose methods chain:
//
//	expr.Col("amount").Mul(1.1).Gt(100).And(expr.Col("region").Eq("EU"))
//
// Wherever an operand is expected, an Expr or a plain Go value (a literal)
// may be given. Trees are resolved against a schema by Resolve, which checks
// column names and types and coerces literals to the types they meet.
package expr

import (
	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/scalar"
)

// Expr is an expression. It is a small value wrapping an immutable node;
// its zero value is invalid.
type Expr struct{ node Node }

// Wrap turns a node into an Expr.
func Wrap(n Node) Expr { return Expr{node: n} }

// Node returns the expression's root node; nil for the zero Expr.
func (e Expr) Node() Node { return e.node }

// tree is the node that an expression built on e holds: e's node, or for
// the zero Expr an invalid operand, which Resolve reports as a plan error.
func (e Expr) tree() Node {
	if e.node == nil {
		return &Literal{Value: scalar.MakeNullScalar(arrow.Null), Untyped: true, invalid: &invalidLiteral{zeroExpr{}}}
	}
	return e.node
}

// zeroExpr stands for an operand that was the zero Expr.
type zeroExpr struct{}

// String prints the expression.
func (e Expr) String() string {
	if e.node == nil {
		return "<invalid>"
	}
	return e.node.String()
}

// Col references the input column called name.
func Col(name string) Expr { return Expr{&Column{Name: name}} }

// Lit makes a literal from a Go value: bool, signed and unsigned integers,
// float32/64, string, []byte, time.Time (a date or timestamp, taking the
// type of the column it meets), Interval, nil (NULL) or an arrow scalar.
// A value of another type becomes an invalid literal that Resolve reports.
func Lit(v any) Expr { return Expr{newLiteral(v)} }

// CountAll counts rows, nulls included (SQL count(*)).
func CountAll() Expr { return Expr{&Agg{Fn: AggCountAll}} }

// Coalesce returns the first non-null argument.
func Coalesce(args ...any) Expr {
	return Expr{&Call{Fn: FnCoalesce, Args: toNodes(args)}}
}

// toExpr turns an operand into an Expr: an Expr stays as it is, anything
// else becomes a literal.
func toExpr(v any) Expr {
	switch x := v.(type) {
	case Expr:
		return x
	case Node:
		return Expr{x}
	}
	return Lit(v)
}

func toNodes(vs []any) []Node {
	out := make([]Node, len(vs))
	for i, v := range vs {
		out[i] = toExpr(v).tree()
	}
	return out
}

func (e Expr) binary(op BinaryOp, other any) Expr {
	return Expr{&Binary{Op: op, Left: e.tree(), Right: toExpr(other).tree()}}
}

// Eq is e = other.
func (e Expr) Eq(other any) Expr { return e.binary(OpEq, other) }

// Ne is e != other.
func (e Expr) Ne(other any) Expr { return e.binary(OpNe, other) }

// Lt is e < other.
func (e Expr) Lt(other any) Expr { return e.binary(OpLt, other) }

// Le is e <= other.
func (e Expr) Le(other any) Expr { return e.binary(OpLe, other) }

// Gt is e > other.
func (e Expr) Gt(other any) Expr { return e.binary(OpGt, other) }

// Ge is e >= other.
func (e Expr) Ge(other any) Expr { return e.binary(OpGe, other) }

// And is e AND other, with SQL three-valued logic.
func (e Expr) And(other any) Expr { return e.binary(OpAnd, other) }

// Or is e OR other, with SQL three-valued logic.
func (e Expr) Or(other any) Expr { return e.binary(OpOr, other) }

// Not is NOT e.
func (e Expr) Not() Expr { return Expr{&Unary{Op: OpNot, In: e.tree()}} }

// Add is e + other. A date or timestamp plus an Interval moves it in time.
func (e Expr) Add(other any) Expr { return e.binary(OpAdd, other) }

// Sub is e - other.
func (e Expr) Sub(other any) Expr { return e.binary(OpSub, other) }

// Mul is e * other.
func (e Expr) Mul(other any) Expr { return e.binary(OpMul, other) }

// Div is e / other. Division always gives a float64, as in DuckDB, and
// division by zero follows IEEE 754 (+Inf, -Inf or NaN), as DuckDB does.
func (e Expr) Div(other any) Expr { return e.binary(OpDiv, other) }

// Mod is the remainder of e / other; an integer remainder by zero is NULL.
func (e Expr) Mod(other any) Expr { return e.binary(OpMod, other) }

// Neg is -e.
func (e Expr) Neg() Expr { return Expr{&Unary{Op: OpNeg, In: e.tree()}} }

// IsNull is true where e is NULL.
func (e Expr) IsNull() Expr { return Expr{&Unary{Op: OpIsNull, In: e.tree()}} }

// IsNotNull is true where e is not NULL.
func (e Expr) IsNotNull() Expr { return Expr{&Unary{Op: OpIsNotNull, In: e.tree()}} }

// IsIn is true where e equals one of values (SQL IN).
func (e Expr) IsIn(values ...any) Expr {
	return Expr{&IsIn{In: e.tree(), List: toNodes(values)}}
}

// Between is lo <= e AND e <= hi.
func (e Expr) Between(lo, hi any) Expr {
	return e.Ge(lo).And(e.Le(hi))
}

// Alias names the expression's output column.
func (e Expr) Alias(name string) Expr { return Expr{&Alias{In: e.tree(), Name: name}} }

// Cast converts e to the Arrow type to.
func (e Expr) Cast(to arrow.DataType) Expr { return Expr{&Cast{In: e.tree(), To: to}} }

// TryCast converts e to the Arrow type to as Cast does, but a value that
// does not convert (text that is no number, a number out of range) becomes
// NULL instead of failing the query, as DuckDB's TRY_CAST. Types that no
// cast converts between are still a plan error.
func (e Expr) TryCast(to arrow.DataType) Expr {
	return Expr{&Cast{In: e.tree(), To: to, Try: true}}
}

// Sum adds up the non-null values. Integer sums are int64 and fail rather
// than overflow.
func (e Expr) Sum() Expr { return Expr{&Agg{Fn: AggSum, In: e.tree()}} }

// Count counts the non-null values.
func (e Expr) Count() Expr { return Expr{&Agg{Fn: AggCount, In: e.tree()}} }

// Mean averages the non-null values.
func (e Expr) Mean() Expr { return Expr{&Agg{Fn: AggMean, In: e.tree()}} }

// Min is the smallest non-null value.
func (e Expr) Min() Expr { return Expr{&Agg{Fn: AggMin, In: e.tree()}} }

// Max is the largest non-null value.
func (e Expr) Max() Expr { return Expr{&Agg{Fn: AggMax, In: e.tree()}} }

// CountDistinct counts the distinct non-null values.
func (e Expr) CountDistinct() Expr { return Expr{&Agg{Fn: AggCountDistinct, In: e.tree()}} }

// Asc sorts by e ascending, nulls last.
func (e Expr) Asc() Expr { return Expr{&SortKey{In: unwrapSortKey(e.tree())}} }

// Desc sorts by e descending, nulls last.
func (e Expr) Desc() Expr { return Expr{&SortKey{In: unwrapSortKey(e.tree()), Desc: true}} }

// NullsFirst puts nulls before other values in a sort key.
func (e Expr) NullsFirst() Expr {
	k, ok := e.tree().(*SortKey)
	if !ok {
		k = &SortKey{In: e.tree()}
	}
	return Expr{&SortKey{In: k.In, Desc: k.Desc, NullsFirst: true}}
}

func unwrapSortKey(n Node) Node {
	if k, ok := n.(*SortKey); ok {
		return k.In
	}
	return n
}

// CaseBuilder builds a CASE WHEN expression; finish it with Otherwise or End.
type CaseBuilder struct{ whens, thens []Node }

// When starts CASE WHEN cond THEN value.
func When(cond, value any) CaseBuilder {
	return CaseBuilder{}.When(cond, value)
}

// When adds a branch.
func (b CaseBuilder) When(cond, value any) CaseBuilder {
	return CaseBuilder{
		whens: append(append([]Node(nil), b.whens...), toExpr(cond).tree()),
		thens: append(append([]Node(nil), b.thens...), toExpr(value).tree()),
	}
}

// Otherwise finishes the CASE with an ELSE value.
func (b CaseBuilder) Otherwise(value any) Expr {
	return Expr{&Case{Whens: b.whens, Thens: b.thens, Else: toExpr(value).tree()}}
}

// End finishes the CASE; rows that match no branch are NULL.
func (b CaseBuilder) End() Expr {
	return Expr{&Case{Whens: b.whens, Thens: b.thens}}
}
