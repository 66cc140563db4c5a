package rules_test

import (
	"math"
	"testing"
	"time"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/scalar"

	"lakeframe/expr"
	"lakeframe/plan"
	"lakeframe/plan/plantest"
	"lakeframe/plan/rules"
)

// table is the scan most rule tests start from: a is pushed exactly, b and
// d inexactly, the others not at all.
func table(t *testing.T) *plantest.Builder {
	t.Helper()
	return plantest.Scan(t, "a:int64:exact", "b:int64:inexact", "s:string", "f:float64", "ok:bool", "d:date32:inexact")
}

// dateLit is a Date32 literal.
func dateLit(y int, m time.Month, day int) expr.Expr {
	return expr.Lit(scalar.NewDate32Scalar(arrow.Date32FromTime(time.Date(y, m, day, 0, 0, 0, 0, time.UTC))))
}

var (
	a, b, s, f, ok, d = expr.Col("a"), expr.Col("b"), expr.Col("s"), expr.Col("f"), expr.Col("ok"), expr.Col("d")
	null              = expr.Lit(nil)
)

func TestSimplifyExpressions(t *testing.T) {
	runRule(t, rules.SimplifyExpressions{}, []goldenCase{
		{"fold_arithmetic", func(t *testing.T) plan.Node {
			return table(t).Project(
				a.Add(expr.Lit(1).Add(2).Mul(3)).Alias("x"),
				expr.Lit(10).Div(4).Alias("q"),
				expr.Lit(-7).Mod(3).Alias("m"),
				expr.Lit(2.5).Sub(0.5).Neg().Alias("n"),
			).Node()
		}},
		{"fold_comparisons", func(t *testing.T) plan.Node {
			return table(t).Filter(a.Gt(1).And(expr.Lit(2).Lt(3)).And(expr.Lit("b").Ge("a"))).Node()
		}},
		{"three_valued_and_or", func(t *testing.T) plan.Node {
			return table(t).Project(
				ok.And(true).Alias("t1"),
				ok.And(false).Alias("t2"),
				ok.Or(true).Alias("t3"),
				ok.Or(false).Alias("t4"),
				ok.And(null).Alias("t5"),
				ok.Or(null).Alias("t6"),
				null.And(false).Alias("t7"),
				null.Or(true).Alias("t8"),
				null.Or(false).Alias("t9"),
			).Node()
		}},
		{"not_moves_inward", func(t *testing.T) plan.Node {
			return table(t).Filter(ok.Not().Not().
				And(a.Lt(5).Not()).
				And(s.IsNull().Not()).
				And(a.Eq(b).Not()).
				And(a.Gt(1).Or(s.IsNotNull()).Not())).Node()
		}},
		{"not_float_comparison_kept", func(t *testing.T) plan.Node {
			// NaN < 1.5 and NaN >= 1.5 are both false: NOT must stay.
			return table(t).Filter(f.Lt(1.5).Not().And(f.Eq(1.5).Not())).Node()
		}},
		{"x_eq_x_kept", func(t *testing.T) plan.Node {
			return table(t).Filter(a.Eq(a)).Node()
		}},
		{"filter_true_removed", func(t *testing.T) plan.Node {
			return table(t).Filter(expr.Lit(1).Lt(2)).Project(a).Node()
		}},
		{"filter_false_empty", func(t *testing.T) plan.Node {
			return table(t).Filter(a.Gt(1).And(expr.Lit(1).Gt(2))).Project(a).Node()
		}},
		{"filter_null_empty", func(t *testing.T) plan.Node {
			// a > NULL is NULL for every row; ok AND NULL is never TRUE.
			return table(t).Filter(a.Gt(null)).Filter(ok.And(null)).Node()
		}},
		{"filter_null_conjunct_empty", func(t *testing.T) plan.Node {
			return table(t).Filter(ok.And(null)).Node()
		}},
		{"null_operands", func(t *testing.T) plan.Node {
			return table(t).Project(a.Add(null).Alias("x"), s.Eq(null).Alias("y"), null.IsNull().Alias("z")).Node()
		}},
		{"case_constant_branches", func(t *testing.T) plan.Node {
			return table(t).Project(
				expr.When(false, 1).When(a.Gt(1), 2).When(null, 3).When(true, 4).Otherwise(5).Alias("c1"),
				expr.When(true, s).Otherwise("x").Alias("c2"),
				expr.When(false, 1).End().Alias("c3"),
			).Node()
		}},
		{"coalesce", func(t *testing.T) plan.Node {
			return table(t).Project(
				expr.Coalesce(null, b, 5, a).Alias("c1"),
				expr.Coalesce(null, a).Alias("c2"),
				expr.Coalesce(a, b).Alias("c3"),
			).Node()
		}},
		{"functions_on_literals", func(t *testing.T) plan.Node {
			day := time.Date(2024, 3, 5, 0, 0, 0, 0, time.UTC)
			return table(t).Project(
				expr.Lit("AbC").Str().Lower().Alias("lower"),
				expr.Lit("héllo").Str().Length().Alias("len"),
				expr.Lit("abc").Str().Contains("b").Alias("contains"),
				expr.Lit("abc").Str().StartsWith("b").Alias("starts"),
				expr.Lit(day).Dt().Year().Alias("year"),
				expr.Lit(day).Dt().Day().Alias("day"),
				expr.Lit("abc").Str().Like("a%").Alias("like_kept"),
			).Node()
		}},
		{"in_list_of_literals", func(t *testing.T) plan.Node {
			return table(t).Project(
				expr.Lit(2).IsIn(1, 2).Alias("x"),
				expr.Lit(3).IsIn(1, nil).Alias("y"),
				expr.Lit(3).IsIn(1, 4).Alias("z"),
				a.IsIn(1, nil).Alias("w"),
			).Node()
		}},
		{"output_names_kept", func(t *testing.T) plan.Node {
			return table(t).Project(ok.Or(true), s.Eq("x").And(true)).Node()
		}},
		{"sort_constant_keys_dropped", func(t *testing.T) plan.Node {
			return table(t).Sort(expr.Lit(1).Add(1), a.Desc()).Sort(expr.Lit("k")).Node()
		}},
		{"aggregate_expressions", func(t *testing.T) plan.Node {
			return table(t).Aggregate(
				[]expr.Expr{b.Add(expr.Lit(2).Mul(3)).Alias("k")},
				a.Mul(expr.Lit(1).Add(1)).Sum().Alias("total"),
				ok.Or(true).Count(),
			).Node()
		}},
		{"overflow_not_folded", func(t *testing.T) plan.Node {
			return table(t).Project(expr.Lit(int64(math.MaxInt64)).Add(1).Alias("x"), expr.Lit(5).Mod(0).Alias("y")).Node()
		}},
		{"date_minus_days_folded", func(t *testing.T) plan.Node {
			// TPC-H Q1: l_shipdate <= DATE '1998-12-01' - INTERVAL 90 DAY
			// becomes a comparison with DATE '1998-09-02' that a scan can
			// prune with.
			return table(t).Filter(d.Le(dateLit(1998, 12, 1).Sub(expr.Days(90)))).Node()
		}},
		{"date_plus_months_folded", func(t *testing.T) plan.Node {
			return table(t).Project(
				dateLit(1995, 3, 15).Add(expr.Months(3)).Alias("q3"),
				dateLit(2023, 1, 31).Add(expr.Months(1)).Alias("feb28"),
				dateLit(2024, 1, 31).Add(expr.Months(1)).Alias("feb29"),
				dateLit(2024, 2, 29).Add(expr.Years(1)).Alias("leap_plus_year"),
				dateLit(2000, 3, 31).Sub(expr.Months(1)).Alias("leap_2000"),
				dateLit(1900, 1, 31).Add(expr.Months(1)).Alias("no_leap_1900"),
				expr.Lit(expr.Days(10)).Add(dateLit(2024, 12, 25)).Alias("interval_first"),
			).Node()
		}},
		{"timestamp_plus_interval_folded", func(t *testing.T) plan.Node {
			ms := &arrow.TimestampType{Unit: arrow.Millisecond}
			return table(t).Project(
				expr.Lit(time.Date(2024, 1, 31, 10, 30, 0, 0, time.UTC)).Add(expr.Months(1)).Alias("us_utc"),
				expr.Lit(scalar.NewTimestampScalar(arrow.Timestamp(time.Date(1969, 12, 31, 23, 0, 0, 0, time.UTC).UnixMilli()), ms)).
					Add(expr.Interval{Days: 1, Nanos: int64(90 * time.Minute)}).Alias("ms_before_1970"),
			).Node()
		}},
		{"date_interval_not_folded", func(t *testing.T) plan.Node {
			ny := &arrow.TimestampType{Unit: arrow.Microsecond, TimeZone: "America/New_York"}
			return table(t).Project(
				// The executor rejects part of a day added to a date.
				dateLit(2024, 1, 1).Add(expr.Duration(36*time.Hour)).Alias("part_of_a_day"),
				// A day in a time zone may be 23 or 25 hours.
				expr.Lit(scalar.NewTimestampScalar(0, ny)).Add(expr.Days(1)).Alias("zoned"),
				// Past the last Date32.
				expr.Lit(scalar.NewDate32Scalar(math.MaxInt32)).Add(expr.Days(1)).Alias("out_of_range"),
				d.Add(expr.Months(1)).Alias("column"),
			).Node()
		}},
		{"division_by_zero_not_folded", func(t *testing.T) plan.Node {
			return table(t).Project(expr.Lit(1).Div(0).Alias("x"), expr.Lit(1).Div(4).Alias("y")).Node()
		}},
		{"nan_not_folded", func(t *testing.T) plan.Node {
			return table(t).Project(expr.Lit(math.NaN()).Lt(1.0).Alias("x")).Node()
		}},
		{"noop_cast_dropped", func(t *testing.T) plan.Node {
			// Constructors already drop casts to the same type; a
			// hand-built node shows the rule's own check.
			in := table(t).Node()
			return &plan.Filter{Input: in, Pred: &expr.Binary{
				Op:    expr.OpGt,
				Left:  &expr.Cast{In: a.Node(), To: arrow.PrimitiveTypes.Int64},
				Right: &expr.Cast{In: expr.NewLiteral(scalar.NewStringScalar("7")), To: arrow.PrimitiveTypes.Int64},
			}}
		}},
		{"nothing_to_do", func(t *testing.T) plan.Node {
			return table(t).Filter(a.Gt(1).And(s.Ne("x"))).Project(a, b.Add(a).Alias("ab")).Sort(a.Desc()).Limit(0, 5).Node()
		}},
	})
}

