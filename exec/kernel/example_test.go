package kernel_test

import (
	"fmt"
	"strings"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"

	"lakeframe/exec/kernel"
)

func mustJSON(mem memory.Allocator, dt arrow.DataType, js string) arrow.Array {
	a, _, err := array.FromJSON(mem, dt, strings.NewReader(js))
	if err != nil {
		panic(err)
	}
	return a
}

func ExampleLike() {
	mem := memory.NewGoAllocator()
	in := mustJSON(mem, arrow.BinaryTypes.String, `["PROMO BRUSHED", "STANDARD", null, "PROMO"]`)
	defer in.Release()
	p, err := kernel.CompileLike("PROMO%", 0) // compile once, evaluate per batch
	if err != nil {
		panic(err)
	}
	out, err := p.Eval(mem, in)
	if err != nil {
		panic(err)
	}
	defer out.Release()
	fmt.Println(out)
	// Output: [true false (null) true]
}

func ExampleSubstr() {
	mem := memory.NewGoAllocator()
	in := mustJSON(mem, arrow.BinaryTypes.String, `["hello", "héllo", null]`)
	defer in.Release()
	for _, r := range [][2]int64{{2, 3}, {0, 2}, {-3, 2}} {
		out, err := kernel.Substr(mem, in, r[0], r[1])
		if err != nil {
			panic(err)
		}
		fmt.Println(r, out)
		out.Release()
	}
	// Output:
	// [2 3] ["ell" "éll" (null)]
	// [0 2] ["h" "h" (null)]
	// [-3 2] ["ll" "ll" (null)]
}

func ExampleDateAdd() {
	mem := memory.NewGoAllocator()
	in := mustJSON(mem, arrow.FixedWidthTypes.Date32, `["2024-01-31", "2023-01-31", null]`)
	defer in.Release()
	out, err := kernel.DateAdd(mem, in, arrow.MonthDayNanoInterval{Months: 1})
	if err != nil {
		panic(err)
	}
	defer out.Release()
	fmt.Println(out)
	// Output: [2024-02-29 2023-02-28 (null)]
}

func ExampleFilter() {
	mem := memory.NewGoAllocator()
	schema := arrow.NewSchema([]arrow.Field{{Name: "ok", Type: arrow.FixedWidthTypes.Boolean, Nullable: true}}, nil)
	col := mustJSON(mem, arrow.FixedWidthTypes.Boolean, `[true, null, false, null]`)
	defer col.Release()
	rec := array.NewRecordBatch(schema, []arrow.Array{col}, 4)
	defer rec.Release()
	mask := mustJSON(mem, arrow.FixedWidthTypes.Boolean, `[true, true, null, true]`).(*array.Boolean)
	defer mask.Release()
	out, err := kernel.Filter(mem, rec, mask) // a null mask row is dropped
	if err != nil {
		panic(err)
	}
	defer out.Release()
	fmt.Println(out.Column(0))
	// Output: [true (null) (null)]
}

func ExampleCaseWhen() {
	mem := memory.NewGoAllocator()
	cond := mustJSON(mem, arrow.FixedWidthTypes.Boolean, `[true, false, null]`)
	defer cond.Release()
	yes := mustJSON(mem, arrow.BinaryTypes.String, `["yes"]`) // length 1: a constant
	defer yes.Release()
	no := mustJSON(mem, arrow.BinaryTypes.String, `["no"]`)
	defer no.Release()
	out, err := kernel.CaseWhen(mem, []arrow.Array{cond}, []arrow.Array{yes}, no)
	if err != nil {
		panic(err)
	}
	defer out.Release()
	fmt.Println(out)
	// Output: ["yes" "no" "no"]
}
