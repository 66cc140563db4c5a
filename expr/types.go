package expr

import (
	"fmt"
	"math"
	"strconv"
	"strings"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/scalar"
)

func isInteger(t arrow.DataType) bool {
	switch t.ID() {
	case arrow.INT8, arrow.INT16, arrow.INT32, arrow.INT64, arrow.UINT8, arrow.UINT16, arrow.UINT32, arrow.UINT64:
		return true
	}
	return false
}

func isNumeric(t arrow.DataType) bool {
	switch t.ID() {
	case arrow.FLOAT32, arrow.FLOAT64, arrow.DECIMAL128:
		return true
	}
	return isInteger(t)
}

func isString(t arrow.DataType) bool {
	return t.ID() == arrow.STRING || t.ID() == arrow.LARGE_STRING
}

func isTemporal(t arrow.DataType) bool {
	switch t.ID() {
	case arrow.DATE32, arrow.DATE64, arrow.TIMESTAMP:
		return true
	}
	return false
}

// intRank orders integer types by how many values they hold; unsigned types
// are placed with the signed type that holds them all.
func intRank(t arrow.DataType) int {
	switch t.ID() {
	case arrow.INT8:
		return 1
	case arrow.UINT8, arrow.INT16:
		return 2
	case arrow.UINT16, arrow.INT32:
		return 3
	case arrow.UINT32, arrow.INT64:
		return 4
	case arrow.UINT64:
		return 5
	}
	return 0
}

var signedByRank = [...]arrow.DataType{1: arrow.PrimitiveTypes.Int8, 2: arrow.PrimitiveTypes.Int16, 3: arrow.PrimitiveTypes.Int32, 4: arrow.PrimitiveTypes.Int64, 5: arrow.PrimitiveTypes.Int64}

// commonType picks the type two operands are compared or combined in. An
// untyped literal takes the other operand's type when its value fits, so
// that a filter on an int32 column with a Go int stays in int32 and can be
// pushed into a scan.
func commonType(l Node, lt arrow.DataType, r Node, rt arrow.DataType) (arrow.DataType, bool) {
	if arrow.TypeEqual(lt, rt) {
		return lt, true
	}
	if lt.ID() == arrow.NULL {
		return rt, true
	}
	if rt.ID() == arrow.NULL {
		return lt, true
	}
	if ll, ok := l.(*Literal); ok && ll.Untyped {
		if _, ok := ll.coerce(rt); ok {
			return rt, true
		}
	}
	if rl, ok := r.(*Literal); ok && rl.Untyped {
		if _, ok := rl.coerce(lt); ok {
			return lt, true
		}
	}
	switch {
	case isInteger(lt) && isInteger(rt):
		return signedByRank[max(intRank(lt), intRank(rt))], true
	case isNumeric(lt) && isNumeric(rt):
		return arrow.PrimitiveTypes.Float64, true
	case isString(lt) && isString(rt):
		return arrow.BinaryTypes.LargeString, true
	case isTemporal(lt) && isTemporal(rt):
		if lt.ID() == arrow.TIMESTAMP {
			return lt, true
		}
		if rt.ID() == arrow.TIMESTAMP {
			return rt, true
		}
		return arrow.FixedWidthTypes.Date32, true
	}
	return nil, false
}

// coerceTo returns n converted to type to: literals are converted in place,
// other expressions get a Cast.
func coerceTo(n Node, from, to arrow.DataType) (Node, error) {
	if arrow.TypeEqual(from, to) {
		return n, nil
	}
	if l, ok := n.(*Literal); ok {
		if l.Untyped {
			if s, ok := l.coerce(to); ok {
				return &Literal{Value: s}, nil
			}
		}
		if s, ok := castLiteral(l.Value, to); ok {
			return &Literal{Value: s}, nil
		}
	}
	if !castable(from, to) {
		return nil, fmt.Errorf("cannot convert %s to %s", from, to)
	}
	return &Cast{In: n, To: to}, nil
}

// castLiteral evaluates a cast of a constant at plan time.
func castLiteral(s scalar.Scalar, to arrow.DataType) (scalar.Scalar, bool) {
	if !s.IsValid() {
		return scalar.MakeNullScalar(to), true
	}
	if out, ok := coerceLiteral(s, to); ok {
		return out, true
	}
	// Float to integer rounds half to even, as the executor and DuckDB do
	// (arrow's scalar cast truncates).
	if f, ok := s.(*scalar.Float64); ok && isInteger(to) {
		r := math.RoundToEven(f.Value)
		if math.Abs(r) >= 1<<63 {
			return nil, false
		}
		return intToType(int64(r), to)
	}
	// Text is read in base 10, as the executor does (arrow's scalar cast
	// takes a leading 0 as octal); what does not parse is left to the
	// executor, which reports it.
	if isInteger(to) && isString(s.DataType()) {
		v, err := strconv.ParseInt(strings.TrimSpace(s.String()), 10, 64)
		if err != nil {
			return nil, false
		}
		return intToType(v, to)
	}
	out, err := s.CastTo(to)
	if err != nil {
		return nil, false
	}
	return out, true
}

// castable reports whether values of type from can be cast to type to.
func castable(from, to arrow.DataType) bool {
	switch {
	case arrow.TypeEqual(from, to), from.ID() == arrow.NULL:
		return true
	case isNumeric(from) && (isNumeric(to) || isString(to) || to.ID() == arrow.BOOL):
		return true
	case from.ID() == arrow.BOOL && (isNumeric(to) || isString(to)):
		return true
	case isString(from):
		return isNumeric(to) || isString(to) || isTemporal(to) || to.ID() == arrow.BOOL
	case isTemporal(from):
		return isTemporal(to) || isString(to)
	}
	return false
}

// Unify converts two resolved expressions of types lt and rt to the one
// type they compare in, as a comparison between them would (join keys use
// it). It fails when the types cannot be compared.
func Unify(l Node, lt arrow.DataType, r Node, rt arrow.DataType) (Node, Node, arrow.DataType, error) {
	ct, ok := commonType(l, lt, r, rt)
	if !ok {
		return nil, nil, nil, fmt.Errorf("cannot compare %s with %s", lt, rt)
	}
	lc, err := coerceTo(l, lt, ct)
	if err != nil {
		return nil, nil, nil, err
	}
	rc, err := coerceTo(r, rt, ct)
	if err != nil {
		return nil, nil, nil, err
	}
	return lc, rc, ct, nil
}
