package frame

import (
	"fmt"

	"lakeframe/errs"
	"lakeframe/expr"
	"lakeframe/plan"
)

// JoinType says which rows a join keeps.
type JoinType = plan.JoinType

// Join types, as in SQL. Semi keeps the left rows that have a match, anti
// those that have none; both return only the left columns.
const (
	Inner = plan.InnerJoin
	Left  = plan.LeftJoin
	Right = plan.RightJoin
	Full  = plan.FullJoin
	Semi  = plan.SemiJoin
	Anti  = plan.AntiJoin
	Cross = plan.CrossJoin
)

// JoinOption describes how a join matches rows.
type JoinOption func(*joinConfig)

type joinConfig struct {
	on          []string
	left, right []any
	filter      *expr.Expr
	suffix      string
}

// On joins on columns that have the same name on both sides; inner, left,
// semi and anti joins keep each such column once.
func On(columns ...string) JoinOption {
	return func(c *joinConfig) { c.on = append(c.on, columns...) }
}

// LeftOn and RightOn join on keys with different names or expressions:
// LeftOn(a, b) with RightOn(x, y) matches a = x and b = y.
func LeftOn(keys ...any) JoinOption {
	return func(c *joinConfig) { c.left = append(c.left, keys...) }
}

// RightOn gives the right side's keys; see LeftOn.
func RightOn(keys ...any) JoinOption {
	return func(c *joinConfig) { c.right = append(c.right, keys...) }
}

// JoinWhere adds a condition on the joined row (any expression over the
// left columns and the right columns under their output names); rows of an
// outer join's preserved side that match no row this way are kept with
// NULLs.
func JoinWhere(cond expr.Expr) JoinOption {
	return func(c *joinConfig) { c.filter = &cond }
}

// Suffix is appended to right column names that clash with left ones
// (default "_right").
func Suffix(s string) JoinOption {
	return func(c *joinConfig) { c.suffix = s }
}

// Join combines the frame (the left side) with right. The result has the
// left columns, then the right columns, renamed with a suffix where they
// clash; NULL keys never match, as in SQL.
//
//	orders.Join(customers, frame.Inner, frame.LeftOn("o_custkey"), frame.RightOn("c_custkey"))
func (df *DataFrame) Join(right *DataFrame, how JoinType, opts ...JoinOption) *DataFrame {
	if right == nil {
		return failed(fmt.Errorf("join: %w: the right side is a nil *DataFrame", errs.ErrPlan))
	}
	if right.err != nil {
		return failed(fmt.Errorf("join: right side: %w", right.err))
	}
	return df.then("join "+how.String(), func(in plan.Node) (plan.Node, error) {
		cfg := &joinConfig{}
		for _, o := range opts {
			o(cfg)
		}
		spec := plan.JoinSpec{Type: how, Suffix: cfg.suffix, CoalesceKeys: len(cfg.on) > 0}
		for _, name := range cfg.on {
			spec.LeftKeys = append(spec.LeftKeys, expr.Col(name).Node())
			spec.RightKeys = append(spec.RightKeys, expr.Col(name).Node())
		}
		lk, err := exprsOf(cfg.left)
		if err != nil {
			return nil, err
		}
		rk, err := exprsOf(cfg.right)
		if err != nil {
			return nil, err
		}
		if len(lk) != len(rk) {
			return nil, fmt.Errorf("LeftOn has %d keys but RightOn has %d", len(lk), len(rk))
		}
		spec.LeftKeys = append(spec.LeftKeys, lk...)
		spec.RightKeys = append(spec.RightKeys, rk...)
		if cfg.filter != nil {
			if spec.Filter, err = exprOf(*cfg.filter); err != nil {
				return nil, err
			}
		}
		return plan.NewJoin(in, right.node, spec)
	})
}
