package expr

import (
	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/scalar"
)

// resolveTemporal types the date parts, Truncate and DateDiff.
func (r *resolver) resolveTemporal(c *Call, args []Node, types []arrow.DataType) (Node, arrow.DataType, error) {
	arity := map[ScalarFunc]int{FnDateTrunc: 2, FnDateDiff: 3}[c.Fn]
	if arity == 0 {
		arity = 1
	}
	if len(args) != arity {
		return nil, nil, planErr(c, "%s takes %d arguments, got %d", c.Fn, arity, len(args))
	}
	dates := 1
	if c.Fn == FnDateDiff {
		dates = 2
	}
	for i := range dates {
		if !isTemporal(types[i]) {
			return nil, nil, planErr(c, "%s needs a date or timestamp, got %s", c.Fn, types[i])
		}
	}
	if arity > 1 {
		if _, err := unitArg(c, args[arity-1]); err != nil {
			return nil, nil, err
		}
	}
	switch c.Fn {
	case FnDateTrunc:
		if types[0].ID() == arrow.TIMESTAMP {
			return &Call{Fn: c.Fn, Args: args}, types[0], nil
		}
		return &Call{Fn: c.Fn, Args: args}, &arrow.TimestampType{Unit: arrow.Microsecond}, nil
	case FnDateDiff:
		ct, ok := commonType(args[0], types[0], args[1], types[1])
		if !ok {
			return nil, nil, planErr(c, "cannot compare %s with %s", types[0], types[1])
		}
		var err error
		for i := range 2 {
			if args[i], err = coerceTo(args[i], types[i], ct); err != nil {
				return nil, nil, planErr(c, "%v", err)
			}
		}
	}
	return &Call{Fn: c.Fn, Args: args}, arrow.PrimitiveTypes.Int64, nil
}

// unitArg reads the TimeUnit constant of a Truncate or DateDiff call.
func unitArg(c *Call, n Node) (TimeUnit, error) {
	lit, ok := n.(*Literal)
	if ok && lit.Value.IsValid() && isInteger(lit.Value.DataType()) {
		v, err := lit.Value.CastTo(arrow.PrimitiveTypes.Int64)
		if err == nil {
			u := v.(*scalar.Int64).Value
			if u >= int64(UnitYear) && u <= int64(UnitMicrosecond) {
				return TimeUnit(u), nil
			}
		}
	}
	return 0, planErr(c, "the unit of %s must be an expr.TimeUnit constant, got %s", c.Fn, n)
}

// resolveTimeFormat types Strftime (a date or timestamp to text) and
// Strptime (text to a microsecond timestamp) and checks their format.
func (r *resolver) resolveTimeFormat(c *Call, args []Node, types []arrow.DataType) (Node, arrow.DataType, error) {
	if len(args) != 2 {
		return nil, nil, planErr(c, "%s takes a value and a format", c.Fn)
	}
	lit, ok := args[1].(*Literal)
	if !ok || !lit.Value.IsValid() || !isString(types[1]) {
		return nil, nil, planErr(c, "the format of %s must be a string constant", c.Fn)
	}
	if err := checkTimeFormat(c.Fn, literalText(lit)); err != nil {
		return nil, nil, err
	}
	if c.Fn == FnStrftime {
		if !isTemporal(types[0]) {
			return nil, nil, planErr(c, "strftime needs a date or timestamp, got %s", types[0])
		}
		return &Call{Fn: c.Fn, Args: args}, arrow.BinaryTypes.String, nil
	}
	if !isString(types[0]) {
		return nil, nil, planErr(c, "strptime needs a string, got %s", types[0])
	}
	return &Call{Fn: c.Fn, Args: args}, &arrow.TimestampType{Unit: arrow.Microsecond}, nil
}
