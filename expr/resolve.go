package expr

import (
	"fmt"
	"strings"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/scalar"

	"lakeframe/errs"
)

// Resolve checks an expression against the schema of its input and returns
// a typed tree: every column exists, operands of an operator share one type
// (Casts are inserted and untyped literals take the type they meet), and
// functions get arguments they accept. Errors wrap errs.ErrPlan and name the
// expression; an unknown column lists the columns that exist.
func Resolve(n Node, schema *arrow.Schema) (Node, error) {
	out, _, err := (&resolver{schema: schema}).resolve(n)
	return out, err
}

// TypeOf returns the type of a resolved expression.
func TypeOf(n Node, schema *arrow.Schema) (arrow.DataType, error) {
	_, t, err := (&resolver{schema: schema}).resolve(n)
	return t, err
}

// Field returns the output field of a resolved expression: its name
// (OutputName) and type. Every field is nullable.
func Field(n Node, schema *arrow.Schema) (arrow.Field, error) {
	t, err := TypeOf(n, schema)
	if err != nil {
		return arrow.Field{}, err
	}
	return arrow.Field{Name: OutputName(n), Type: t, Nullable: true}, nil
}

type resolver struct {
	schema *arrow.Schema
	inAgg  bool
}

func planErr(n Node, format string, args ...any) error {
	return fmt.Errorf("%w: %s: %s", errs.ErrPlan, n, fmt.Sprintf(format, args...))
}

// UnknownColumnError describes a column name that is not in the schema.
func UnknownColumnError(name string, schema *arrow.Schema) error {
	names := make([]string, schema.NumFields())
	for i, f := range schema.Fields() {
		names[i] = quoteIdent(f.Name)
	}
	return fmt.Errorf("%w: unknown column %q (columns: %s)", errs.ErrPlan, name, strings.Join(names, ", "))
}

func (r *resolver) resolve(n Node) (Node, arrow.DataType, error) {
	switch x := n.(type) {
	case *Column:
		idx := r.schema.FieldIndices(x.Name)
		switch len(idx) {
		case 0:
			return nil, nil, UnknownColumnError(x.Name, r.schema)
		case 1:
			return x, r.schema.Field(idx[0]).Type, nil
		}
		return nil, nil, planErr(x, "column name is ambiguous: %d columns are called %q", len(idx), x.Name)
	case *Literal:
		if x.invalid != nil {
			if _, ok := x.invalid.v.(zeroExpr); ok {
				return nil, nil, fmt.Errorf("%w: an operand is the zero expr.Expr{}; build expressions with expr.Col, expr.Lit and their methods", errs.ErrPlan)
			}
			return nil, nil, fmt.Errorf("%w: cannot use a Go value of type %T as a literal", errs.ErrPlan, x.invalid.v)
		}
		return x, x.Value.DataType(), nil
	case *Binary:
		return r.resolveBinary(x)
	case *Unary:
		return r.resolveUnary(x)
	case *IsIn:
		return r.resolveIsIn(x)
	case *Cast:
		in, t, err := r.resolve(x.In)
		if err != nil {
			return nil, nil, err
		}
		if !castable(t, x.To) {
			return nil, nil, planErr(x, "cannot cast %s to %s", t, x.To)
		}
		if arrow.TypeEqual(t, x.To) {
			return in, t, nil
		}
		if l, ok := in.(*Literal); ok {
			if s, ok := castLiteral(l.Value, x.To); ok {
				return &Literal{Value: s}, x.To, nil
			}
		}
		return &Cast{In: in, To: x.To, Try: x.Try}, x.To, nil
	case *Alias:
		in, t, err := r.resolve(x.In)
		if err != nil {
			return nil, nil, err
		}
		return &Alias{In: in, Name: x.Name}, t, nil
	case *Case:
		return r.resolveCase(x)
	case *Call:
		return r.resolveCall(x)
	case *Agg:
		return r.resolveAgg(x)
	case *SortKey:
		in, t, err := r.resolve(x.In)
		if err != nil {
			return nil, nil, err
		}
		return &SortKey{In: in, Desc: x.Desc, NullsFirst: x.NullsFirst}, t, nil
	}
	return nil, nil, fmt.Errorf("%w: resolve: unknown expression node %T", errs.ErrInternal, n)
}

func (r *resolver) resolveAll(ns []Node) ([]Node, []arrow.DataType, error) {
	out := make([]Node, len(ns))
	types := make([]arrow.DataType, len(ns))
	for i, n := range ns {
		var err error
		if out[i], types[i], err = r.resolve(n); err != nil {
			return nil, nil, err
		}
	}
	return out, types, nil
}

