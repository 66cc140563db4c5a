package expr

// BinaryOp is the operator of a Binary node.
type BinaryOp int

// Binary operators.
const (
	OpEq BinaryOp = iota
	OpNe
	OpLt
	OpLe
	OpGt
	OpGe
	OpAnd
	OpOr
	OpAdd
	OpSub
	OpMul
	OpDiv
	OpMod
)

var binaryOpNames = [...]string{"=", "!=", "<", "<=", ">", ">=", "AND", "OR", "+", "-", "*", "/", "%"}

func (o BinaryOp) String() string { return binaryOpNames[o] }

// IsComparison reports whether o compares its operands.
func (o BinaryOp) IsComparison() bool { return o <= OpGe }

// IsLogical reports whether o is AND or OR.
func (o BinaryOp) IsLogical() bool { return o == OpAnd || o == OpOr }

// IsArithmetic reports whether o computes a number.
func (o BinaryOp) IsArithmetic() bool { return o >= OpAdd }

// Flip returns the comparison that holds with the operands swapped
// (a < b is b > a).
func (o BinaryOp) Flip() BinaryOp {
	switch o {
	case OpLt:
		return OpGt
	case OpLe:
		return OpGe
	case OpGt:
		return OpLt
	case OpGe:
		return OpLe
	}
	return o
}

// Negate returns the comparison that is true exactly when o is false
// for non-null operands.
func (o BinaryOp) Negate() BinaryOp {
	switch o {
	case OpEq:
		return OpNe
	case OpNe:
		return OpEq
	case OpLt:
		return OpGe
	case OpLe:
		return OpGt
	case OpGt:
		return OpLe
	case OpGe:
		return OpLt
	}
	return o
}

// UnaryOp is the operator of a Unary node.
type UnaryOp int

// Unary operators.
const (
	OpNot UnaryOp = iota
	OpIsNull
	OpIsNotNull
	OpNeg
)

var unaryOpNames = [...]string{"NOT", "IS NULL", "IS NOT NULL", "-"}

func (o UnaryOp) String() string { return unaryOpNames[o] }

// AggFunc is an aggregate function.
type AggFunc int

// Aggregate functions. Aggregates skip nulls; CountAll counts rows.
const (
	AggSum AggFunc = iota
	AggCount
	AggCountAll
	AggMean
	AggMin
	AggMax
	AggCountDistinct
	AggVar                 // sample variance
	AggStd                 // sample standard deviation
	AggVarPop              // population variance
	AggStdPop              // population standard deviation
	AggMedian              // the 0.5 quantile, interpolated
	AggQuantile            // the Agg's Fraction quantile, interpolated
	AggApproxCountDistinct // HyperLogLog estimate of the distinct count
	AggFirst               // first value in input order, NULL included
	AggLast                // last value in input order, NULL included
	AggList                // all values in input order, NULLs included
	AggAny                 // true when any value is true (bool_or)
	AggAll                 // true when every value is true (bool_and)
)

var aggNames = [...]string{"sum", "count", "count", "mean", "min", "max", "count_distinct",
	"var", "std", "var_pop", "std_pop", "median", "quantile", "approx_count_distinct",
	"first", "last", "list", "any", "all"}

func (a AggFunc) String() string { return aggNames[a] }

// ScalarFunc is a scalar function. Functions are typed values, never
// looked up by name.
type ScalarFunc int

// Scalar functions.
const (
	FnCoalesce ScalarFunc = iota
	FnContains
	FnStartsWith
	FnEndsWith
	FnLike
	FnLower
	FnUpper
	FnLength
	FnSubstr
	FnYear
	FnMonth
	FnDay
	FnAbs
	FnSign
	FnRound // (x, digits)
	FnFloor
	FnCeil
	FnSqrt
	FnExp
	FnLn
	FnLog10
	FnLog // (x, base)
	FnPow // (x, exponent)
	FnIsNaN
	FnIsFinite
	FnTrim
	FnLTrim
	FnRTrim
	FnPadStart // (s, length, fill)
	FnPadEnd   // (s, length, fill)
	FnReverse
	FnReplace      // (s, old, new)
	FnSplit        // (s, separator)
	FnConcat       // (args...), NULLs skipped
	FnRegexMatch   // (s, pattern)
	FnRegexExtract // (s, pattern, group)
	FnRegexReplace // (s, pattern, replacement)
	FnHour
	FnMinute
	FnSecond
	FnWeekday
	FnQuarter
	FnDayOfYear
	FnDateTrunc // (t, unit)
	FnDateDiff  // (start, end, unit)
	FnStrftime  // (t, format)
	FnStrptime  // (s, format)
)

var fnNames = [...]string{"coalesce", "contains", "starts_with", "ends_with", "like", "lower", "upper", "length", "substr", "year", "month", "day",
	"abs", "sign", "round", "floor", "ceil", "sqrt", "exp", "ln", "log10", "log", "pow", "isnan", "isfinite",
	"trim", "ltrim", "rtrim", "lpad", "rpad", "reverse", "replace", "string_split", "concat",
	"regexp_matches", "regexp_extract", "regexp_replace",
	"hour", "minute", "second", "isodow", "quarter", "dayofyear", "date_trunc", "date_diff", "strftime", "strptime"}

func (f ScalarFunc) String() string { return fnNames[f] }
