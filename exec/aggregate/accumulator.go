package aggregate

import (
	"fmt"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/memory"

	"lakeframe/errs"
)

// Accumulator folds the rows of one aggregate into one value per group.
//
// ids[i] is the group of row i (from a GroupTable) and numGroups the number
// of groups so far: every id is below it. States and Finish return one row
// per group for the largest numGroups passed to Update or Merge, so a global
// aggregate over no rows calls Update(nil, 1, nil) to get its single row.
// Groups that received no non-null value are NULL (0 for the counts).
type Accumulator interface {
	// Update folds raw input rows; in has len(ids) rows of the input type,
	// and may be nil for CountAll or when ids is empty.
	Update(ids []uint32, numGroups int, in arrow.Array) error
	// Merge folds partial states produced by States of accumulators of the
	// same kind and input type: states[j] is a column of StateTypes[j]
	// with len(ids) rows.
	Merge(ids []uint32, numGroups int, states []arrow.Array) error
	// States returns the partial state, one column per StateTypes entry.
	States() ([]arrow.Array, error)
	// Finish returns the final values, of ResultType.
	Finish() (arrow.Array, error)
	// Release frees the accumulator's memory.
	Release()
}

// New returns an accumulator for k over input type in (nil for CountAll),
// whose output arrays are allocated from mem.
func New(mem memory.Allocator, k Kind, in arrow.DataType) (Accumulator, error) {
	if err := check(k, in); err != nil {
		return nil, err
	}
	c := classify(in)
	switch k {
	case Count, CountAll:
		return &count{mem: mem, in: in, all: k == CountAll}, nil
	case CountDistinct:
		return newCountDistinct(mem, in)
	case Min, Max:
		return newMinMax(mem, in, k == Max), nil
	case Var, VarPop, Std, StdPop:
		return &moments{mem: mem, in: in, kind: k}, nil
	case Quantile:
		return nil, fmt.Errorf("quantile needs its fraction: use NewQuantile: %w", errs.ErrInternal)
	case ApproxCountDistinct:
		return &approxDistinct{mem: mem, in: in}, nil
	case First, Last, List:
		return newPicker(mem, k, in), nil
	case Sum:
		switch c {
		case classFloat:
			return &floatSum{mem: mem, in: in}, nil
		case classDecimal:
			return &wideSum{mem: mem, in: in, scale: in.(*arrow.Decimal128Type).Scale}, nil
		}
		return &intSum{mem: mem, in: in}, nil
	}
	// Mean
	switch c {
	case classFloat:
		return &floatSum{mem: mem, in: in, mean: true}, nil
	case classDecimal:
		return &wideSum{mem: mem, in: in, scale: in.(*arrow.Decimal128Type).Scale, mean: true}, nil
	}
	return &wideSum{mem: mem, in: in, mean: true}, nil
}

// checkInput validates the shape of a batch given to Update or Merge.
func checkInput(want arrow.DataType, ids []uint32, in arrow.Array) error {
	if in == nil {
		if len(ids) == 0 {
			return nil
		}
		return fmt.Errorf("%d group ids without input: %w", len(ids), errs.ErrInternal)
	}
	if in.Len() != len(ids) {
		return fmt.Errorf("%d group ids for %d input rows: %w", len(ids), in.Len(), errs.ErrInternal)
	}
	if !arrow.TypeEqual(want, in.DataType()) {
		return fmt.Errorf("input is %s, expected %s: %w", in.DataType(), want, errs.ErrInternal)
	}
	return nil
}

// checkStates validates the state columns given to Merge.
func checkStates(k Kind, in arrow.DataType, ids []uint32, states []arrow.Array) error {
	want, err := StateTypes(k, in)
	if err != nil {
		return err
	}
	if len(states) != len(want) {
		return fmt.Errorf("%s takes %d state columns, got %d: %w", k, len(want), len(states), errs.ErrInternal)
	}
	for j, s := range states {
		if s == nil {
			return fmt.Errorf("%s state column %d is missing: %w", k, j, errs.ErrInternal)
		}
		if err := checkInput(want[j], ids, s); err != nil {
			return fmt.Errorf("%s state column %d: %w", k, j, err)
		}
	}
	return nil
}

// grow extends s with zeros to n elements; it never shrinks.
func grow[T any](s []T, n int) []T {
	if n <= len(s) {
		return s
	}
	if n <= cap(s) {
		old := len(s)
		s = s[:n]
		clear(s[old:])
		return s
	}
	out := make([]T, n, max(n, 2*cap(s)))
	copy(out, s)
	return out
}

// nonZero reports, for each count, whether it is above zero: the validity
// of sums, means, minimums and maximums.
func nonZero(counts []int64) []bool {
	out := make([]bool, len(counts))
	for i, c := range counts {
		out[i] = c > 0
	}
	return out
}
