package eval

import (
	"context"
	"errors"
	"slices"
	"strings"
	"testing"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/memory"

	"lakeframe/errs"
	"lakeframe/expr"
)

// TestCastTextToInteger: text columns cast to integers in base 10, as
// DuckDB does ('010' is 10, '08' is 8), with spaces around allowed; text
// that is not an integer, or one out of the target's range, fails naming
// the value.
func TestCastTextToInteger(t *testing.T) {
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)
	batch := makeBatch(t, mem, col{"s", arrow.BinaryTypes.String, []any{"010", "-010", " 08 ", nil, "0100", "+7"}})
	defer batch.Release()
	for _, to := range []arrow.DataType{arrow.PrimitiveTypes.Int64, arrow.PrimitiveTypes.Int32} {
		got := mustEval(t, mem, expr.Col("s").Cast(to), batch)
		if rows := rowsOf(t, got); !slices.Equal(rows, want(10, -10, 8, nil, 100, 7)) {
			t.Errorf("%s: got %q", to, rows)
		}
		got.Release()
	}
	for _, c := range []struct {
		vals []any
		to   arrow.DataType
		bad  string
	}{
		{[]any{"1", "0x10"}, arrow.PrimitiveTypes.Int64, `"0x10"`},
		{[]any{"1.5"}, arrow.PrimitiveTypes.Int32, `"1.5"`},
		{[]any{"300"}, arrow.PrimitiveTypes.Int8, "300"},
		{[]any{"-1"}, arrow.PrimitiveTypes.Uint32, `"-1"`},
	} {
		b := makeBatch(t, mem, col{"s", arrow.BinaryTypes.String, c.vals})
		n, err := expr.Resolve(expr.Col("s").Cast(c.to).Node(), b.Schema())
		if err != nil {
			t.Fatal(err)
		}
		out, err := Eval(context.Background(), mem, n, b)
		if err == nil {
			out.Release()
			t.Errorf("%v to %s: no error", c.vals, c.to)
		} else if !errors.Is(err, errs.ErrExec) || !strings.Contains(err.Error(), c.bad) {
			t.Errorf("%v to %s: %v, want an execution error naming %s", c.vals, c.to, err, c.bad)
		}
		b.Release()
	}
}