func (r *resolver) resolveBinary(b *Binary) (Node, arrow.DataType, error) {
	l, lt, err := r.resolve(b.Left)
	if err != nil {
		return nil, nil, err
	}
	rn, rt, err := r.resolve(b.Right)
	if err != nil {
		return nil, nil, err
	}
	switch {
	case b.Op.IsLogical():
		if l, err = asBoolean(l, lt); err != nil {
			return nil, nil, planErr(b, "%s needs boolean operands, got %s", b.Op, lt)
		}
		if rn, err = asBoolean(rn, rt); err != nil {
			return nil, nil, planErr(b, "%s needs boolean operands, got %s", b.Op, rt)
		}
		return &Binary{Op: b.Op, Left: l, Right: rn}, arrow.FixedWidthTypes.Boolean, nil
	case b.Op.IsComparison():
		ct, ok := commonType(l, lt, rn, rt)
		if !ok {
			return nil, nil, planErr(b, "cannot compare %s with %s", lt, rt)
		}
		if l, err = coerceTo(l, lt, ct); err != nil {
			return nil, nil, planErr(b, "%v", err)
		}
		if rn, err = coerceTo(rn, rt, ct); err != nil {
			return nil, nil, planErr(b, "%v", err)
		}
		return &Binary{Op: b.Op, Left: l, Right: rn}, arrow.FixedWidthTypes.Boolean, nil
	}
	return r.resolveArithmetic(b, l, lt, rn, rt)
}

func (r *resolver) resolveArithmetic(b *Binary, l Node, lt arrow.DataType, rn Node, rt arrow.DataType) (Node, arrow.DataType, error) {
	// Date and timestamp arithmetic with intervals.
	if isTemporal(lt) && rt.ID() == arrow.INTERVAL_MONTH_DAY_NANO && (b.Op == OpAdd || b.Op == OpSub) {
		return &Binary{Op: b.Op, Left: l, Right: rn}, lt, nil
	}
	if lt.ID() == arrow.INTERVAL_MONTH_DAY_NANO && isTemporal(rt) && b.Op == OpAdd {
		return &Binary{Op: b.Op, Left: rn, Right: l}, rt, nil
	}
	if IsNullLiteral(l) && isNumeric(rt) {
		lt = rt
		l = &Literal{Value: scalar.MakeNullScalar(rt)}
	}
	if IsNullLiteral(rn) && isNumeric(lt) {
		rt = lt
		rn = &Literal{Value: scalar.MakeNullScalar(lt)}
	}
	if !isNumeric(lt) || !isNumeric(rt) {
		return nil, nil, planErr(b, "%s needs numeric operands, got %s and %s", b.Op, lt, rt)
	}
	ct, _ := commonType(l, lt, rn, rt)
	switch {
	case b.Op == OpDiv:
		ct = arrow.PrimitiveTypes.Float64
	case isInteger(ct):
		ct = arrow.PrimitiveTypes.Int64
	case ct.ID() == arrow.FLOAT32 || ct.ID() == arrow.DECIMAL128:
		ct = arrow.PrimitiveTypes.Float64
	}
	var err error
	if l, err = coerceTo(l, lt, ct); err != nil {
		return nil, nil, planErr(b, "%v", err)
	}
	if rn, err = coerceTo(rn, rt, ct); err != nil {
		return nil, nil, planErr(b, "%v", err)
	}
	return &Binary{Op: b.Op, Left: l, Right: rn}, ct, nil
}

func (r *resolver) resolveUnary(u *Unary) (Node, arrow.DataType, error) {
	in, t, err := r.resolve(u.In)
	if err != nil {
		return nil, nil, err
	}
	switch u.Op {
	case OpNot:
		if in, err = asBoolean(in, t); err != nil {
			return nil, nil, planErr(u, "NOT needs a boolean operand, got %s", t)
		}
		return &Unary{Op: u.Op, In: in}, arrow.FixedWidthTypes.Boolean, nil
	case OpIsNull, OpIsNotNull:
		return &Unary{Op: u.Op, In: in}, arrow.FixedWidthTypes.Boolean, nil
	case OpNeg:
		if !isNumeric(t) {
			return nil, nil, planErr(u, "negation needs a numeric operand, got %s", t)
		}
		return &Unary{Op: u.Op, In: in}, t, nil
	}
	return nil, nil, fmt.Errorf("%w: unknown unary operator %d", errs.ErrInternal, u.Op)
}

