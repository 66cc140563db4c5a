//go:build cgo

package sql

import (
	"context"
	"strconv"
	"strings"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/scalar"
	pg "github.com/pganalyze/pg_query_go/v6"

	"lakeframe/expr"
)

// expr binds a scalar expression.
func (b *binder) expr(ctx context.Context, ec *exprCtx, n *pg.Node) (expr.Node, error) {
	if n == nil {
		return nil, b.errAt(-1, CodeSyntaxError, "missing expression")
	}
	switch {
	case n.GetColumnRef() != nil:
		return b.columnRef(ec, n.GetColumnRef())
	case n.GetAConst() != nil:
		return b.constant(n.GetAConst())
	case n.GetAExpr() != nil:
		return b.operator(ctx, ec, n.GetAExpr())
	case n.GetBoolExpr() != nil:
		return b.boolExpr(ctx, ec, n.GetBoolExpr())
	case n.GetNullTest() != nil:
		t := n.GetNullTest()
		in, err := b.expr(ctx, ec, t.Arg)
		if err != nil {
			return nil, err
		}
		if t.Nulltesttype == pg.NullTestType_IS_NOT_NULL {
			return &expr.Unary{Op: expr.OpIsNotNull, In: in}, nil
		}
		return &expr.Unary{Op: expr.OpIsNull, In: in}, nil
	case n.GetFuncCall() != nil:
		return b.funcCall(ctx, ec, n.GetFuncCall())
	case n.GetCaseExpr() != nil:
		return b.caseExpr(ctx, ec, n.GetCaseExpr())
	case n.GetTypeCast() != nil:
		tc := n.GetTypeCast()
		in, err := b.expr(ctx, ec, tc.Arg)
		if err != nil {
			return nil, err
		}
		to, err := arrowType(b.text, tc.TypeName)
		if err != nil {
			return nil, err
		}
		return &expr.Cast{In: in, To: to}, nil
	case n.GetCoalesceExpr() != nil:
		args, err := b.exprs(ctx, ec, n.GetCoalesceExpr().Args)
		if err != nil {
			return nil, err
		}
		return &expr.Call{Fn: expr.FnCoalesce, Args: args}, nil
	case n.GetSubLink() != nil:
		return b.subLink(ctx, ec, n.GetSubLink())
	case n.GetParamRef() != nil:
		return nil, b.unsupported(n.GetParamRef().Location, "query parameters ($n)")
	case n.GetBooleanTest() != nil:
		return nil, b.unsupported(n.GetBooleanTest().Location, "IS [NOT] TRUE/FALSE/UNKNOWN")
	}
	return nil, b.unsupported(-1, "this kind of expression")
}

