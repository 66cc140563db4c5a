package rules_test

import (
	"testing"

	"lakeframe/expr"
	"lakeframe/plan"
	"lakeframe/plan/plantest"
)

// lt and rt are the two sides most join tests use. Both have id and name,
// so the right ones come out as id_right and name_right unless a join on
// shared names coalesces them. Their keys are not pushable, so that no
// IS NOT NULL is inferred unless a test asks for it with kt.
func lt(t *testing.T) *plantest.Builder {
	t.Helper()
	return plantest.ScanOf(t, plantest.MustSource(t, "l", "id:int64", "a:int64:exact", "name:string:inexact", "f:float64"))
}

func rt(t *testing.T) *plantest.Builder {
	t.Helper()
	return plantest.ScanOf(t, plantest.MustSource(t, "r", "id:int64", "x:string:exact", "y:int64:inexact", "name:string", "g:float64"))
}

// kt has a key column that sources can prune on.
func kt(t *testing.T, name string) *plantest.Builder {
	t.Helper()
	return plantest.ScanOf(t, plantest.MustSource(t, name, name+"_k:int64:inexact", name+"_v:string:exact"))
}

var (
	id, name, x, y, g  = expr.Col("id"), expr.Col("name"), expr.Col("x"), expr.Col("y"), expr.Col("g")
	idRight, nameRight = expr.Col("id_right"), expr.Col("name_right")
)

// innerLR is l inner join r on l.id = r.id.
func innerLR(t *testing.T, typ plan.JoinType) *plantest.Builder {
	t.Helper()
	return lt(t).Join(rt(t), typ, plantest.On(id, id))
}
