package prune

import (
	"math/rand/v2"
	"testing"
	"time"

	"github.com/apache/arrow-go/v18/arrow"

	"lakeframe/expr"
)

// TestMonotoneAgainstTime checks on random timestamps (before and after
// 1970) that pruning CAST(ts AS DATE) and year(ts) comparisons never drops
// a set of values where one matches, with Go's time package as the
// reference for the date and the year.
func TestMonotoneAgainstTime(t *testing.T) {
	schema := arrow.NewSchema([]arrow.Field{
		{Name: "ts", Type: &arrow.TimestampType{Unit: arrow.Microsecond}, Nullable: true},
		{Name: "d", Type: arrow.FixedWidthTypes.Date32, Nullable: true},
	}, nil)
	r := rand.New(rand.NewPCG(5, 6))
	const span = int64(200 * 365 * 86400e6)
	ops := []expr.BinaryOp{expr.OpEq, expr.OpNe, expr.OpLt, expr.OpLe, expr.OpGt, expr.OpGe}
	cmp := func(op expr.BinaryOp, a, b int64) bool {
		switch op {
		case expr.OpEq:
			return a == b
		case expr.OpNe:
			return a != b
		case expr.OpLt:
			return a < b
		case expr.OpLe:
			return a <= b
		case expr.OpGt:
			return a > b
		}
		return a >= b
	}
	pruned := map[bool]int{} // by useYear
	for iter := 0; iter < 20000; iter++ {
		n := 1 + r.IntN(3)
		vals := make([]int64, n)
		base := r.Int64N(span) - span/2
		for k := range vals {
			vals[k] = base + r.Int64N(3*86400e6)
		}
		lo, hi := vals[0], vals[0]
		for _, v := range vals {
			lo, hi = min(lo, v), max(hi, v)
		}
		useYear := r.IntN(2) == 0
		of := func(us int64) int64 {
			tm := time.UnixMicro(us).UTC()
			if useYear {
				return int64(tm.Year())
			}
			return int64(tm.Truncate(24*time.Hour).Unix()) / 86400
		}
		lit := of(vals[r.IntN(n)]) + int64(r.IntN(3)) - 1
		op := ops[r.IntN(len(ops))]
		var e expr.Expr
		if useYear {
			e = expr.Col("ts").Dt().Year()
		} else {
			e = expr.Col("ts").Cast(arrow.FixedWidthTypes.Date32)
		}
		var litExpr any = lit
		if !useYear {
			litExpr = time.Unix(lit*86400, 0).UTC()
		}
		pred, err := expr.Resolve(binary(e, op, litExpr).Node(), schema)
		if err != nil {
			t.Fatal(err)
		}
		want := false
		for _, v := range vals {
			if cmp(op, of(v), lit) {
				want = true
			}
		}
		st := Stats{Rows: int64(n), Nulls: 0, Min: Int(lo), Max: Int(hi), HasBounds: true}
		got := Compile(pred, schema).MayMatch(func(col int) (Stats, bool) { return st, col == 0 })
		if want && !got {
			t.Fatalf("%s pruned %v that match", pred, vals)
		}
		if !got {
			pruned[useYear]++
		}
	}
	if pruned[true] == 0 || pruned[false] == 0 {
		t.Errorf("pruned %d year and %d date comparisons; both should prune", pruned[true], pruned[false])
	}
}

func binary(e expr.Expr, op expr.BinaryOp, v any) expr.Expr {
	switch op {
	case expr.OpEq:
		return e.Eq(v)
	case expr.OpNe:
		return e.Ne(v)
	case expr.OpLt:
		return e.Lt(v)
	case expr.OpLe:
		return e.Le(v)
	case expr.OpGt:
		return e.Gt(v)
	}
	return e.Ge(v)
}
