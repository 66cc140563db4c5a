//go:build cgo

package aggregate

import (
	"fmt"
	"math"
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"

	"lakeframe/exec/exectest"
)

// statsAggs pairs the statistical and collecting aggregates with their
// DuckDB spelling. Order-sensitive ones order by rid, the input order.
var statsAggs = []struct {
	kind Kind
	q    float64
	col  string
	sql  string
}{
	{Var, 0, "vd", "var_samp(vd)"}, {Std, 0, "vd", "stddev_samp(vd)"},
	{VarPop, 0, "vd", "var_pop(vd)"}, {StdPop, 0, "vd", "stddev_pop(vd)"},
	{Var, 0, "vi", "var_samp(vi)"}, {StdPop, 0, "vi", "stddev_pop(vi)"},
	{Quantile, 0.5, "vd", "median(vd)"}, {Quantile, 0.25, "vi", "quantile_cont(vi, 0.25)"},
	{Quantile, 0, "vd", "quantile_cont(vd, 0.0)"}, {Quantile, 1, "vd", "quantile_cont(vd, 1.0)"},
	{Quantile, 0.9, "vd", "quantile_cont(vd, 0.9)"},
	{First, 0, "vs", "first(vs ORDER BY rid)"}, {Last, 0, "vs", "last(vs ORDER BY rid)"},
	{First, 0, "vb", "first(vb ORDER BY rid)"}, {Last, 0, "vd", "last(vd ORDER BY rid)"},
	{List, 0, "vs", "list(vs ORDER BY rid)"}, {List, 0, "vi", "list(vi ORDER BY rid)"},
	{List, 0, "vb", "list(vb ORDER BY rid)"},
}

func statsColumns() []duckColumn {
	return []duckColumn{
		{"k", "BIGINT", arrow.PrimitiveTypes.Int64, func(r *rand.Rand) any { return int64(r.IntN(30)) }},
		{"rid", "BIGINT", arrow.PrimitiveTypes.Int64, nil},
		{"vd", "DOUBLE", arrow.PrimitiveTypes.Float64, func(r *rand.Rand) any {
			switch r.IntN(20) {
			case 0:
				return math.Copysign(0, -1)
			case 1:
				return 0.0
			case 2:
				return 1e9 + float64(r.IntN(10)) // large values with small spread
			}
			return r.NormFloat64() * 100
		}},
		{"vi", "INTEGER", arrow.PrimitiveTypes.Int32, func(r *rand.Rand) any { return int32(r.IntN(2001) - 1000) }},
		{"vs", "VARCHAR", arrow.BinaryTypes.String, func(r *rand.Rand) any {
			return []string{"", "a", "é", "日本", "a longer value", "Z"}[r.IntN(6)]
		}},
		{"vb", "BOOLEAN", arrow.FixedWidthTypes.Boolean, func(r *rand.Rand) any { return r.IntN(2) == 0 }},
	}
}