func (r *resolver) resolveIsIn(x *IsIn) (Node, arrow.DataType, error) {
	in, t, err := r.resolve(x.In)
	if err != nil {
		return nil, nil, err
	}
	list, types, err := r.resolveAll(x.List)
	if err != nil {
		return nil, nil, err
	}
	ct := t
	for i, item := range list {
		if _, ok := item.(*Literal); !ok {
			return nil, nil, planErr(x, "IN list values must be literals, got %s", item)
		}
		var ok bool
		if ct, ok = commonType(in, ct, item, types[i]); !ok {
			return nil, nil, planErr(x, "cannot compare %s with %s", t, types[i])
		}
	}
	if in, err = coerceTo(in, t, ct); err != nil {
		return nil, nil, planErr(x, "%v", err)
	}
	for i := range list {
		if list[i], err = coerceTo(list[i], types[i], ct); err != nil {
			return nil, nil, planErr(x, "%v", err)
		}
	}
	return &IsIn{In: in, List: list}, arrow.FixedWidthTypes.Boolean, nil
}

func (r *resolver) resolveCase(c *Case) (Node, arrow.DataType, error) {
	whens, wt, err := r.resolveAll(c.Whens)
	if err != nil {
		return nil, nil, err
	}
	for i := range whens {
		if whens[i], err = asBoolean(whens[i], wt[i]); err != nil {
			return nil, nil, planErr(c, "WHEN condition %s is %s, not boolean", c.Whens[i], wt[i])
		}
	}
	values := append([]Node(nil), c.Thens...)
	if c.Else != nil {
		values = append(values, c.Else)
	}
	values, vt, err := r.resolveAll(values)
	if err != nil {
		return nil, nil, err
	}
	ct, err := commonOf(c, values, vt)
	if err != nil {
		return nil, nil, err
	}
	for i := range values {
		if values[i], err = coerceTo(values[i], vt[i], ct); err != nil {
			return nil, nil, planErr(c, "%v", err)
		}
	}
	out := &Case{Whens: whens, Thens: values[:len(c.Thens)]}
	if c.Else != nil {
		out.Else = values[len(values)-1]
	}
	return out, ct, nil
}

// commonOf finds the one type a list of values can all be coerced to.
func commonOf(n Node, values []Node, types []arrow.DataType) (arrow.DataType, error) {
	var ct arrow.DataType = arrow.Null
	var ctNode Node = &Literal{Value: scalar.MakeNullScalar(arrow.Null), Untyped: true}
	for i, v := range values {
		t, ok := commonType(ctNode, ct, v, types[i])
		if !ok {
			return nil, planErr(n, "values have incompatible types %s and %s", ct, types[i])
		}
		if !arrow.TypeEqual(t, ct) {
			ct, ctNode = t, v
		}
	}
	return ct, nil
}

func (r *resolver) resolveCall(c *Call) (Node, arrow.DataType, error) {
	args, types, err := r.resolveAll(c.Args)
	if err != nil {
		return nil, nil, err
	}
	switch c.Fn {
	case FnCoalesce:
		if len(args) == 0 {
			return nil, nil, planErr(c, "coalesce needs at least one argument")
		}
		ct, err := commonOf(c, args, types)
		if err != nil {
			return nil, nil, err
		}
		for i := range args {
			if args[i], err = coerceTo(args[i], types[i], ct); err != nil {
				return nil, nil, planErr(c, "%v", err)
			}
		}
		return &Call{Fn: c.Fn, Args: args}, ct, nil
	case FnContains, FnStartsWith, FnEndsWith, FnLike, FnLower, FnUpper, FnLength, FnSubstr:
		if !isString(types[0]) {
			return nil, nil, planErr(c, "%s needs a string, got %s", c.Fn, types[0])
		}
		for i := 1; i < len(args); i++ {
			if _, ok := args[i].(*Literal); !ok {
				return nil, nil, planErr(c, "argument %d of %s must be a literal", i+1, c.Fn)
			}
		}
		switch c.Fn {
		case FnLower, FnUpper:
			return &Call{Fn: c.Fn, Args: args}, types[0], nil
		case FnLength:
			return &Call{Fn: c.Fn, Args: args}, arrow.PrimitiveTypes.Int64, nil
		case FnSubstr:
			return &Call{Fn: c.Fn, Args: args}, types[0], nil
		}
		return &Call{Fn: c.Fn, Args: args}, arrow.FixedWidthTypes.Boolean, nil
	case FnTrim, FnLTrim, FnRTrim, FnPadStart, FnPadEnd, FnReverse, FnReplace, FnSplit, FnConcat,
		FnRegexMatch, FnRegexExtract, FnRegexReplace:
		return r.resolveString(c, args, types)
	case FnStrftime, FnStrptime:
		return r.resolveTimeFormat(c, args, types)
	case FnHour, FnMinute, FnSecond, FnWeekday, FnQuarter, FnDayOfYear, FnDateTrunc, FnDateDiff:
		return r.resolveTemporal(c, args, types)
	case FnAbs, FnSign, FnRound, FnFloor, FnCeil, FnSqrt, FnExp, FnLn, FnLog10, FnLog, FnPow, FnIsNaN, FnIsFinite:
		if len(args) == 0 {
			return nil, nil, planErr(c, "%s needs an argument", c.Fn)
		}
		return r.resolveMath(c, args, types)
	case FnYear, FnMonth, FnDay:
		if !isTemporal(types[0]) {
			return nil, nil, planErr(c, "%s needs a date or timestamp, got %s", c.Fn, types[0])
		}
		return &Call{Fn: c.Fn, Args: args}, arrow.PrimitiveTypes.Int64, nil
	}
	return nil, nil, fmt.Errorf("%w: unknown function %d", errs.ErrInternal, c.Fn)
}

