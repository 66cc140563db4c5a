package expr

// The math functions follow DuckDB's types and domains: functions of a
// real variable (Sqrt, Exp, Ln, Log10, Log, Pow) take any number and give
// float64, and a value outside the domain (the square root of a negative
// number, the logarithm of zero or of a negative number) is an error, as
// in DuckDB, not NaN. NaN in gives NaN out; NULL in gives NULL out.

func (e Expr) call(fn ScalarFunc, args ...any) Expr {
	return Expr{&Call{Fn: fn, Args: append([]Node{e.tree()}, toNodes(args)...)}}
}

// Abs is the absolute value, of the input's type. The smallest value of
// a signed integer type has no absolute value in that type: an error.
func (e Expr) Abs() Expr { return e.call(FnAbs) }

// Sign is -1, 0 or 1 as int8; NaN and -0.0 give 0, as in DuckDB.
func (e Expr) Sign() Expr { return e.call(FnSign) }

// Round rounds to digits decimal places (negative digits round to tens,
// hundreds, ...), halves away from zero. Integers and floats keep their
// type; a decimal keeps its precision, with min(digits, scale) places
// (at least 0). Float rounding is DuckDB's: round(x*10^d)/10^d, so
// Round(2.675, 2) is 2.68 although 2.675 is stored a little below.
func (e Expr) Round(digits int) Expr { return e.call(FnRound, int64(digits)) }

// Floor is the largest integral value not above e: float32 and float64 keep
// their type, integers give float64 and decimals a decimal of scale 0, as
// in DuckDB.
func (e Expr) Floor() Expr { return e.call(FnFloor) }

// Ceil is the smallest integral value not below e, typed as Floor.
func (e Expr) Ceil() Expr { return e.call(FnCeil) }

// Sqrt is the square root, as float64; a negative value is an error.
func (e Expr) Sqrt() Expr { return e.call(FnSqrt) }

// Exp is e raised to the power of the value, as float64.
func (e Expr) Exp() Expr { return e.call(FnExp) }

// Ln is the natural logarithm, as float64; zero or a negative value is an
// error.
func (e Expr) Ln() Expr { return e.call(FnLn) }

// Log10 is the base-10 logarithm, with Ln's domain.
func (e Expr) Log10() Expr { return e.call(FnLog10) }

// Log is the logarithm to base (a number or an expression), as float64
// (DuckDB's log(base, x)). Besides Ln's domain, base 1 is an error.
func (e Expr) Log(base any) Expr { return e.call(FnLog, base) }

// Pow raises e to exponent (a number or an expression), as float64, with
// IEEE 754 results: Pow(0, -1) is +Inf, Pow(-8, 1.0/3) is NaN.
func (e Expr) Pow(exponent any) Expr { return e.call(FnPow, exponent) }

// IsNaN is true where a float is NaN; integers and decimals never are.
func (e Expr) IsNaN() Expr { return e.call(FnIsNaN) }

// IsFinite is true where a number is neither infinite nor NaN.
func (e Expr) IsFinite() Expr { return e.call(FnIsFinite) }