// TestStatsMatchDuckDB runs the statistical and collecting aggregates over
// random batches (NULLs everywhere, ±0.0, empty batches, groups with one
// value) in one phase and as three partitions merged in order, and
// compares every group with DuckDB's GROUP BY.
func TestStatsMatchDuckDB(t *testing.T) {
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)
	r := rand.New(rand.NewPCG(5, 6))
	cols := statsColumns()
	colIndex := map[string]int{}
	for c, col := range cols {
		colIndex[col.name] = c
	}
	batches, rows := randomBatches(t, mem, r, cols, 60, 200, func(row int, col duckColumn) any {
		switch {
		case col.name == "rid":
			return int64(row)
		case col.name == "k" && r.IntN(40) == 0:
			return int64(100 + row) // a group of one row
		case r.IntN(6) > 0:
			return col.gen(r)
		}
		return nil
	})
	defer func() {
		for _, b := range batches {
			exectest.ReleaseAll(b)
		}
	}()

	db := duckLoad(t, cols, rows)
	defer db.Close()
	var sel []string
	for _, a := range statsAggs {
		sel = append(sel, a.sql)
	}
	want := map[string][]any{}
	duckRows(t, db, "SELECT k, "+strings.Join(sel, ", ")+" FROM t GROUP BY k", func(v []any) {
		want[renderDuck(v[0])] = v[1:]
	})

	keyTypes := []arrow.DataType{arrow.PrimitiveTypes.Int64}
	newAccs := func() (*GroupTable, []Accumulator) {
		gt := exectest.Must[*GroupTable](t)(NewGroupTable(mem, keyTypes))
		var accs []Accumulator
		for _, a := range statsAggs {
			in := cols[colIndex[a.col]].arrow
			if a.kind == Quantile {
				accs = append(accs, exectest.Must[Accumulator](t)(NewQuantile(mem, in, a.q)))
			} else {
				accs = append(accs, exectest.Must[Accumulator](t)(New(mem, a.kind, in)))
			}
		}
		return gt, accs
	}
	release := func(gt *GroupTable, accs []Accumulator) {
		gt.Release()
		for _, a := range accs {
			a.Release()
		}
	}
	update := func(gt *GroupTable, accs []Accumulator, batch []arrow.Array) {
		ids := exectest.Must[[]uint32](t)(gt.Insert(batch[:1], nil))
		for j, a := range statsAggs {
			if err := accs[j].Update(ids, gt.Len(), batch[colIndex[a.col]]); err != nil {
				t.Fatal(err)
			}
		}
	}
	check := func(phase string, gt *GroupTable, accs []Accumulator) {
		keys := exectest.Must[[]arrow.Array](t)(gt.Keys())
		defer exectest.ReleaseAll(keys)
		var outs []arrow.Array
		defer func() { exectest.ReleaseAll(outs) }()
		for _, a := range accs {
			outs = append(outs, exectest.Must[arrow.Array](t)(a.Finish()))
		}
		if gt.Len() != len(want) {
			t.Errorf("%s: %d groups, DuckDB has %d", phase, gt.Len(), len(want))
		}
		bad := 0
		for g := range gt.Len() {
			k := renderDuck(cellOf(keys[0], g))
			w, ok := want[k]
			if !ok {
				t.Fatalf("%s: group %s is not in DuckDB's result", phase, k)
			}
			for j, out := range outs {
				if got := cellOf(out, g); !sameCell(got, w[j]) {
					t.Errorf("%s: group %s, %s: got %v, DuckDB %v", phase, k, statsAggs[j].sql, got, w[j])
					if bad++; bad == 8 {
						t.FailNow()
					}
				}
			}
		}
	}

	gt, accs := newAccs()
	for _, b := range batches {
		update(gt, accs, b)
	}
	check("single phase", gt, accs)
	release(gt, accs)

	// Three partitions of consecutive batches, merged in partition order,
	// keep the input order that First, Last and List depend on.
	fgt, faccs := newAccs()
	defer release(fgt, faccs)
	per := (len(batches) + 2) / 3
	for p := range 3 {
		pgt, paccs := newAccs()
		for _, b := range batches[min(p*per, len(batches)):min((p+1)*per, len(batches))] {
			update(pgt, paccs, b)
		}
		mergePartition(t, fgt, faccs, pgt, paccs)
		release(pgt, paccs)
	}
	check("three partitions", fgt, faccs)
}

// cellOf reads row i of arr as a plain Go value, lists as []any.
func cellOf(arr arrow.Array, i int) any {
	if arr.IsNull(i) {
		return nil
	}
	switch a := arr.(type) {
	case *array.Float64:
		return a.Value(i)
	case *array.Int64:
		return a.Value(i)
	case *array.Int32:
		return int64(a.Value(i))
	case *array.String:
		return a.Value(i)
	case *array.Boolean:
		return a.Value(i)
	case *array.List:
		start, end := a.ValueOffsets(i)
		out := []any{}
		for j := start; j < end; j++ {
			out = append(out, cellOf(a.ListValues(), int(j)))
		}
		return out
	}
	return arr.ValueStr(i)
}

// sameCell compares a lakeframe value with DuckDB's: floats within a
// relative 1e-9 (the order of additions differs), lists element-wise.
func sameCell(got, want any) bool {
	switch w := want.(type) {
	case nil:
		return got == nil
	case float64:
		g, ok := got.(float64)
		if !ok {
			return false
		}
		if math.IsNaN(w) || math.IsNaN(g) {
			return math.IsNaN(w) && math.IsNaN(g)
		}
		if math.IsInf(w, 0) {
			return g == w
		}
		return math.Abs(g-w) <= 1e-9*math.Max(1, math.Abs(w))
	case int32:
		return got == int64(w)
	case []any:
		g, ok := got.([]any)
		if !ok || len(g) != len(w) {
			return false
		}
		for i := range w {
			if !sameCell(g[i], w[i]) {
				return false
			}
		}
		return true
	}
	return fmt.Sprint(got) == fmt.Sprint(want)
}

