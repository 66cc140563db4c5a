package aggregate

import (
	"fmt"

	"github.com/apache/arrow-go/v18/arrow"

	"lakeframe/errs"
)

// Kind names an aggregate function.
type Kind int

const (
	// Sum adds the non-null values: int64 for integers (an error on
	// overflow), float64 for floats, decimal(38, s) for decimals.
	Sum Kind = iota + 1
	// Count counts the non-null values.
	Count
	// CountAll counts rows, nulls included; its input may be nil.
	CountAll
	// Mean averages the non-null values as float64.
	Mean
	// Min keeps the smallest non-null value; NaN is larger than any number.
	Min
	// Max keeps the largest non-null value; NaN is larger than any number.
	Max
	// CountDistinct counts the distinct non-null values.
	CountDistinct
	// Var is the sample variance of the non-null numbers, as float64.
	Var
	// VarPop is the population variance.
	VarPop
	// Std is the sample standard deviation.
	Std
	// StdPop is the population standard deviation.
	StdPop
	// Quantile is an exact quantile of the non-null numbers with linear
	// interpolation, as float64; NewQuantile makes it.
	Quantile
	// ApproxCountDistinct estimates the distinct non-null values with a
	// HyperLogLog sketch.
	ApproxCountDistinct
	// First keeps the first value of each group in input order, NULL
	// included.
	First
	// Last keeps the last value of each group in input order.
	Last
	// List collects each group's values, NULLs included, in input order.
	List
)

func (k Kind) String() string {
	switch k {
	case Sum:
		return "sum"
	case Count:
		return "count"
	case CountAll:
		return "count_all"
	case Mean:
		return "mean"
	case Min:
		return "min"
	case Max:
		return "max"
	case CountDistinct:
		return "count_distinct"
	case Var:
		return "var"
	case VarPop:
		return "var_pop"
	case Std:
		return "std"
	case StdPop:
		return "std_pop"
	case Quantile:
		return "quantile"
	case ApproxCountDistinct:
		return "approx_count_distinct"
	case First:
		return "first"
	case Last:
		return "last"
	case List:
		return "list"
	}
	return fmt.Sprintf("kind(%d)", int(k))
}

// typeClass groups the input types that share an implementation.
type typeClass int

const (
	classOther typeClass = iota
	classSigned
	classUnsigned
	classFloat
	classDecimal // Decimal128
	classTemporal
	classBool
	classBytes // strings and binaries of variable width
)

func classify(dt arrow.DataType) typeClass {
	if dt == nil {
		return classOther
	}
	switch dt.ID() {
	case arrow.INT8, arrow.INT16, arrow.INT32, arrow.INT64:
		return classSigned
	case arrow.UINT8, arrow.UINT16, arrow.UINT32, arrow.UINT64:
		return classUnsigned
	case arrow.FLOAT32, arrow.FLOAT64:
		return classFloat
	case arrow.DECIMAL128:
		return classDecimal
	case arrow.DATE32, arrow.DATE64, arrow.TIMESTAMP, arrow.TIME32, arrow.TIME64, arrow.DURATION:
		return classTemporal
	case arrow.BOOL:
		return classBool
	case arrow.STRING, arrow.BINARY, arrow.LARGE_STRING, arrow.LARGE_BINARY:
		return classBytes
	}
	return classOther
}

// sumDecimalPrecision is the precision of decimal sums and of the 128-bit
// partial sums of Mean: the most a Decimal128 holds.
const sumDecimalPrecision = 38

// ResultType returns the type of k's final values for input type in. An
// input type k does not accept is a plan error.
func ResultType(k Kind, in arrow.DataType) (arrow.DataType, error) {
	if err := check(k, in); err != nil {
		return nil, err
	}
	switch k {
	case Count, CountAll, CountDistinct, ApproxCountDistinct:
		return arrow.PrimitiveTypes.Int64, nil
	case Mean, Var, VarPop, Std, StdPop, Quantile:
		return arrow.PrimitiveTypes.Float64, nil
	case Min, Max, First, Last:
		return in, nil
	case List:
		return arrow.ListOf(in), nil
	}
	switch classify(in) { // Sum
	case classFloat:
		return arrow.PrimitiveTypes.Float64, nil
	case classDecimal:
		return &arrow.Decimal128Type{Precision: sumDecimalPrecision, Scale: in.(*arrow.Decimal128Type).Scale}, nil
	}
	return arrow.PrimitiveTypes.Int64, nil
}

// StateTypes returns the types of the columns that carry k's partial state
// for input type in, one row per group, from Accumulator.States to
// Accumulator.Merge.
func StateTypes(k Kind, in arrow.DataType) ([]arrow.DataType, error) {
	if err := check(k, in); err != nil {
		return nil, err
	}
	switch k {
	case Sum:
		rt, err := ResultType(k, in)
		return []arrow.DataType{rt}, err
	case Count, CountAll:
		return []arrow.DataType{arrow.PrimitiveTypes.Int64}, nil
	case Mean:
		// Integers and decimals add up exactly in 128 bits.
		sum := arrow.DataType(arrow.PrimitiveTypes.Float64)
		switch classify(in) {
		case classSigned, classUnsigned:
			sum = &arrow.Decimal128Type{Precision: sumDecimalPrecision}
		case classDecimal:
			sum = &arrow.Decimal128Type{Precision: sumDecimalPrecision, Scale: in.(*arrow.Decimal128Type).Scale}
		}
		return []arrow.DataType{sum, arrow.PrimitiveTypes.Int64}, nil
	case Min, Max:
		return []arrow.DataType{in}, nil
	case Var, VarPop, Std, StdPop:
		return momentStateTypes(), nil
	case Quantile:
		return []arrow.DataType{arrow.ListOf(arrow.PrimitiveTypes.Float64)}, nil
	case ApproxCountDistinct:
		return []arrow.DataType{arrow.BinaryTypes.Binary}, nil
	case First, Last:
		// The value, and whether the group saw a row at all: the value
		// itself may be NULL.
		return []arrow.DataType{in, arrow.FixedWidthTypes.Boolean}, nil
	}
	return []arrow.DataType{arrow.ListOf(in)}, nil // CountDistinct, List
}

// check reports whether k accepts input type in.
func check(k Kind, in arrow.DataType) error {
	c := classify(in)
	ok := false
	switch k {
	case CountAll:
		ok = true
	case Count:
		ok = in != nil
	case Sum, Mean, Var, VarPop, Std, StdPop, Quantile:
		ok = c == classSigned || c == classUnsigned || c == classFloat || c == classDecimal
	case ApproxCountDistinct:
		ok = c != classOther
	case First, Last, List:
		ok = in != nil
	case Min, Max:
		ok = c != classOther
	case CountDistinct:
		if in != nil {
			_, err := newKeyColumn(in)
			ok = err == nil
		}
	default:
		return fmt.Errorf("unknown aggregate %s: %w", k, errs.ErrInternal)
	}
	if !ok {
		return fmt.Errorf("%s of %s is not supported: %w", k, in, errs.ErrPlan)
	}
	return nil
}
