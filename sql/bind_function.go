//go:build cgo

package sql

import (
	"context"
	"strings"

	pg "github.com/pganalyze/pg_query_go/v6"

	"lakeframe/expr"
)

var aggregates = map[string]expr.AggFunc{
	"count": expr.AggCount, "sum": expr.AggSum, "avg": expr.AggMean,
	"min": expr.AggMin, "max": expr.AggMax,
}

var stringFunctions = map[string]expr.ScalarFunc{
	"lower": expr.FnLower, "upper": expr.FnUpper,
	"length": expr.FnLength, "char_length": expr.FnLength, "character_length": expr.FnLength,
}

// funcCall binds a function call: an aggregate, or one of the scalar
// functions lakeframe has.
func (b *binder) funcCall(ctx context.Context, ec *exprCtx, f *pg.FuncCall) (expr.Node, error) {
	name := strings.ToLower(nameOf(f.Funcname))
	if f.Over != nil {
		return nil, b.unsupported(f.Location, "window functions (OVER)")
	}
	if fn, ok := aggregates[name]; ok {
		return b.aggregate(ctx, ec, f, name, fn)
	}
	if f.AggStar || f.AggDistinct || f.AggFilter != nil || len(f.AggOrder) > 0 {
		return nil, b.errAt(f.Location, CodeSyntaxError, "%s is not an aggregate function", name)
	}
	args, err := b.exprs(ctx, ec, f.Args)
	if err != nil {
		return nil, err
	}
	arity := func(n int) error {
		if len(args) != n {
			return b.errAt(f.Location, CodeUndefinedFunction, "function %s takes %d argument(s), got %d", name, n, len(args))
		}
		return nil
	}
	switch name {
	case "abs":
		if err := arity(1); err != nil {
			return nil, err
		}
		// expr has no abs; CASE gives it, NULL staying NULL.
		x := args[0]
		return &expr.Case{Whens: []expr.Node{&expr.Binary{Op: expr.OpLt, Left: x, Right: expr.Lit(0).Node()}},
			Thens: []expr.Node{&expr.Unary{Op: expr.OpNeg, In: x}}, Else: x}, nil
	case "coalesce":
		return &expr.Call{Fn: expr.FnCoalesce, Args: args}, nil
	case "nullif":
		if err := arity(2); err != nil {
			return nil, err
		}
		return &expr.Case{Whens: []expr.Node{&expr.Binary{Op: expr.OpEq, Left: args[0], Right: args[1]}},
			Thens: []expr.Node{expr.Lit(nil).Node()}, Else: args[0]}, nil
	}
	if fn, ok := stringFunctions[name]; ok {
		if err := arity(1); err != nil {
			return nil, err
		}
		return &expr.Call{Fn: fn, Args: args}, nil
	}
	return nil, b.errAt(f.Location, CodeUndefinedFunction, "function %s does not exist or is not supported", name)
}

func (b *binder) aggregate(ctx context.Context, ec *exprCtx, f *pg.FuncCall, name string, fn expr.AggFunc) (expr.Node, error) {
	if !ec.allowAgg {
		return nil, b.errAt(f.Location, CodeGroupingError, "aggregate functions are not allowed in %s", ec.clause)
	}
	if f.AggFilter != nil {
		return nil, b.unsupported(f.Location, "aggregate FILTER clauses")
	}
	if len(f.AggOrder) > 0 {
		return nil, b.unsupported(f.Location, "ORDER BY inside an aggregate")
	}
	if f.AggStar {
		if name != "count" {
			return nil, b.errAt(f.Location, CodeSyntaxError, "%s(*) is not allowed; only count(*)", name)
		}
		return &expr.Agg{Fn: expr.AggCountAll}, nil
	}
	if len(f.Args) != 1 {
		return nil, b.errAt(f.Location, CodeUndefinedFunction, "function %s takes one argument, got %d", name, len(f.Args))
	}
	// Aggregates cannot nest: the argument is bound without them.
	inner := *ec
	inner.allowAgg = false
	inner.clause = "aggregate function calls"
	in, err := b.expr(ctx, &inner, f.Args[0])
	if err != nil {
		return nil, err
	}
	if f.AggDistinct {
		switch fn {
		case expr.AggCount:
			return &expr.Agg{Fn: expr.AggCountDistinct, In: in}, nil
		case expr.AggMin, expr.AggMax:
			// The minimum of the distinct values is the minimum.
		case expr.AggSum, expr.AggMean:
			return &distinctAgg{fn: fn, in: in}, nil
		}
	}
	return &expr.Agg{Fn: fn, In: in}, nil
}
