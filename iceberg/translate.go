package iceberg

import (
	"math"
	"time"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/scalar"
	iceberg "github.com/apache/iceberg-go"
	"github.com/google/uuid"

	"lakeframe/expr"
)

// translation is a lakeframe predicate turned into an iceberg-go one.
type translation struct {
	expr iceberg.BooleanExpression
	// startsWith marks expressions that iceberg-go can prune with but not
	// evaluate on rows (it has no kernel for it).
	startsWith bool
}

// translator turns resolved lakeframe predicates over a table's columns
// into iceberg-go expressions for manifest, partition and metrics pruning.
type translator struct {
	schema *iceberg.Schema
}

// translate returns the iceberg-go form of n, or false when n has none.
// Where positive is set (n is not under a NOT), an AND may drop the side
// it cannot translate: the result is then weaker than n, which is all
// pruning needs.
func (t *translator) translate(n expr.Node, positive bool) (translation, bool) {
	switch x := n.(type) {
	case *expr.Literal:
		if b, ok := x.Value.(*scalar.Boolean); ok {
			if b.Valid && b.Value {
				return translation{expr: iceberg.AlwaysTrue{}}, true
			}
			return translation{expr: iceberg.AlwaysFalse{}}, true
		}
	case *expr.Binary:
		switch {
		case x.Op == expr.OpAnd:
			l, lok := t.translate(x.Left, positive)
			r, rok := t.translate(x.Right, positive)
			switch {
			case lok && rok:
				return translation{iceberg.NewAnd(l.expr, r.expr), l.startsWith || r.startsWith}, true
			case lok && positive:
				return l, true
			case rok && positive:
				return r, true
			}
			return translation{}, false
		case x.Op == expr.OpOr:
			l, lok := t.translate(x.Left, positive)
			r, rok := t.translate(x.Right, positive)
			if lok && rok {
				return translation{iceberg.NewOr(l.expr, r.expr), l.startsWith || r.startsWith}, true
			}
			return translation{}, false
		case x.Op.IsComparison():
			return t.comparison(x)
		}
	case *expr.Unary:
		switch x.Op {
		case expr.OpNot:
			in, ok := t.translate(x.In, !positive)
			if !ok {
				return translation{}, false
			}
			return translation{iceberg.NewNot(in.expr), in.startsWith}, true
		case expr.OpIsNull, expr.OpIsNotNull:
			col, ok := x.In.(*expr.Column)
			if !ok || t.field(col.Name) == nil {
				return translation{}, false
			}
			if x.Op == expr.OpIsNull {
				return translation{expr: iceberg.IsNull(iceberg.Reference(col.Name))}, true
			}
			return translation{expr: iceberg.NotNull(iceberg.Reference(col.Name))}, true
		}
	case *expr.IsIn:
		col, ok := x.In.(*expr.Column)
		if !ok {
			return translation{}, false
		}
		f := t.field(col.Name)
		if f == nil {
			return translation{}, false
		}
		lits := make([]iceberg.Literal, 0, len(x.List))
		for _, v := range x.List {
			l, ok := v.(*expr.Literal)
			if !ok {
				return translation{}, false
			}
			if !l.Value.IsValid() {
				// A NULL in the list never matches; it only turns false into
				// NULL, which filters the same.
				continue
			}
			lit, ok := literal(l.Value, f.Type)
			if !ok {
				return translation{}, false
			}
			lits = append(lits, lit)
		}
		if len(lits) == 0 {
			return translation{expr: iceberg.AlwaysFalse{}}, true
		}
		return translation{expr: iceberg.SetPredicate(iceberg.OpIn, iceberg.Reference(col.Name), lits)}, true
	case *expr.Call:
		if x.Fn == expr.FnStartsWith && len(x.Args) == 2 {
			col, ok := x.Args[0].(*expr.Column)
			lit, lok := x.Args[1].(*expr.Literal)
			if !ok || !lok || !lit.Value.IsValid() || t.field(col.Name) == nil {
				return translation{}, false
			}
			s, ok := lit.Value.(*scalar.String)
			if !ok {
				return translation{}, false
			}
			if _, isStr := t.field(col.Name).Type.(iceberg.StringType); !isStr {
				return translation{}, false
			}
			return translation{expr: iceberg.StartsWith(iceberg.Reference(col.Name), string(s.Data())), startsWith: true}, true
		}
	}
	return translation{}, false
}