func TestSimplifyExpressionsJoins(t *testing.T) {
	runRule(t, rules.SimplifyExpressions{}, []goldenCase{
		{"join_condition_folded", func(t *testing.T) plan.Node {
			return lt(t).Join(rt(t), plan.LeftJoin, plantest.On(id, id), plantest.Where(a.Gt(expr.Lit(1).Add(2)).Or(y.Lt(null)))).Node()
		}},
		{"join_condition_true_removed", func(t *testing.T) plan.Node {
			return lt(t).Join(rt(t), plan.InnerJoin, plantest.On(id, id), plantest.Where(expr.Lit(1).Lt(2))).Node()
		}},
		{"join_condition_true_inner_is_cross", func(t *testing.T) plan.Node {
			return lt(t).Join(rt(t), plan.InnerJoin, plantest.Where(expr.Lit(1).Lt(2))).Node()
		}},
		{"join_condition_true_keyless_left_kept", func(t *testing.T) plan.Node {
			return lt(t).Join(rt(t), plan.LeftJoin, plantest.Where(expr.Lit(1).Lt(2))).Node()
		}},
		{"join_condition_nothing_to_do", func(t *testing.T) plan.Node {
			return lt(t).Join(rt(t), plan.LeftJoin, plantest.On(id, id), plantest.Where(a.Lt(y))).Node()
		}},
	})
}