func (b *binder) exprs(ctx context.Context, ec *exprCtx, ns []*pg.Node) ([]expr.Node, error) {
	out := make([]expr.Node, len(ns))
	for i, n := range ns {
		var err error
		if out[i], err = b.expr(ctx, ec, n); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// columnRef resolves a column name in the block, then in the blocks
// around it (a correlated reference).
func (b *binder) columnRef(ec *exprCtx, ref *pg.ColumnRef) (expr.Node, error) {
	var qual, name string
	switch len(ref.Fields) {
	case 1:
		name = ref.Fields[0].GetString_().GetSval()
	case 2:
		qual = ref.Fields[0].GetString_().GetSval()
		name = ref.Fields[1].GetString_().GetSval()
	default:
		return nil, b.unsupported(ref.Location, "column reference "+dotted(ref.Fields))
	}
	if ref.Fields[len(ref.Fields)-1].GetAStar() != nil {
		return nil, b.errAt(ref.Location, CodeSyntaxError, "%s is only allowed in a select list", dotted(ref.Fields))
	}
	for s := ec.sc; s != nil; s = s.parent {
		found := s.lookup(qual, name)
		if len(found) == 1 {
			return &expr.Column{Name: found[0].id}, nil
		}
		if len(found) > 1 {
			return nil, b.errAt(ref.Location, CodeAmbiguousColumn, "column reference %q is ambiguous", dotted(ref.Fields))
		}
	}
	if qual != "" && !anyScopeHasTable(ec.sc, qual) {
		return nil, b.errAt(ref.Location, CodeUndefinedTable, "missing FROM-clause entry for table %q (%s)", qual, ec.sc.describe())
	}
	return nil, b.errAt(ref.Location, CodeUndefinedColumn, "column %q does not exist (%s)", dotted(ref.Fields), ec.sc.describe())
}

func anyScopeHasTable(s *scope, qual string) bool {
	for ; s != nil; s = s.parent {
		if s.hasTable(qual) {
			return true
		}
	}
	return false
}

// constant binds a literal. Integers and strings are untyped, so they
// take the type of the column they meet, as PostgreSQL's unknown-typed
// literals do; decimals are float64 (PostgreSQL's numeric), typed so that
// they do not turn into the integer column they meet.
func (b *binder) constant(c *pg.A_Const) (expr.Node, error) {
	if c.Isnull {
		return expr.Lit(nil).Node(), nil
	}
	switch {
	case c.GetIval() != nil:
		return expr.Lit(int64(c.GetIval().Ival)).Node(), nil
	case c.GetFval() != nil:
		s := c.GetFval().Fval
		if i, err := strconv.ParseInt(s, 10, 64); err == nil {
			return expr.Lit(i).Node(), nil
		}
		f, err := strconv.ParseFloat(s, 64)
		if err != nil {
			return nil, b.errAt(c.Location, CodeInvalidParameter, "numeric constant %s is out of range", s)
		}
		// Typed: 0.5 + int_col is fractional, as PostgreSQL's numeric.
		return expr.NewLiteral(scalar.NewFloat64Scalar(f)), nil
	case c.GetSval() != nil:
		return expr.Lit(c.GetSval().Sval).Node(), nil
	case c.GetBoolval() != nil:
		return expr.Lit(c.GetBoolval().Boolval).Node(), nil
	}
	return nil, b.unsupported(c.Location, "this kind of constant")
}

func (b *binder) boolExpr(ctx context.Context, ec *exprCtx, e *pg.BoolExpr) (expr.Node, error) {
	args, err := b.exprs(ctx, ec, e.Args)
	if err != nil {
		return nil, err
	}
	switch e.Boolop {
	case pg.BoolExprType_NOT_EXPR:
		return &expr.Unary{Op: expr.OpNot, In: args[0]}, nil
	case pg.BoolExprType_AND_EXPR:
		return foldBinary(expr.OpAnd, args), nil
	}
	return foldBinary(expr.OpOr, args), nil
}

func foldBinary(op expr.BinaryOp, args []expr.Node) expr.Node {
	out := args[0]
	for _, a := range args[1:] {
		out = &expr.Binary{Op: op, Left: out, Right: a}
	}
	return out
}

var comparisons = map[string]expr.BinaryOp{
	"=": expr.OpEq, "<>": expr.OpNe, "!=": expr.OpNe,
	"<": expr.OpLt, "<=": expr.OpLe, ">": expr.OpGt, ">=": expr.OpGe,
}

var arithmetic = map[string]expr.BinaryOp{
	"+": expr.OpAdd, "-": expr.OpSub, "*": expr.OpMul, "/": expr.OpDiv, "%": expr.OpMod,
}

// operator binds the A_Expr family: operators, IN lists, BETWEEN, LIKE,
// NULLIF and IS [NOT] DISTINCT FROM.
func (b *binder) operator(ctx context.Context, ec *exprCtx, e *pg.A_Expr) (expr.Node, error) {
	op := nameOf(e.Name)
	switch e.Kind {
	case pg.A_Expr_Kind_AEXPR_OP:
		if e.Lexpr == nil {
			in, err := b.expr(ctx, ec, e.Rexpr)
			if err != nil {
				return nil, err
			}
			switch op {
			case "-":
				return &expr.Unary{Op: expr.OpNeg, In: in}, nil
			case "+":
				return in, nil
			}
			return nil, b.errAt(e.Location, CodeUndefinedFunction, "operator does not exist: %s", op)
		}
		l, r, err := b.operands(ctx, ec, e)
		if err != nil {
			return nil, err
		}
		if c, ok := comparisons[op]; ok {
			l, r = b.unknownLiterals(ec, l, r)
			return &expr.Binary{Op: c, Left: l, Right: r}, nil
		}
		if a, ok := arithmetic[op]; ok {
			return b.arith(ec, e.Location, a, l, r)
		}
		if op == "||" {
			return nil, b.unsupported(e.Location, "string concatenation (||)")
		}
		return nil, b.errAt(e.Location, CodeUndefinedFunction, "operator does not exist: %s", op)
	case pg.A_Expr_Kind_AEXPR_IN:
		return b.inList(ctx, ec, e, op == "<>")
	case pg.A_Expr_Kind_AEXPR_BETWEEN, pg.A_Expr_Kind_AEXPR_NOT_BETWEEN,
		pg.A_Expr_Kind_AEXPR_BETWEEN_SYM, pg.A_Expr_Kind_AEXPR_NOT_BETWEEN_SYM:
		return b.between(ctx, ec, e)
	case pg.A_Expr_Kind_AEXPR_LIKE:
		return b.like(ctx, ec, e, op == "!~~")
	case pg.A_Expr_Kind_AEXPR_NULLIF:
		l, r, err := b.operands(ctx, ec, e)
		if err != nil {
			return nil, err
		}
		return &expr.Case{Whens: []expr.Node{&expr.Binary{Op: expr.OpEq, Left: l, Right: r}},
			Thens: []expr.Node{expr.Lit(nil).Node()}, Else: l}, nil
	case pg.A_Expr_Kind_AEXPR_DISTINCT, pg.A_Expr_Kind_AEXPR_NOT_DISTINCT:
		l, r, err := b.operands(ctx, ec, e)
		if err != nil {
			return nil, err
		}
		distinct := isDistinctFrom(l, r)
		if e.Kind == pg.A_Expr_Kind_AEXPR_NOT_DISTINCT {
			return &expr.Unary{Op: expr.OpNot, In: distinct}, nil
		}
		return distinct, nil
	case pg.A_Expr_Kind_AEXPR_ILIKE:
		return nil, b.unsupported(e.Location, "ILIKE")
	case pg.A_Expr_Kind_AEXPR_SIMILAR:
		return nil, b.unsupported(e.Location, "SIMILAR TO")
	case pg.A_Expr_Kind_AEXPR_OP_ANY, pg.A_Expr_Kind_AEXPR_OP_ALL:
		return nil, b.unsupported(e.Location, "ANY/ALL over arrays")
	}
	return nil, b.unsupported(e.Location, "operator "+op)
}

// unknownLiterals gives a quoted constant compared with a number or a
// boolean the other side's type, as PostgreSQL types a literal of unknown
// type by what it meets: a >= '2' compares with the integer 2. Text that
// does not read as a value of that type is left as it is, and the
// comparison reports the mismatch.
func (b *binder) unknownLiterals(ec *exprCtx, l, r expr.Node) (expr.Node, expr.Node) {
	convert := func(lit, other expr.Node) expr.Node {
		c, ok := lit.(*expr.Literal)
		if !ok || !c.Untyped || !c.Value.IsValid() || c.Value.DataType().ID() != arrow.STRING {
			return lit
		}
		t, err := b.typeOf(ec, other)
		if err != nil {
			return lit
		}
		text := strings.TrimSpace(c.Value.String())
		switch {
		case t.ID() == arrow.INT8 || t.ID() == arrow.INT16 || t.ID() == arrow.INT32 || t.ID() == arrow.INT64:
			if v, err := strconv.ParseInt(text, 10, 64); err == nil {
				return expr.Lit(v).Node()
			}
		case t.ID() == arrow.FLOAT32 || t.ID() == arrow.FLOAT64 || t.ID() == arrow.DECIMAL128:
			if v, err := strconv.ParseFloat(text, 64); err == nil {
				return expr.Lit(v).Node()
			}
		case t.ID() == arrow.BOOL:
			switch strings.ToLower(text) {
			case "t", "true", "yes", "on", "1":
				return expr.Lit(true).Node()
			case "f", "false", "no", "off", "0":
				return expr.Lit(false).Node()
			}
		}
		return lit
	}
	return convert(l, r), convert(r, l)
}

// operands binds both sides of a binary A_Expr.
func (b *binder) operands(ctx context.Context, ec *exprCtx, e *pg.A_Expr) (expr.Node, expr.Node, error) {
	l, err := b.expr(ctx, ec, e.Lexpr)
	if err != nil {
		return nil, nil, err
	}
	r, err := b.expr(ctx, ec, e.Rexpr)
	if err != nil {
		return nil, nil, err
	}
	return l, r, nil
}

// isDistinctFrom is a IS DISTINCT FROM b: never NULL, and NULLs are equal.
func isDistinctFrom(l, r expr.Node) expr.Node {
	ln := &expr.Unary{Op: expr.OpIsNull, In: l}
	rn := &expr.Unary{Op: expr.OpIsNull, In: r}
	return &expr.Case{
		Whens: []expr.Node{&expr.Binary{Op: expr.OpAnd, Left: ln, Right: rn}, &expr.Binary{Op: expr.OpOr, Left: ln, Right: rn}},
		Thens: []expr.Node{expr.Lit(false).Node(), expr.Lit(true).Node()},
		Else:  &expr.Binary{Op: expr.OpNe, Left: l, Right: r},
	}
}

// arith binds arithmetic with PostgreSQL's integer semantics: lakeframe's
// / is float division, PostgreSQL's truncates toward zero when both
// operands are integers. x - x % y is an exact multiple of y, so dividing
// it as floats gives the truncated quotient exactly (for |x| < 2^53), and
// % is already C's remainder, with the sign of x, as in PostgreSQL.
func (b *binder) arith(ec *exprCtx, offset int32, op expr.BinaryOp, l, r expr.Node) (expr.Node, error) {
	out := &expr.Binary{Op: op, Left: l, Right: r}
	if op != expr.OpDiv {
		return out, nil
	}
	lt, err := b.typeOf(ec, l)
	if err != nil {
		return nil, b.engineErr(offset, err)
	}
	rt, err := b.typeOf(ec, r)
	if err != nil {
		return nil, b.engineErr(offset, err)
	}
	if !isIntegerType(lt) || !isIntegerType(rt) {
		return out, nil
	}
	whole := &expr.Binary{Op: expr.OpSub, Left: l, Right: &expr.Binary{Op: expr.OpMod, Left: l, Right: r}}
	return &expr.Cast{In: &expr.Binary{Op: expr.OpDiv, Left: whole, Right: r}, To: arrow.PrimitiveTypes.Int64}, nil
}

func isIntegerType(t arrow.DataType) bool {
	switch t.ID() {
	case arrow.INT8, arrow.INT16, arrow.INT32, arrow.INT64, arrow.UINT8, arrow.UINT16, arrow.UINT32, arrow.UINT64:
		return true
	}
	return false
}

// inList binds x [NOT] IN (v1, ...). A list of constants becomes one IsIn,
// which has SQL's NULL semantics; other lists become ORed equalities, which
// have them too.
func (b *binder) inList(ctx context.Context, ec *exprCtx, e *pg.A_Expr, negate bool) (expr.Node, error) {
	x, err := b.expr(ctx, ec, e.Lexpr)
	if err != nil {
		return nil, err
	}
	items := e.Rexpr.GetList().GetItems()
	list, err := b.exprs(ctx, ec, items)
	if err != nil {
		return nil, err
	}
	var out expr.Node
	allConst := true
	for _, v := range list {
		if _, ok := v.(*expr.Literal); !ok {
			allConst = false
		}
	}
	if allConst {
		out = &expr.IsIn{In: x, List: list}
	} else {
		eqs := make([]expr.Node, len(list))
		for i, v := range list {
			eqs[i] = &expr.Binary{Op: expr.OpEq, Left: x, Right: v}
		}
		out = foldBinary(expr.OpOr, eqs)
	}
	if negate {
		return &expr.Unary{Op: expr.OpNot, In: out}, nil
	}
	return out, nil
}

func (b *binder) between(ctx context.Context, ec *exprCtx, e *pg.A_Expr) (expr.Node, error) {
	x, err := b.expr(ctx, ec, e.Lexpr)
	if err != nil {
		return nil, err
	}
	bounds, err := b.exprs(ctx, ec, e.Rexpr.GetList().GetItems())
	if err != nil {
		return nil, err
	}
	if len(bounds) != 2 {
		return nil, b.errAt(e.Location, CodeSyntaxError, "BETWEEN needs two bounds")
	}
	within := func(lo, hi expr.Node) expr.Node {
		return &expr.Binary{Op: expr.OpAnd,
			Left:  &expr.Binary{Op: expr.OpGe, Left: x, Right: lo},
			Right: &expr.Binary{Op: expr.OpLe, Left: x, Right: hi}}
	}
	out := within(bounds[0], bounds[1])
	if e.Kind == pg.A_Expr_Kind_AEXPR_BETWEEN_SYM || e.Kind == pg.A_Expr_Kind_AEXPR_NOT_BETWEEN_SYM {
		out = &expr.Binary{Op: expr.OpOr, Left: out, Right: within(bounds[1], bounds[0])}
	}
	if e.Kind == pg.A_Expr_Kind_AEXPR_NOT_BETWEEN || e.Kind == pg.A_Expr_Kind_AEXPR_NOT_BETWEEN_SYM {
		return &expr.Unary{Op: expr.OpNot, In: out}, nil
	}
	return out, nil
}

// like binds x [NOT] LIKE 'pattern'; lakeframe's LIKE takes a constant
// pattern.
func (b *binder) like(ctx context.Context, ec *exprCtx, e *pg.A_Expr, negate bool) (expr.Node, error) {
	x, err := b.expr(ctx, ec, e.Lexpr)
	if err != nil {
		return nil, err
	}
	pat, err := b.expr(ctx, ec, e.Rexpr)
	if err != nil {
		return nil, err
	}
	if _, ok := pat.(*expr.Literal); !ok {
		return nil, b.unsupported(e.Location, "LIKE with a pattern that is not a constant")
	}
	var out expr.Node = &expr.Call{Fn: expr.FnLike, Args: []expr.Node{x, pat}}
	if negate {
		out = &expr.Unary{Op: expr.OpNot, In: out}
	}
	return out, nil
}

// caseExpr binds both forms of CASE; CASE x WHEN v ... compares x = v.
func (b *binder) caseExpr(ctx context.Context, ec *exprCtx, c *pg.CaseExpr) (expr.Node, error) {
	var arg expr.Node
	if c.Arg != nil {
		var err error
		if arg, err = b.expr(ctx, ec, c.Arg); err != nil {
			return nil, err
		}
	}
	out := &expr.Case{}
	for _, w := range c.Args {
		cw := w.GetCaseWhen()
		cond, err := b.expr(ctx, ec, cw.Expr)
		if err != nil {
			return nil, err
		}
		if arg != nil {
			cond = &expr.Binary{Op: expr.OpEq, Left: arg, Right: cond}
		}
		val, err := b.expr(ctx, ec, cw.Result)
		if err != nil {
			return nil, err
		}
		out.Whens = append(out.Whens, cond)
		out.Thens = append(out.Thens, val)
	}
	if c.Defresult != nil {
		var err error
		if out.Else, err = b.expr(ctx, ec, c.Defresult); err != nil {
			return nil, err
		}
	}
	return out, nil
}
