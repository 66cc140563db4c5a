package rules

import (
	"lakeframe/expr"
	"lakeframe/plan"
)

// rejectsNulls reports whether a predicate can never be TRUE on a row
// where every column in cols is NULL, whatever the other columns hold. A
// filter with such a conjunct drops the NULL-padded rows an outer join
// adds for cols' side, and it implies that each of cols is not NULL.
func rejectsNulls(pred expr.Node, cols columnSet) bool {
	switch x := pred.(type) {
	case *expr.Binary:
		switch x.Op {
		case expr.OpAnd:
			return rejectsNulls(x.Left, cols) || rejectsNulls(x.Right, cols)
		case expr.OpOr:
			return rejectsNulls(x.Left, cols) && rejectsNulls(x.Right, cols)
		}
	case *expr.Unary:
		switch x.Op {
		case expr.OpIsNotNull:
			return nullWhenNull(x.In, cols)
		case expr.OpIsNull:
			return false
		case expr.OpNot:
			if in, ok := x.In.(*expr.Unary); ok && in.Op == expr.OpIsNull {
				return nullWhenNull(in.In, cols)
			}
		}
	}
	return nullWhenNull(pred, cols)
}

// nullWhenNull reports whether an expression is NULL on every row where
// the columns in cols are NULL: it references one of them through
// operators and functions that return NULL for a NULL operand.
func nullWhenNull(e expr.Node, cols columnSet) bool {
	switch x := e.(type) {
	case *expr.Column:
		return cols[x.Name]
	case *expr.Literal:
		return !x.Value.IsValid()
	case *expr.Binary:
		if x.Op.IsLogical() {
			// NULL AND FALSE is FALSE, NULL OR TRUE is TRUE.
			return nullWhenNull(x.Left, cols) && nullWhenNull(x.Right, cols)
		}
		return nullWhenNull(x.Left, cols) || nullWhenNull(x.Right, cols)
	case *expr.Unary:
		if x.Op == expr.OpNot || x.Op == expr.OpNeg {
			return nullWhenNull(x.In, cols)
		}
		return false // IS [NOT] NULL is never NULL
	case *expr.Cast:
		return nullWhenNull(x.In, cols)
	case *expr.Alias:
		return nullWhenNull(x.In, cols)
	case *expr.IsIn:
		return len(x.List) > 0 && nullWhenNull(x.In, cols)
	case *expr.Call:
		if x.Fn == expr.FnCoalesce {
			for _, a := range x.Args {
				if !nullWhenNull(a, cols) {
					return false
				}
			}
			return true
		}
		if !strictFunction(x.Fn) {
			return false
		}
		for _, a := range x.Args {
			if nullWhenNull(a, cols) {
				return true
			}
		}
	}
	return false
}

// strictFunction reports whether a function returns NULL when any argument
// is NULL. A function missing here is assumed not to, which only misses
// an optimization.
func strictFunction(fn expr.ScalarFunc) bool {
	switch fn {
	case expr.FnContains, expr.FnStartsWith, expr.FnEndsWith, expr.FnLike,
		expr.FnLower, expr.FnUpper, expr.FnLength, expr.FnSubstr,
		expr.FnYear, expr.FnMonth, expr.FnDay,
		expr.FnAbs, expr.FnSign, expr.FnRound, expr.FnFloor, expr.FnCeil, expr.FnSqrt, expr.FnExp,
		expr.FnLn, expr.FnLog10, expr.FnLog, expr.FnPow, expr.FnIsNaN, expr.FnIsFinite,
		expr.FnTrim, expr.FnLTrim, expr.FnRTrim, expr.FnPadStart, expr.FnPadEnd, expr.FnReverse, expr.FnReplace,
		expr.FnSplit, expr.FnRegexMatch, expr.FnRegexExtract, expr.FnRegexReplace,
		expr.FnHour, expr.FnMinute, expr.FnSecond, expr.FnWeekday, expr.FnQuarter, expr.FnDayOfYear,
		expr.FnDateTrunc, expr.FnDateDiff, expr.FnStrftime, expr.FnStrptime:
		return true
	}
	return false
}

