package aggregate

import (
	"context"
	"fmt"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/compute"
	"github.com/apache/arrow-go/v18/arrow/memory"

	"lakeframe/errs"
)

// floatsOf returns the values of a numeric array as float64, reusing
// scratch; entries under nulls are meaningless. The statistical
// aggregates work in float64 whatever their input, as DuckDB's do.
func floatsOf(mem memory.Allocator, in arrow.Array, scratch []float64) ([]float64, error) {
	switch in.DataType().ID() {
	case arrow.FLOAT64:
		return fixedValues[float64](in)
	case arrow.FLOAT32:
		return widen[float32](in, scratch)
	case arrow.INT8:
		return widen[int8](in, scratch)
	case arrow.INT16:
		return widen[int16](in, scratch)
	case arrow.INT32:
		return widen[int32](in, scratch)
	case arrow.INT64:
		return widen[int64](in, scratch)
	case arrow.UINT8:
		return widen[uint8](in, scratch)
	case arrow.UINT16:
		return widen[uint16](in, scratch)
	case arrow.UINT32:
		return widen[uint32](in, scratch)
	case arrow.UINT64:
		return widen[uint64](in, scratch)
	case arrow.DECIMAL128:
		// Rare enough for arrow's cast; it rounds to the nearest double.
		ctx := compute.WithAllocator(context.Background(), mem)
		out, err := compute.CastArray(ctx, in, compute.UnsafeCastOptions(arrow.PrimitiveTypes.Float64))
		if err != nil {
			return nil, fmt.Errorf("%s to float64: %w: %w", in.DataType(), errs.ErrExec, err)
		}
		defer out.Release()
		vals, err := fixedValues[float64](out)
		if err != nil {
			return nil, err
		}
		scratch = resize(scratch, len(vals))
		copy(scratch, vals)
		return scratch, nil
	}
	return nil, fmt.Errorf("%s is not numeric: %w", in.DataType(), errs.ErrInternal)
}

func widen[T number](in arrow.Array, scratch []float64) ([]float64, error) {
	vals, err := fixedValues[T](in)
	if err != nil {
		return nil, err
	}
	scratch = resize(scratch, len(vals))
	for i, v := range vals {
		scratch[i] = float64(v)
	}
	return scratch, nil
}

// floatScratch keeps the buffer floatsOf converts into from batch to
// batch.
type floatScratch struct{ buf []float64 }

// values returns the values of a numeric array as float64 (see floatsOf).
func (s *floatScratch) values(mem memory.Allocator, in arrow.Array) ([]float64, error) {
	vals, err := floatsOf(mem, in, s.buf)
	if err == nil && in.DataType().ID() != arrow.FLOAT64 {
		s.buf = vals
	}
	return vals, err
}
