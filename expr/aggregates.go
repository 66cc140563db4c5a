package expr

// The statistical and collecting aggregates. Like Sum and Mean they skip
// NULLs unless their comment says otherwise, and an aggregate over no
// values is NULL.

// Var is the sample variance of the non-null values (DuckDB's var_samp),
// as float64; NULL for fewer than two values. A NaN or infinite input
// makes it NaN.
func (e Expr) Var() Expr { return Expr{&Agg{Fn: AggVar, In: e.tree()}} }

// Std is the sample standard deviation (DuckDB's stddev_samp), as float64;
// NULL for fewer than two values.
func (e Expr) Std() Expr { return Expr{&Agg{Fn: AggStd, In: e.tree()}} }

// VarPop is the population variance (DuckDB's var_pop), as float64.
func (e Expr) VarPop() Expr { return Expr{&Agg{Fn: AggVarPop, In: e.tree()}} }

// StdPop is the population standard deviation (DuckDB's stddev_pop).
func (e Expr) StdPop() Expr { return Expr{&Agg{Fn: AggStdPop, In: e.tree()}} }

// Median is the exact median of the non-null numbers, interpolated
// between the two middle values when their count is even, as float64
// (DuckDB's quantile_cont(x, 0.5)). NaN sorts above every number.
func (e Expr) Median() Expr { return Expr{&Agg{Fn: AggMedian, In: e.tree()}} }

// Quantile is the exact q quantile of the non-null numbers, with linear
// interpolation between the closest ranks (DuckDB's quantile_cont), as
// float64. q must lie in [0, 1].
func (e Expr) Quantile(q float64) Expr {
	return Expr{&Agg{Fn: AggQuantile, In: e.tree(), Fraction: q}}
}

// ApproxCountDistinct estimates the number of distinct non-null values
// with a HyperLogLog sketch of 4096 registers: a standard error of about
// 1.6%, in 4 KiB per group whatever the number of values.
func (e Expr) ApproxCountDistinct() Expr {
	return Expr{&Agg{Fn: AggApproxCountDistinct, In: e.tree()}}
}

// First is the value of the first row of each group, NULL or not (DuckDB's
// first). Rows are taken in input order within a partition; across
// partitions the order is arbitrary unless the input is sorted and read
// as one partition.
func (e Expr) First() Expr { return Expr{&Agg{Fn: AggFirst, In: e.tree()}} }

// Last is the value of the last row of each group, NULL or not; the order
// is that of First.
func (e Expr) Last() Expr { return Expr{&Agg{Fn: AggLast, In: e.tree()}} }

// List collects the values of each group, NULLs included, into a list
// (DuckDB's list), in the order of First.
func (e Expr) List() Expr { return Expr{&Agg{Fn: AggList, In: e.tree()}} }

// Any is true when at least one non-null boolean is true (bool_or).
func (e Expr) Any() Expr { return Expr{&Agg{Fn: AggAny, In: e.tree()}} }

// All is true when every non-null boolean is true (bool_and).
func (e Expr) All() Expr { return Expr{&Agg{Fn: AggAll, In: e.tree()}} }