// notNullBelow follows column col of n down the path PushDownFilter would
// push "col IS NOT NULL" along. known reports that NULLs of col are ruled
// out already: the schema says so, a filter on the way rejects them, or
// an inner join below has col as a key. prunes reports that the predicate
// would reach a Scan whose source can use it.
func notNullBelow(n plan.Node, col string) (known, prunes bool) {
	schema := n.Schema()
	if idx := schema.FieldIndices(col); len(idx) == 1 && !schema.Field(idx[0]).Nullable {
		return true, false
	}
	switch x := n.(type) {
	case *plan.Filter:
		for _, c := range expr.Conjuncts(x.Pred) {
			if rejectsNulls(c, columnSet{col: true}) {
				return true, false
			}
		}
		return notNullBelow(x.Input, col)
	case *plan.Project:
		for _, e := range x.Exprs {
			if expr.OutputName(e) == col {
				if c, ok := expr.Unalias(e).(*expr.Column); ok {
					return notNullBelow(x.Input, c.Name)
				}
				return false, false
			}
		}
	case *plan.Aggregate:
		for _, k := range x.Keys {
			if expr.OutputName(k) == col {
				if c, ok := expr.Unalias(k).(*expr.Column); ok {
					return notNullBelow(x.Input, c.Name)
				}
				return false, false
			}
		}
	case *plan.Sort, *plan.Distinct:
		return notNullBelow(x.Children()[0], col)
	case *plan.Limit:
		known, _ = notNullBelow(x.Input, col)
		return known, false // filters do not pass a limit
	case *plan.Join:
		return notNullThroughJoin(x, col)
	case *plan.Scan:
		return notNullInScan(x, col)
	}
	return false, false
}

// notNullThroughJoin follows a column of a join's output into the input
// it comes from. A filter rejecting its NULLs passes the join whatever its
// type (outer joins become inner), but what the input rules out holds in
// the output only where the join pads no NULLs.
func notNullThroughJoin(j *plan.Join, col string) (known, prunes bool) {
	sides := sidesOf(j)
	if sides.left[col] {
		known, prunes = notNullBelow(j.Left, col)
		known = known && !preservesRight(j.Type)
		if (j.Type == plan.InnerJoin || j.Type == plan.SemiJoin) && isKeyColumn(j.LeftKeys, col) {
			known = true
		}
		return known, prunes
	}
	in, ok := sides.right[col].(*expr.Column)
	if !ok {
		return false, false
	}
	known, prunes = notNullBelow(j.Right, in.Name)
	known = known && !preservesLeft(j.Type)
	if j.Type == plan.InnerJoin && isKeyColumn(j.RightKeys, in.Name) {
		known = true
	}
	return known, prunes
}

func isKeyColumn(keys []expr.Node, col string) bool {
	for _, k := range keys {
		if c := keyColumn(k); c != nil && c.Name == col {
			return true
		}
	}
	return false
}

func notNullInScan(s *plan.Scan, col string) (known, prunes bool) {
	for _, f := range s.Filters {
		if s.Source.SupportsFilter(f) == plan.FilterExact && rejectsNulls(f, columnSet{col: true}) {
			return true, false
		}
	}
	if s.Limit >= 0 {
		return false, false
	}
	pred, err := expr.Resolve(&expr.Unary{Op: expr.OpIsNotNull, In: &expr.Column{Name: col}}, s.Source.Schema())
	return false, err == nil && s.Source.SupportsFilter(pred) != plan.FilterUnsupported
}

// keyColumn returns the column a join key reads when the key is that
// column, maybe cast: the key is NULL exactly when the column is (or the
// cast fails).
func keyColumn(key expr.Node) *expr.Column {
	for {
		switch x := key.(type) {
		case *expr.Cast:
			key = x.In
		case *expr.Column:
			return x
		default:
			return nil
		}
	}
}
