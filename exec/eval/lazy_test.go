package eval

import (
	"context"
	"errors"
	"math"
	"slices"
	"testing"

	"github.com/apache/arrow-go/v18/arrow/memory"

	"lakeframe/errs"
	"lakeframe/expr"
)

// TestLazyOperands checks that an operand failing on rows that do not need
// it (as SQL evaluates AND, OR, COALESCE and CASE) does not fail the
// expression, and that it still fails when a row needs it.
func TestLazyOperands(t *testing.T) {
	c := expr.Col
	// s holds a number where ok is true or NULL; big overflows when
	// doubled or incremented only where ok is false; s2 fails to parse
	// only where ok is NULL.
	cols := []col{
		{"ok", boo, []any{true, false, nil, true, false}},
		{"s", str, []any{"1", "x", "3", "4", nil}},
		{"big", i64, []any{1, math.MaxInt64, 3, 2, nil}},
		{"n", i64, []any{nil, 7, nil, nil, 9}},
		{"s2", str, []any{"1", "2", "bad", "3", "4"}},
	}
	for _, tc := range []struct {
		name string
		e    expr.Expr
		want []string // nil: the expression must fail with ErrExec
	}{
		{"case skips the branch", expr.When(c("ok"), c("s").Cast(i64)).Otherwise(-1), want(1, -1, -1, 4, -1)},
		{"retried string branch", expr.When(c("ok"), c("s").Cast(i64).Cast(str)).End(), want("1", nil, nil, "4", nil)},
		{"retried boolean branch", expr.When(c("ok"), c("s").Cast(i64).Gt(2)).End(), want(false, nil, nil, true, nil)},
		{"retried boolean branch with NULLs", expr.When(c("ok").IsNotNull(), c("s2").Cast(i64).Gt(c("n"))).End(), want(nil, false, nil, nil, false)},
		{"case without else", expr.When(c("ok"), c("big").Mul(2)).End(), want(2, nil, nil, 4, nil)},
		{"case else only where no branch", expr.When(c("ok").IsNull().Or(c("ok").Not()), 0).Otherwise(c("big").Add(1)), want(2, 0, 0, 3, 0)},
		{"case condition after a true one", expr.When(c("ok").IsNull().Or(c("ok").Not()), 0).When(c("s").Cast(i64).Gt(2), 1).Otherwise(2), want(2, 0, 0, 1, 0)},
		{"case branch needed", expr.When(c("ok").IsNotNull(), c("s").Cast(i64)).Otherwise(0), nil},
		{"and skips rows the left decides", c("ok").And(c("s").Cast(i64).Gt(1)), want(false, false, nil, true, false)},
		{"or skips rows the left decides", c("ok").Not().Or(c("big").Add(1).Gt(0)), want(true, true, true, true, true)},
		{"and needs NULL rows", c("ok").And(c("s2").Cast(i64).Gt(0)), nil},
		{"coalesce skips rows with a value", expr.Coalesce(c("n"), c("s").Cast(i64)), want(1, 7, 3, 4, 9)},
		{"coalesce argument needed", expr.Coalesce(c("n"), c("s2").Cast(i64)), nil},
		{"arithmetic with a NULL constant", c("big").Mul(2).Add(expr.Lit(nil)), want(nil, nil, nil, nil, nil)},
		{"arithmetic with a constant that is NULL", c("big").Add(1).Sub(expr.Lit(5).Mod(0)), want(nil, nil, nil, nil, nil)},
		{"comparison with NULL still fails", c("big").Add(1).Eq(expr.Lit(nil)), nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
			defer mem.AssertSize(t, 0)
			batch := makeBatch(t, mem, cols...)
			defer batch.Release()
			n, err := expr.Resolve(tc.e.Node(), batch.Schema())
			if err != nil {
				t.Fatal(err)
			}
			got, err := Eval(context.Background(), mem, n, batch)
			if tc.want == nil {
				if err == nil {
					defer got.Release()
					t.Fatalf("no error; got %q", rowsOf(t, got))
				}
				if !errors.Is(err, errs.ErrExec) {
					t.Errorf("error %v is not ErrExec", err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			defer got.Release()
			if rows := rowsOf(t, got); !slices.Equal(rows, tc.want) {
				t.Errorf("got  %q\nwant %q", rows, tc.want)
			}
		})
	}
}