func (t *translator) field(name string) *iceberg.NestedField {
	f, ok := t.schema.FindFieldByName(name)
	if !ok {
		return nil
	}
	return &f
}

// comparison translates col op literal, with the column possibly under a
// widening cast, a cast of a timestamp to its date, or Year().
func (t *translator) comparison(b *expr.Binary) (translation, bool) {
	left, right, op := b.Left, b.Right, b.Op
	if _, ok := left.(*expr.Literal); ok {
		left, right, op = right, left, op.Flip()
	}
	lit, ok := right.(*expr.Literal)
	if !ok || !lit.Value.IsValid() {
		return translation{}, false
	}
	switch l := left.(type) {
	case *expr.Column:
		f := t.field(l.Name)
		if f == nil {
			return translation{}, false
		}
		v, ok := literal(lit.Value, f.Type)
		if !ok {
			return translation{}, false
		}
		return translation{expr: compare(op, l.Name, v)}, true
	case *expr.Cast:
		col, ok := l.In.(*expr.Column)
		if !ok {
			return translation{}, false
		}
		f := t.field(col.Name)
		if f == nil {
			return translation{}, false
		}
		if l.To.ID() == arrow.DATE32 && isTimestamp(f.Type) {
			d, ok := lit.Value.(*scalar.Date32)
			if !ok {
				return translation{}, false
			}
			day := int64(d.Value)
			return dayRange(col.Name, f.Type, op, day, day+1)
		}
		if !widening(f.Type, l.To) {
			return translation{}, false
		}
		if x, isFloat := lit.Value.(*scalar.Float64); isFloat {
			return floatCompare(op, col.Name, f.Type, x.Value)
		}
		v, ok := literal(lit.Value, f.Type)
		if !ok {
			return translation{}, false
		}
		return translation{expr: compare(op, col.Name, v)}, true
	case *expr.Call:
		if l.Fn != expr.FnYear || len(l.Args) != 1 {
			return translation{}, false
		}
		col, ok := l.Args[0].(*expr.Column)
		if !ok {
			return translation{}, false
		}
		f := t.field(col.Name)
		if f == nil || !(isTimestamp(f.Type) || isDate(f.Type)) {
			return translation{}, false
		}
		y, ok := intValue(lit.Value)
		if !ok || y < 1 || y > 9999 {
			return translation{}, false
		}
		from := civilDay(int(y))
		to := civilDay(int(y) + 1)
		return dayRange(col.Name, f.Type, op, from, to)
	}
	return translation{}, false
}

// floatCompare translates CAST(col AS float64) op v for an int or float
// column, whose values may not include v: iceberg-go cannot convert such
// a literal to the column's type, and rounding it would change which
// values compare true. Between the column values lo <= v <= hi,
// col < v is col <= lo and col > v is col >= hi.
func floatCompare(op expr.BinaryOp, name string, typ iceberg.Type, v float64) (translation, bool) {
	if math.IsNaN(v) {
		return translation{}, false
	}
	var lo, hi iceberg.Literal
	exact := false
	switch typ.(type) {
	case iceberg.Int32Type:
		if v < math.MinInt32 || v > math.MaxInt32 {
			return translation{}, false
		}
		fl, cl := math.Floor(v), math.Ceil(v)
		lo, hi, exact = iceberg.NewLiteral(int32(fl)), iceberg.NewLiteral(int32(cl)), fl == v
	case iceberg.Float32Type:
		if math.IsInf(v, 0) || math.Abs(v) > math.MaxFloat32 {
			return translation{}, false
		}
		f := float32(v)
		switch {
		case float64(f) == v:
			lo, hi, exact = iceberg.NewLiteral(f), iceberg.NewLiteral(f), true
		case float64(f) < v:
			lo, hi = iceberg.NewLiteral(f), iceberg.NewLiteral(math.Nextafter32(f, float32(math.Inf(1))))
		default:
			lo, hi = iceberg.NewLiteral(math.Nextafter32(f, float32(math.Inf(-1)))), iceberg.NewLiteral(f)
		}
	default:
		return translation{}, false
	}
	ref := iceberg.Reference(name)
	switch {
	case exact:
		return translation{expr: compare(op, name, lo)}, true
	case op == expr.OpEq:
		return translation{expr: iceberg.AlwaysFalse{}}, true
	case op == expr.OpLt, op == expr.OpLe:
		return translation{expr: iceberg.LiteralPredicate(iceberg.OpLTEQ, ref, lo)}, true
	case op == expr.OpGt, op == expr.OpGe:
		return translation{expr: iceberg.LiteralPredicate(iceberg.OpGTEQ, ref, hi)}, true
	}
	// col != v holds for every non-null value: nothing to prune with.
	return translation{}, false
}

