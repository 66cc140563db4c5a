package eval

import (
	"slices"
	"testing"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/decimal128"
	"github.com/apache/arrow-go/v18/arrow/memory"

	"lakeframe/expr"
)

// TestDecimalColumn covers a Decimal128 column as Parquet files written by
// other engines hold them (TPC-H prices): comparisons with literals,
// arithmetic (done in float64), IN, casts.
func TestDecimalColumn(t *testing.T) {
	dt := &arrow.Decimal128Type{Precision: 15, Scale: 2}
	c := expr.Col("p")
	for _, tc := range []struct {
		name string
		e    expr.Expr
		want []string
	}{
		{"gt literal", c.Gt(10.5), want(true, false, nil, false)},
		{"eq int literal", c.Eq(-3), want(false, true, nil, false)},
		{"in", c.IsIn(0, 12.25), want(true, false, nil, true)},
		{"times literal", c.Mul(2), want(24.5, -6.0, nil, 0.0)},
		{"to string", c.Cast(str), want("12.25", "-3.00", nil, "0.00")},
		{"to int", c.Cast(i64), want(12, -3, nil, 0)},
		{"neg", c.Neg().Cast(str), want("-12.25", "3.00", nil, "0.00")},
	} {
		t.Run(tc.name, func(t *testing.T) {
			mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
			defer mem.AssertSize(t, 0)
			b := array.NewDecimal128Builder(mem, dt)
			b.AppendValues([]decimal128.Num{decimal128.FromI64(1225), decimal128.FromI64(-300), {}, {}}, []bool{true, true, false, true})
			arr := b.NewArray()
			b.Release()
			batch := array.NewRecordBatch(arrow.NewSchema([]arrow.Field{{Name: "p", Type: dt, Nullable: true}}, nil), []arrow.Array{arr}, 4)
			arr.Release()
			defer batch.Release()
			got := mustEval(t, mem, tc.e, batch)
			defer got.Release()
			if rows := rowsOf(t, got); !slices.Equal(rows, tc.want) {
				t.Errorf("got  %q\nwant %q", rows, tc.want)
			}
		})
	}
}
