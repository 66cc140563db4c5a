//go:build cgo

package sql

import (
	"context"

	pg "github.com/pganalyze/pg_query_go/v6"

	"lakeframe/expr"
	"lakeframe/plan"
)

// andArgs splits a WHERE clause into its top-level AND operands.
func andArgs(n *pg.Node) []*pg.Node {
	if be := n.GetBoolExpr(); be != nil && be.Boolop == pg.BoolExprType_AND_EXPR {
		var out []*pg.Node
		for _, a := range be.Args {
			out = append(out, andArgs(a)...)
		}
		return out
	}
	return []*pg.Node{n}
}

// semiJoin binds a WHERE conjunct that is a correlated EXISTS, NOT EXISTS
// or x IN (subquery) as a semi or anti join of the block with the
// subquery's rows, on the correlated conditions (and y = x): a row is kept
// or dropped whole, so the join needs no per-value aggregates. It reports
// false, binding nothing, for any other conjunct, which is then bound as
// an expression (uncorrelated subqueries run once; NOT IN, whose NULL
// semantics an anti join lacks, is unnested with counts).
func (b *binder) semiJoin(ctx context.Context, blk *block, n *pg.Node) (bool, error) {
	anti := false
	s := n.GetSubLink()
	if be := n.GetBoolExpr(); be != nil && be.Boolop == pg.BoolExprType_NOT_EXPR && len(be.Args) == 1 {
		if s = be.Args[0].GetSubLink(); s != nil && s.SubLinkType != pg.SubLinkType_EXISTS_SUBLINK {
			return false, nil
		}
		anti = true
	}
	if s == nil {
		return false, nil
	}
	in := s.SubLinkType == pg.SubLinkType_ANY_SUBLINK && (len(s.OperName) == 0 || nameOf(s.OperName) == "=")
	if s.SubLinkType != pg.SubLinkType_EXISTS_SUBLINK && !in {
		return false, nil
	}
	sel := s.Subselect.GetSelectStmt()
	if sel.GetOp() != pg.SetOperation_SETOP_NONE || sel.GetWithClause() != nil || len(sel.GetGroupClause()) > 0 ||
		sel.GetHavingClause() != nil || sel.GetLimitCount() != nil || sel.GetLimitOffset() != nil || len(sel.GetValuesLists()) > 0 {
		return false, nil
	}
	sub, err := b.openBlock(ctx, sel, blk.sc)
	if err != nil {
		return false, err
	}
	if len(sub.correlated) == 0 {
		return false, nil
	}
	cond := append([]expr.Node(nil), sub.correlated...)
	if in {
		inner := &exprCtx{sc: sub.sc, rel: &sub.node, clause: "SELECT"}
		ts, err := b.targets(ctx, inner, sel.TargetList)
		if err != nil {
			return false, err
		}
		if len(ts) != 1 || expr.HasAgg(ts[0].e) {
			return false, nil
		}
		outer := &exprCtx{sc: blk.sc, rel: &blk.node, clause: "WHERE"}
		x, err := b.expr(ctx, outer, s.Testexpr)
		if err != nil {
			return false, err
		}
		cond = append(cond, &expr.Binary{Op: expr.OpEq, Left: ts[0].e, Right: x})
	}
	// Conditions on columns of blocks further out are not this join's.
	for _, c := range cond {
		for _, col := range expr.Columns(c) {
			if fieldType(blk.node.Schema(), col) == nil && fieldType(sub.node.Schema(), col) == nil {
				return false, nil
			}
		}
	}
	spec := plan.JoinSpec{Type: plan.SemiJoin}
	if anti {
		spec.Type = plan.AntiJoin
	}
	spec.LeftKeys, spec.RightKeys, spec.Filter = splitJoinCondition(expr.And(cond...), blk.node.Schema(), sub.node.Schema())
	j, err := plan.NewJoin(blk.node, sub.node, spec)
	if err != nil {
		return false, b.engineErr(s.Location, err)
	}
	blk.node = j
	return true, nil
}