func (r *resolver) resolveAgg(a *Agg) (Node, arrow.DataType, error) {
	if r.inAgg {
		return nil, nil, planErr(a, "aggregates cannot be nested")
	}
	if a.In == nil {
		return a, arrow.PrimitiveTypes.Int64, nil
	}
	r.inAgg = true
	in, t, err := r.resolve(a.In)
	r.inAgg = false
	if err != nil {
		return nil, nil, err
	}
	if a.Fn == AggQuantile && !(a.Fraction >= 0 && a.Fraction <= 1) {
		return nil, nil, planErr(a, "the quantile must lie in [0, 1], got %v", a.Fraction)
	}
	out := &Agg{Fn: a.Fn, In: in, Fraction: a.Fraction}
	rt, err := AggResultType(a.Fn, t)
	if err != nil {
		return nil, nil, planErr(a, "%v", err)
	}
	return out, rt, nil
}

// AggResultType is the type an aggregate returns for an input type.
func AggResultType(fn AggFunc, in arrow.DataType) (arrow.DataType, error) {
	switch fn {
	case AggCount, AggCountAll, AggCountDistinct:
		return arrow.PrimitiveTypes.Int64, nil
	case AggSum:
		switch {
		case isInteger(in):
			return arrow.PrimitiveTypes.Int64, nil
		case in.ID() == arrow.DECIMAL128:
			// Decimal sums keep their scale with the widest precision.
			return &arrow.Decimal128Type{Precision: 38, Scale: in.(*arrow.Decimal128Type).Scale}, nil
		case isNumeric(in):
			return arrow.PrimitiveTypes.Float64, nil
		}
		return nil, fmt.Errorf("sum needs a numeric input, got %s", in)
	case AggMean:
		if isNumeric(in) {
			return arrow.PrimitiveTypes.Float64, nil
		}
		return nil, fmt.Errorf("mean needs a numeric input, got %s", in)
	case AggMin, AggMax:
		if isNumeric(in) || isString(in) || isTemporal(in) || in.ID() == arrow.BOOL {
			return in, nil
		}
		return nil, fmt.Errorf("%s is not defined for %s", fn, in)
	case AggVar, AggStd, AggVarPop, AggStdPop, AggMedian, AggQuantile:
		if isNumeric(in) {
			return arrow.PrimitiveTypes.Float64, nil
		}
		return nil, fmt.Errorf("%s needs a numeric input, got %s", fn, in)
	case AggApproxCountDistinct:
		if isNumeric(in) || isString(in) || isTemporal(in) || in.ID() == arrow.BOOL || in.ID() == arrow.BINARY || in.ID() == arrow.LARGE_BINARY {
			return arrow.PrimitiveTypes.Int64, nil
		}
		return nil, fmt.Errorf("%s is not defined for %s", fn, in)
	case AggFirst, AggLast:
		return in, nil
	case AggList:
		return arrow.ListOf(in), nil
	case AggAny, AggAll:
		if in.ID() == arrow.BOOL {
			return in, nil
		}
		return nil, fmt.Errorf("%s needs a boolean input, got %s", fn, in)
	}
	return nil, fmt.Errorf("unknown aggregate %d", fn)
}

// asBoolean accepts a boolean operand, or a NULL that becomes a boolean
// NULL; anything else is an error (no implicit casts to boolean).
func asBoolean(n Node, t arrow.DataType) (Node, error) {
	switch t.ID() {
	case arrow.BOOL:
		return n, nil
	case arrow.NULL:
		return coerceTo(n, t, arrow.FixedWidthTypes.Boolean)
	}
	return nil, fmt.Errorf("%s is not boolean", t)
}