// dayRange translates "f(col) op v" where the values of col for which
// f(col) == v are the days [from, to).
func dayRange(name string, typ iceberg.Type, op expr.BinaryOp, from, to int64) (translation, bool) {
	lo, hi := dayLiteral(typ, from), dayLiteral(typ, to)
	ref := iceberg.Reference(name)
	var e iceberg.BooleanExpression
	switch op {
	case expr.OpEq:
		e = iceberg.NewAnd(iceberg.LiteralPredicate(iceberg.OpGTEQ, ref, lo), iceberg.LiteralPredicate(iceberg.OpLT, ref, hi))
	case expr.OpLt:
		e = iceberg.LiteralPredicate(iceberg.OpLT, ref, lo)
	case expr.OpLe:
		e = iceberg.LiteralPredicate(iceberg.OpLT, ref, hi)
	case expr.OpGt:
		e = iceberg.LiteralPredicate(iceberg.OpGTEQ, ref, hi)
	case expr.OpGe:
		e = iceberg.LiteralPredicate(iceberg.OpGTEQ, ref, lo)
	default:
		return translation{}, false
	}
	return translation{expr: e}, true
}

// dayLiteral is midnight (UTC) of a day since the epoch, in typ's units.
func dayLiteral(typ iceberg.Type, day int64) iceberg.Literal {
	switch typ.(type) {
	case iceberg.DateType:
		return iceberg.NewLiteral(iceberg.Date(day))
	case iceberg.TimestampNsType, iceberg.TimestampTzNsType:
		return iceberg.NewLiteral(iceberg.TimestampNano(day * 86400 * 1e9))
	}
	return iceberg.NewLiteral(iceberg.Timestamp(day * 86400 * 1e6))
}

func civilDay(year int) int64 {
	return time.Date(year, 1, 1, 0, 0, 0, 0, time.UTC).Unix() / 86400
}

func compare(op expr.BinaryOp, name string, v iceberg.Literal) iceberg.BooleanExpression {
	ref := iceberg.Reference(name)
	switch op {
	case expr.OpEq:
		return iceberg.LiteralPredicate(iceberg.OpEQ, ref, v)
	case expr.OpNe:
		return iceberg.LiteralPredicate(iceberg.OpNEQ, ref, v)
	case expr.OpLt:
		return iceberg.LiteralPredicate(iceberg.OpLT, ref, v)
	case expr.OpLe:
		return iceberg.LiteralPredicate(iceberg.OpLTEQ, ref, v)
	case expr.OpGt:
		return iceberg.LiteralPredicate(iceberg.OpGT, ref, v)
	}
	return iceberg.LiteralPredicate(iceberg.OpGTEQ, ref, v)
}

func isTimestamp(t iceberg.Type) bool {
	switch t.(type) {
	case iceberg.TimestampType, iceberg.TimestampTzType, iceberg.TimestampNsType, iceberg.TimestampTzNsType:
		return true
	}
	return false
}