// TestStatsEdgesMatchDuckDB aggregates small inputs that break engines
// (no rows, only NULLs, NaN, ±Inf, ±0.0) into one group and compares with
// DuckDB.
func TestStatsEdgesMatchDuckDB(t *testing.T) {
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)
	inf, nan := math.Inf(1), math.NaN()
	cases := map[string][]any{
		"no rows":     {},
		"nulls":       {nil, nil},
		"one":         {2.5},
		"nan":         {1.0, nan, 2.0, nil},
		"infinities":  {-inf, inf, 2.0},
		"same inf":    {inf, inf, 2.0},
		"signed zero": {math.Copysign(0, -1), 0.0, math.Copysign(0, -1)},
	}
	aggs := []struct {
		kind Kind
		q    float64
		sql  string
	}{
		{Quantile, 0.5, "median(v)"}, {Quantile, 0.9, "quantile_cont(v, 0.9)"},
		{Quantile, 0.75, "quantile_cont(v, 0.75)"}, {Quantile, 0, "quantile_cont(v, 0)"},
		{First, 0, "first(v ORDER BY rid)"}, {Last, 0, "last(v ORDER BY rid)"},
		{List, 0, "list(v ORDER BY rid)"}, {ApproxCountDistinct, 0, "count(DISTINCT v)"},
	}
	var sel []string
	for _, a := range aggs {
		sel = append(sel, a.sql)
	}
	cols := []duckColumn{{"rid", "BIGINT", arrow.PrimitiveTypes.Int64, nil}, {"v", "DOUBLE", arrow.PrimitiveTypes.Float64, nil}}
	for name, vals := range cases {
		t.Run(name, func(t *testing.T) {
			var rows [][]any
			for i, v := range vals {
				rows = append(rows, []any{int64(i), v})
			}
			db := duckLoad(t, cols, rows)
			defer db.Close()
			var want []any
			duckRows(t, db, "SELECT "+strings.Join(sel, ", ")+" FROM t", func(v []any) { want = v })
			in := duckArray(t, mem, arrow.PrimitiveTypes.Float64, vals)
			defer in.Release()
			ids := make([]uint32, len(vals))
			for j, a := range aggs {
				var acc Accumulator
				if a.kind == Quantile {
					acc = exectest.Must[Accumulator](t)(NewQuantile(mem, in.DataType(), a.q))
				} else {
					acc = exectest.Must[Accumulator](t)(New(mem, a.kind, in.DataType()))
				}
				if err := acc.Update(ids, 1, in); err != nil {
					t.Fatal(err)
				}
				out := exectest.Must[arrow.Array](t)(acc.Finish())
				if got := cellOf(out, 0); !sameCell(got, want[j]) {
					t.Errorf("%s: got %v, DuckDB %v", a.sql, got, want[j])
				}
				out.Release()
				acc.Release()
			}
		})
	}
}

// TestVarianceOfNonFiniteIsNaN: DuckDB refuses NaN and infinities in
// var_samp ("out of range"); lakeframe gives NaN, as IEEE arithmetic does.
func TestVarianceOfNonFiniteIsNaN(t *testing.T) {
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)
	for _, bad := range []float64{math.NaN(), math.Inf(1), math.Inf(-1)} {
		in := duckArray(t, mem, arrow.PrimitiveTypes.Float64, []any{1.0, bad, 3.0})
		for _, k := range []Kind{Var, VarPop, Std, StdPop} {
			acc := exectest.Must[Accumulator](t)(New(mem, k, in.DataType()))
			if err := acc.Update([]uint32{0, 0, 0}, 1, in); err != nil {
				t.Fatal(err)
			}
			out := exectest.Must[arrow.Array](t)(acc.Finish())
			if v := cellOf(out, 0); !sameCell(v, math.NaN()) {
				t.Errorf("%s with %v: got %v, want NaN", k, bad, v)
			}
			out.Release()
			acc.Release()
		}
		in.Release()
	}
}

