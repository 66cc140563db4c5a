package expr

import (
	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/scalar"
)

// resolveMath types the math functions as DuckDB does. Functions of a real
// variable get their arguments cast to float64, so that their kernels
// have one loop each.
func (r *resolver) resolveMath(c *Call, args []Node, types []arrow.DataType) (Node, arrow.DataType, error) {
	f64 := arrow.PrimitiveTypes.Float64
	for i, t := range types {
		if t.ID() == arrow.NULL {
			// A bare NULL operand is a float64 NULL.
			args[i], types[i] = &Literal{Value: scalar.MakeNullScalar(f64)}, f64
		} else if !isNumeric(t) {
			return nil, nil, planErr(c, "%s needs numeric arguments, got %s", c.Fn, t)
		}
	}
	toFloat := func(idx ...int) error {
		for _, i := range idx {
			var err error
			if args[i], err = coerceTo(args[i], types[i], f64); err != nil {
				return planErr(c, "%v", err)
			}
		}
		return nil
	}
	in := types[0]
	var out arrow.DataType
	switch c.Fn {
	case FnAbs:
		out = in
	case FnSign:
		out = arrow.PrimitiveTypes.Int8
	case FnIsNaN, FnIsFinite:
		if err := toFloat(0); err != nil {
			return nil, nil, err
		}
		out = arrow.FixedWidthTypes.Boolean
	case FnRound:
		if len(args) != 2 {
			return nil, nil, planErr(c, "round takes a value and a number of digits")
		}
		digits, ok := args[1].(*Literal)
		if !ok || !digits.Value.IsValid() || !isInteger(digits.Value.DataType()) {
			return nil, nil, planErr(c, "the digits of round must be an integer constant")
		}
		out = in
		if d, ok := in.(*arrow.Decimal128Type); ok {
			v, _ := digits.Value.CastTo(arrow.PrimitiveTypes.Int64)
			scale := min(max(v.(*scalar.Int64).Value, 0), int64(d.Scale))
			out = &arrow.Decimal128Type{Precision: d.Precision, Scale: int32(scale)}
		}
	case FnFloor, FnCeil:
		switch {
		case in.ID() == arrow.DECIMAL128:
			out = &arrow.Decimal128Type{Precision: in.(*arrow.Decimal128Type).Precision}
		case in.ID() == arrow.FLOAT32 || in.ID() == arrow.FLOAT64:
			out = in
		default:
			if err := toFloat(0); err != nil {
				return nil, nil, err
			}
			out = f64
		}
	case FnSqrt, FnExp, FnLn, FnLog10:
		if err := toFloat(0); err != nil {
			return nil, nil, err
		}
		out = f64
	case FnLog, FnPow:
		if len(args) != 2 {
			return nil, nil, planErr(c, "%s takes two arguments", c.Fn)
		}
		if err := toFloat(0, 1); err != nil {
			return nil, nil, err
		}
		out = f64
	}
	if c.Fn != FnRound && c.Fn != FnLog && c.Fn != FnPow && len(args) != 1 {
		return nil, nil, planErr(c, "%s takes one argument", c.Fn)
	}
	return &Call{Fn: c.Fn, Args: args}, out, nil
}
