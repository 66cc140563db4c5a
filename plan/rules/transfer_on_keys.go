package rules

import (
	"slices"

	"github.com/apache/arrow-go/v18/arrow"

	"lakeframe/expr"
	"lakeframe/plan"
)

// transferOnKeys copies the conjuncts going into one input of a join that
// test a key column against constants (k = 5, k < 10, k IN (...), and so
// the two halves of BETWEEN) to the other input's matching key column, so
// that the sources on both sides can prune. toLeft holds conjuncts over
// the left input's columns, toRight over the right input's.
//
// A copy is sound where the join keeps only rows whose keys are equal: a
// row of the other input that fails the copy could only match rows the
// original removes. That holds both ways for an inner join, and from left
// to right for a semi join, whose left rows need a match. Key pairs must
// be plain columns of one type, so that equal keys are equal values for
// every comparison. A copy the target already has is not added again.
func transferOnKeys(spec plan.JoinSpec, left, right plan.Node, toLeft, toRight []expr.Node) ([]expr.Node, []expr.Node) {
	if spec.Type != plan.InnerJoin && spec.Type != plan.SemiJoin || len(toLeft)+len(toRight) == 0 {
		return toLeft, toRight
	}
	leftToRight, rightToLeft := columnKeyPairs(spec, left.Schema(), right.Schema())
	if len(leftToRight) == 0 {
		return toLeft, toRight
	}
	fromLeft := toLeft
	if spec.Type == plan.InnerJoin {
		toLeft = appendTransferred(toLeft, toRight, rightToLeft)
	}
	toRight = appendTransferred(toRight, fromLeft, leftToRight)
	return toLeft, toRight
}

// columnKeyPairs maps the key columns of each input to the other input's
// matching key columns, for the key pairs that are plain columns of the
// same type.
func columnKeyPairs(spec plan.JoinSpec, ls, rs *arrow.Schema) (leftToRight, rightToLeft map[string][]string) {
	for i := range spec.LeftKeys {
		l, lok := spec.LeftKeys[i].(*expr.Column)
		r, rok := spec.RightKeys[i].(*expr.Column)
		if !lok || !rok {
			continue
		}
		lt, lerr := expr.TypeOf(l, ls)
		rt, rerr := expr.TypeOf(r, rs)
		if lerr != nil || rerr != nil || !arrow.TypeEqual(lt, rt) {
			continue
		}
		if leftToRight == nil {
			leftToRight, rightToLeft = map[string][]string{}, map[string][]string{}
		}
		leftToRight[l.Name] = append(leftToRight[l.Name], r.Name)
		rightToLeft[r.Name] = append(rightToLeft[r.Name], l.Name)
	}
	return leftToRight, rightToLeft
}

// appendTransferred adds to dst a copy of each conjunct of src that tests
// a column of pairs against constants, over each matching column.
func appendTransferred(dst, src []expr.Node, pairs map[string][]string) []expr.Node {
	dst = slices.Clip(dst)
	for _, p := range src {
		col, ok := constantTest(p)
		if !ok {
			continue
		}
		for _, other := range pairs[col] {
			c, err := substitute(p, map[string]expr.Node{col: &expr.Column{Name: other}})
			if err == nil && !containsExpr(dst, c) {
				dst = append(dst, c)
			}
		}
	}
	return dst
}

// constantTest returns the column of a comparison between a column and a
// constant, or of a column IN a list of constants.
func constantTest(p expr.Node) (string, bool) {
	switch x := p.(type) {
	case *expr.Binary:
		if !x.Op.IsComparison() {
			return "", false
		}
		if c, ok := x.Left.(*expr.Column); ok && isLiteral(x.Right) {
			return c.Name, true
		}
		if c, ok := x.Right.(*expr.Column); ok && isLiteral(x.Left) {
			return c.Name, true
		}
	case *expr.IsIn:
		c, ok := x.In.(*expr.Column)
		if !ok || !allLiterals(x.List) {
			return "", false
		}
		return c.Name, true
	}
	return "", false
}

func allLiterals(list []expr.Node) bool {
	for _, n := range list {
		if !isLiteral(n) {
			return false
		}
	}
	return true
}
