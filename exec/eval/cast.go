package eval

import (
	"context"
	"errors"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/compute"

	"lakeframe/errs"
	"lakeframe/expr"
)

// cast converts a value to c.To with arrow's safe casts, which fail rather
// than truncate or wrap around; the error names the value. Two conversions
// follow DuckDB instead of arrow: a float or decimal becomes an integer by
// rounding (floats half to even, decimals half away from zero) rather than
// failing on a fraction, and strings become dates and timestamps through
// parseTemporal, as arrow has no string-to-date cast. Casts to strings and
// from strings to decimals are done here too (see castToString and
// castStringToDecimal).
func (e *evaluator) cast(ctx context.Context, c *expr.Cast) (compute.Datum, error) {
	in, err := e.eval(ctx, c.In)
	if err != nil {
		return nil, err
	}
	out, err := e.castValue(ctx, c, in)
	if err != nil && c.Try && errors.Is(err, errs.ErrExec) {
		return e.tryCastRows(ctx, c)
	}
	return out, err
}

// castValue casts an evaluated input, whose reference it takes.
func (e *evaluator) castValue(ctx context.Context, c *expr.Cast, in compute.Datum) (compute.Datum, error) {
	from := datumType(in)
	switch {
	case arrow.TypeEqual(from, c.To):
		return in, nil
	case from.ID() == arrow.NULL || isNullScalar(in):
		in.Release()
		return nullScalarOf(c.To), nil
	case isString(from) && isTemporal(c.To):
		defer in.Release()
		return e.castStringToTemporal(c, in)
	case isString(from) && c.To.ID() == arrow.DECIMAL128:
		defer in.Release()
		return e.castStringToDecimal(c, in)
	case isString(from) && isInteger(c.To):
		defer in.Release()
		return e.castStringToInteger(ctx, c, in)
	case isString(c.To) && !isString(from):
		defer in.Release()
		return e.castToString(c, in)
	case isInteger(c.To) && (isFloat(from) || isDecimal(from)):
		mode := compute.RoundHalfToEven
		if isDecimal(from) {
			mode = compute.RoundHalfTowardsInfinity
			// Rounding up may need one more digit than the type has
			// (99.99 to 100): widen first, which is exact.
			if d := from.(*arrow.Decimal128Type); d.Precision < 38 {
				wider, err := compute.CastDatum(ctx, in, compute.SafeCastOptions(&arrow.Decimal128Type{Precision: d.Precision + 1, Scale: d.Scale}))
				in.Release()
				if err != nil {
					return nil, wrapErr(c, err)
				}
				in = wider
			}
		}
		rounded, err := compute.Round(ctx, compute.RoundOptions{NDigits: 0, Mode: mode}, in)
		in.Release()
		if err != nil {
			return nil, wrapErr(c, err)
		}
		in = rounded
	}
	if from.ID() == arrow.BOOL {
		unsliced := e.unsliceBool(in)
		in.Release()
		in = unsliced
	}
	defer in.Release()
	out, err := compute.CastDatum(ctx, in, castOptions(from, c.To))
	if err != nil {
		return nil, wrapErr(c, err)
	}
	return out, nil
}

// castOptions are arrow's safe casts, except that an integer too large to
// be exact in a float is rounded to the nearest one, as in DuckDB.
func castOptions(from, to arrow.DataType) *compute.CastOptions {
	opts := compute.SafeCastOptions(to)
	if isInteger(from) && isFloat(to) {
		opts.AllowFloatTruncate = true
	}
	return opts
}