func isDate(t iceberg.Type) bool {
	_, ok := t.(iceberg.DateType)
	return ok
}

// widening reports a cast that keeps every value of an Iceberg column and
// its order, so a comparison on the cast prunes like one on the column.
func widening(from iceberg.Type, to arrow.DataType) bool {
	switch from.(type) {
	case iceberg.Int32Type:
		return to.ID() == arrow.INT64 || to.ID() == arrow.FLOAT64
	case iceberg.Int64Type:
		return false
	case iceberg.Float32Type:
		return to.ID() == arrow.FLOAT64
	}
	return false
}

func intValue(s scalar.Scalar) (int64, bool) {
	switch v := s.(type) {
	case *scalar.Int8:
		return int64(v.Value), true
	case *scalar.Int16:
		return int64(v.Value), true
	case *scalar.Int32:
		return int64(v.Value), true
	case *scalar.Int64:
		return v.Value, true
	case *scalar.Uint8:
		return int64(v.Value), true
	case *scalar.Uint16:
		return int64(v.Value), true
	case *scalar.Uint32:
		return int64(v.Value), true
	}
	return 0, false
}

// literal converts a lakeframe constant to an iceberg-go literal for a
// column of type typ; iceberg-go converts it to the column's exact type
// when it binds the predicate.
func literal(s scalar.Scalar, typ iceberg.Type) (iceberg.Literal, bool) {
	if i, ok := intValue(s); ok {
		return iceberg.NewLiteral(i), true
	}
	switch v := s.(type) {
	case *scalar.Boolean:
		return iceberg.NewLiteral(v.Value), true
	case *scalar.Float32:
		return iceberg.NewLiteral(v.Value), true
	case *scalar.Float64:
		return iceberg.NewLiteral(v.Value), true
	case *scalar.String:
		str := string(v.Data())
		if _, ok := typ.(iceberg.UUIDType); ok {
			u, err := uuid.Parse(str)
			if err != nil {
				return nil, false
			}
			return iceberg.NewLiteral(u), true
		}
		return iceberg.NewLiteral(str), true
	case *scalar.LargeString:
		return iceberg.NewLiteral(string(v.Data())), true
	case *scalar.Binary:
		return iceberg.NewLiteral(append([]byte(nil), v.Data()...)), true
	case *scalar.FixedSizeBinary:
		return iceberg.NewLiteral(append([]byte(nil), v.Data()...)), true
	case *scalar.Date32:
		return iceberg.NewLiteral(iceberg.Date(v.Value)), true
	case *scalar.Timestamp:
		unit := v.Type.(*arrow.TimestampType).Unit
		switch typ.(type) {
		case iceberg.TimestampNsType, iceberg.TimestampTzNsType:
			return iceberg.NewLiteral(iceberg.TimestampNano(toNanos(int64(v.Value), unit))), true
		case iceberg.TimestampType, iceberg.TimestampTzType:
			if unit == arrow.Nanosecond && int64(v.Value)%1000 != 0 {
				return nil, false
			}
			return iceberg.NewLiteral(iceberg.Timestamp(toNanos(int64(v.Value), unit) / 1000)), true
		}
	case *scalar.Time64:
		unit := v.Type.(*arrow.Time64Type).Unit
		if unit == arrow.Nanosecond {
			if int64(v.Value)%1000 != 0 {
				return nil, false
			}
			return iceberg.NewLiteral(iceberg.Time(int64(v.Value) / 1000)), true
		}
		return iceberg.NewLiteral(iceberg.Time(v.Value)), true
	case *scalar.Decimal128:
		dt := v.Type.(*arrow.Decimal128Type)
		return iceberg.NewLiteral(iceberg.Decimal{Val: v.Value, Scale: int(dt.Scale)}), true
	}
	return nil, false
}

func toNanos(v int64, unit arrow.TimeUnit) int64 {
	switch unit {
	case arrow.Second:
		return v * 1e9
	case arrow.Millisecond:
		return v * 1e6
	case arrow.Microsecond:
		return v * 1e3
	}
	return v
}