// TestApproxCountDistinctError checks HyperLogLog estimates against
// DuckDB's exact count(DISTINCT) over many sizes and types: within 5%
// (three standard errors of 4096 registers) plus one, and a sketch merged
// from partitions gives exactly the estimate of one pass.
func TestApproxCountDistinctError(t *testing.T) {
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)
	r := rand.New(rand.NewPCG(7, 8))
	cols := []duckColumn{
		{"g", "BIGINT", arrow.PrimitiveTypes.Int64, nil},
		{"i", "BIGINT", arrow.PrimitiveTypes.Int64, nil},
		{"s", "VARCHAR", arrow.BinaryTypes.String, nil},
		{"d", "DOUBLE", arrow.PrimitiveTypes.Float64, nil},
	}
	// Group g has about 10^g distinct values, each repeated a few times.
	var rows [][]any
	for g := range 6 {
		distinct := int(math.Pow(10, float64(g)))
		for range distinct + distinct/2 {
			v := r.IntN(distinct)
			var s any = fmt.Sprintf("välue %d", v)
			if v == 0 {
				s = ""
			}
			var d any = float64(v) / 7
			if r.IntN(50) == 0 {
				d = nil
			}
			rows = append(rows, []any{int64(g), int64(v) * 1_000_003, s, d})
		}
	}
	r.Shuffle(len(rows), func(i, j int) { rows[i], rows[j] = rows[j], rows[i] })
	db := duckLoad(t, cols, rows)
	defer db.Close()
	want := map[int64][]int64{}
	duckRows(t, db, "SELECT g, count(DISTINCT i), count(DISTINCT s), count(DISTINCT d) FROM t GROUP BY g", func(v []any) {
		want[v[0].(int64)] = []int64{v[1].(int64), v[2].(int64), v[3].(int64)}
	})

	var batches [][]arrow.Array
	for start := 0; start < len(rows); start += 4096 {
		end := min(start+4096, len(rows))
		batch := make([]arrow.Array, len(cols))
		for c, col := range cols {
			var vals []any
			for _, row := range rows[start:end] {
				vals = append(vals, row[c])
			}
			batch[c] = duckArray(t, mem, col.arrow, vals)
		}
		batches = append(batches, batch)
	}
	defer func() {
		for _, b := range batches {
			exectest.ReleaseAll(b)
		}
	}()
	run := func(parts int) map[int64][]int64 {
		final := exectest.Must[*GroupTable](t)(NewGroupTable(mem, []arrow.DataType{arrow.PrimitiveTypes.Int64}))
		defer final.Release()
		var faccs []Accumulator
		for c := 1; c < len(cols); c++ {
			faccs = append(faccs, exectest.Must[Accumulator](t)(New(mem, ApproxCountDistinct, cols[c].arrow)))
		}
		for p := range parts {
			gt := exectest.Must[*GroupTable](t)(NewGroupTable(mem, []arrow.DataType{arrow.PrimitiveTypes.Int64}))
			var accs []Accumulator
			for c := 1; c < len(cols); c++ {
				accs = append(accs, exectest.Must[Accumulator](t)(New(mem, ApproxCountDistinct, cols[c].arrow)))
			}
			for b := p; b < len(batches); b += parts {
				ids := exectest.Must[[]uint32](t)(gt.Insert(batches[b][:1], nil))
				for c, acc := range accs {
					if err := acc.Update(ids, gt.Len(), batches[b][c+1]); err != nil {
						t.Fatal(err)
					}
				}
			}
			mergePartition(t, final, faccs, gt, accs)
			for _, acc := range accs {
				acc.Release()
			}
			gt.Release()
		}
		keys := exectest.Must[[]arrow.Array](t)(final.Keys())
		defer exectest.ReleaseAll(keys)
		out := map[int64][]int64{}
		for _, acc := range faccs {
			res := exectest.Must[arrow.Array](t)(acc.Finish())
			for g := range final.Len() {
				k := keys[0].(*array.Int64).Value(g)
				out[k] = append(out[k], res.(*array.Int64).Value(g))
			}
			res.Release()
			acc.Release()
		}
		return out
	}
	one, three := run(1), run(3)
	for g, w := range want {
		for c := range w {
			est, exact := one[g][c], w[c]
			if math.Abs(float64(est-exact)) > 0.05*float64(exact)+1 {
				t.Errorf("group %d, column %s: estimate %d, DuckDB's exact count %d", g, cols[c+1].name, est, exact)
			}
			if three[g][c] != est {
				t.Errorf("group %d, column %s: merged estimate %d, one pass %d", g, cols[c+1].name, three[g][c], est)
			}
		}
	}
}
