package aggregate

import (
	"bytes"
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"strconv"
	"testing"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/ipc"
	"github.com/apache/arrow-go/v18/arrow/memory"

	"lakeframe/exec/exectest"
)

// table is random test input held as Go values (nil for NULL), so that the
// reference below never touches the code under test.
type table struct {
	keyTypes []arrow.DataType
	keys     [][]any // per key column
	colTypes []arrow.DataType
	cols     [][]any // per value column
}

func randomTable(r *rand.Rand, rows, groups int) *table {
	pick := func(p float64, f func() any) any {
		if r.Float64() < p {
			return nil
		}
		return f()
	}
	t := &table{
		keyTypes: []arrow.DataType{arrow.PrimitiveTypes.Int64, arrow.BinaryTypes.String},
		colTypes: []arrow.DataType{
			arrow.PrimitiveTypes.Int32, arrow.PrimitiveTypes.Float64, arrow.BinaryTypes.String,
			arrow.FixedWidthTypes.Boolean, arrow.FixedWidthTypes.Date32, arrow.PrimitiveTypes.Int64,
		},
	}
	t.keys = make([][]any, 2)
	t.cols = make([][]any, len(t.colTypes))
	for range rows {
		t.keys[0] = append(t.keys[0], pick(0.01, func() any { return r.IntN(groups) }))
		t.keys[1] = append(t.keys[1], pick(0.05, func() any { return []string{"x", "y", "a longer key"}[r.IntN(3)] }))
		t.cols[0] = append(t.cols[0], pick(0.1, func() any { return r.IntN(2001) - 1000 }))
		t.cols[1] = append(t.cols[1], pick(0.1, func() any { return math.Round(r.NormFloat64()*1e4) / 64 }))
		t.cols[2] = append(t.cols[2], pick(0.1, func() any { return strconv.Itoa(r.IntN(300)) + "-value"[:r.IntN(7)] }))
		t.cols[3] = append(t.cols[3], pick(0.1, func() any { return r.IntN(3) == 0 }))
		t.cols[4] = append(t.cols[4], pick(0.1, func() any { return 18000 + r.IntN(3000) }))
		t.cols[5] = append(t.cols[5], pick(0.1, func() any { return int(r.Int64N(1 << 40)) }))
	}
	return t
}

type aggSpec struct {
	kind Kind
	col  int // value column; -1 for CountAll
}

var phaseSpecs = []aggSpec{
	{Sum, 0}, {Sum, 1}, {Sum, 5}, {Count, 2}, {CountAll, -1}, {Mean, 0}, {Mean, 1}, {Mean, 5},
	{Min, 0}, {Max, 0}, {Min, 1}, {Max, 1}, {Min, 2}, {Max, 2}, {Min, 3}, {Max, 3}, {Min, 4}, {Max, 4},
	{CountDistinct, 0}, {CountDistinct, 2}, {CountDistinct, 3},
}

// reference computes every aggregate of phaseSpecs per group, rendered as
// text, straight from the Go values.
func reference(t *table) map[string][]string {
	rowsOf := map[string][]int{}
	for i := range t.keys[0] {
		k := renderTuple(t.keys, i)
		rowsOf[k] = append(rowsOf[k], i)
	}
	out := map[string][]string{}
	for k, rows := range rowsOf {
		var res []string
		for _, s := range phaseSpecs {
			var vals []any
			if s.col >= 0 {
				for _, i := range rows {
					if v := t.cols[s.col][i]; v != nil {
						vals = append(vals, v)
					}
				}
			}
			res = append(res, refAggregate(s, t.colTypes, vals, len(rows)))
		}
		out[k] = res
	}
	return out
}

func refAggregate(s aggSpec, types []arrow.DataType, vals []any, rows int) string {
	switch s.kind {
	case CountAll:
		return strconv.Itoa(rows)
	case Count:
		return strconv.Itoa(len(vals))
	case CountDistinct:
		set := map[any]bool{}
		for _, v := range vals {
			set[v] = true
		}
		return strconv.Itoa(len(set))
	}
	if len(vals) == 0 {
		return "NULL"
	}
	switch s.kind {
	case Sum, Mean:
		var fsum float64
		var isum int
		for _, v := range vals {
			switch v := v.(type) {
			case int:
				isum += v
			case float64:
				fsum += v
			}
		}
		if _, ok := vals[0].(int); ok {
			if s.kind == Sum {
				return strconv.Itoa(isum)
			}
			return fmtFloat(float64(isum) / float64(len(vals)))
		}
		if s.kind == Sum {
			return fmtFloat(fsum)
		}
		return fmtFloat(fsum / float64(len(vals)))
	}
	best := vals[0]
	for _, v := range vals[1:] {
		if less(v, best) == (s.kind == Min) && v != best {
			best = v
		}
	}
	switch b := best.(type) {
	case float64:
		return fmtFloat(b)
	case int:
		if types[s.col].ID() == arrow.DATE32 {
			return arrow.Date32(b).FormattedString()
		}
		return strconv.Itoa(b)
	}
	return fmt.Sprint(best)
}

func less(a, b any) bool {
	switch a := a.(type) {
	case int:
		return a < b.(int)
	case float64:
		return a < b.(float64)
	case string:
		return a < b.(string)
	case bool:
		return !a && b.(bool)
	}
	panic(fmt.Sprintf("less %T", a))
}

func fmtFloat(f float64) string { return strconv.FormatFloat(f, 'g', 10, 64) }

func renderTuple(cols [][]any, i int) string {
	s := ""
	for _, c := range cols {
		if c[i] == nil {
			s += "NULL|"
		} else {
			s += fmt.Sprint(c[i]) + "|"
		}
	}
	return s
}

// renderResult turns output arrays into the reference's shape; floats get
// ten significant digits, as their sums depend on the order of additions.
func renderResult(keys, aggs []arrow.Array) map[string][]string {
	out := map[string][]string{}
	for g := 0; g < keys[0].Len(); g++ {
		k := ""
		for _, c := range keys {
			if c.IsNull(g) {
				k += "NULL|"
			} else {
				k += c.ValueStr(g) + "|"
			}
		}
		var res []string
		for _, a := range aggs {
			switch {
			case a.IsNull(g):
				res = append(res, "NULL")
			case a.DataType().ID() == arrow.FLOAT64:
				res = append(res, fmtFloat(a.(*array.Float64).Value(g)))
			default:
				res = append(res, a.ValueStr(g))
			}
		}
		out[k] = res
	}
	return out
}

// slices cuts the table into batches of random sizes, as arrays; every
// other batch is a slice of a larger array.
func (t *table) batches(tb testing.TB, mem memory.Allocator, r *rand.Rand) [][]arrow.Array {
	var out [][]arrow.Array
	n := len(t.keys[0])
	for start := 0; start < n; {
		end := min(n, start+1+r.IntN(5000))
		var batch []arrow.Array
		sliced := len(out)%2 == 1 && start > 0 && end < n
		build := func(dt arrow.DataType, vals []any) {
			if !sliced {
				batch = append(batch, exectest.NewArray(tb, mem, dt, vals[start:end]...))
				return
			}
			full := exectest.NewArray(tb, mem, dt, vals[start-1:end+1]...)
			batch = append(batch, array.NewSlice(full, 1, int64(end-start+1)))
			full.Release()
		}
		for c, dt := range t.keyTypes {
			build(dt, t.keys[c])
		}
		for c, dt := range t.colTypes {
			build(dt, t.cols[c])
		}
		out = append(out, batch)
		start = end
	}
	return out
}

type aggregation struct {
	gt   *GroupTable
	accs []Accumulator
	ins  []arrow.DataType // input type of each accumulator
	ids  []uint32
}

func newAggregation(tb testing.TB, mem memory.Allocator, t *table) *aggregation {
	a := &aggregation{gt: exectest.Must[*GroupTable](tb)(NewGroupTable(mem, t.keyTypes))}
	for _, s := range phaseSpecs {
		var in arrow.DataType
		if s.col >= 0 {
			in = t.colTypes[s.col]
		}
		a.accs = append(a.accs, exectest.Must[Accumulator](tb)(New(mem, s.kind, in)))
		a.ins = append(a.ins, in)
	}
	return a
}

func (a *aggregation) release() {
	a.gt.Release()
	for _, acc := range a.accs {
		acc.Release()
	}
}

func (a *aggregation) update(tb testing.TB, batch []arrow.Array, nk int) {
	tb.Helper()
	var err error
	if a.ids, err = a.gt.Insert(batch[:nk], a.ids); err != nil {
		tb.Fatal(err)
	}
	for j, s := range phaseSpecs {
		var in arrow.Array
		if s.col >= 0 {
			in = batch[nk+s.col]
		}
		if s.kind == CountAll {
			in = nil
		}
		if err := a.accs[j].Update(a.ids, a.gt.Len(), in); err != nil {
			tb.Fatal(err)
		}
	}
}

// partial returns the partial result as one record: keys, then states.
func (a *aggregation) partial(tb testing.TB) arrow.RecordBatch {
	tb.Helper()
	cols := exectest.Must[[]arrow.Array](tb)(a.gt.Keys())
	for _, acc := range a.accs {
		cols = append(cols, exectest.Must[[]arrow.Array](tb)(acc.States())...)
	}
	fields := make([]arrow.Field, len(cols))
	for i, c := range cols {
		fields[i] = arrow.Field{Name: fmt.Sprintf("c%d", i), Type: c.DataType(), Nullable: true}
	}
	rec := array.NewRecordBatch(arrow.NewSchema(fields, nil), cols, int64(a.gt.Len()))
	exectest.ReleaseAll(cols)
	return rec
}

func (a *aggregation) merge(tb testing.TB, rec arrow.RecordBatch, nk int) {
	tb.Helper()
	var err error
	if a.ids, err = a.gt.Insert(rec.Columns()[:nk], a.ids); err != nil {
		tb.Fatal(err)
	}
	col := nk
	for j, s := range phaseSpecs {
		n := len(exectest.Must[[]arrow.DataType](tb)(StateTypes(s.kind, a.ins[j])))
		if err := a.accs[j].Merge(a.ids, a.gt.Len(), rec.Columns()[col:col+n]); err != nil {
			tb.Fatal(err)
		}
		col += n
	}
}

// finish returns the final result rendered as text.
func (a *aggregation) finish(tb testing.TB) map[string][]string {
	tb.Helper()
	keys := exectest.Must[[]arrow.Array](tb)(a.gt.Keys())
	defer exectest.ReleaseAll(keys)
	var aggs []arrow.Array
	defer func() { exectest.ReleaseAll(aggs) }()
	for _, acc := range a.accs {
		aggs = append(aggs, exectest.Must[arrow.Array](tb)(acc.Finish()))
	}
	return renderResult(keys, aggs)
}

func TestPartialFinalMatchesReference(t *testing.T) {
	for _, size := range []struct{ rows, groups int }{{30_000, 5}, {100_000, 20_000}} {
		groups := size.groups
		t.Run(fmt.Sprintf("%d groups", groups), func(t *testing.T) {
			mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
			defer mem.AssertSize(t, 0)
			r := rand.New(rand.NewPCG(uint64(groups), 9))
			tbl := randomTable(r, size.rows, groups)
			want := reference(tbl)
			batches := tbl.batches(t, mem, r)
			defer func() {
				for _, b := range batches {
					exectest.ReleaseAll(b)
				}
			}()
			nk := len(tbl.keyTypes)

			single := newAggregation(t, mem, tbl)
			defer single.release()
			for _, b := range batches {
				single.update(t, b, nk)
			}
			compareResults(t, "single phase", single.finish(t), want)

			// Three partitions, each shipped through Arrow IPC as the
			// distributed runner does, then merged in one final phase.
			final := newAggregation(t, mem, tbl)
			defer final.release()
			for p := range 3 {
				part := newAggregation(t, mem, tbl)
				for i := p; i < len(batches); i += 3 {
					part.update(t, batches[i], nk)
				}
				rec := part.partial(t)
				part.release()
				shipped := ipcRoundTrip(t, mem, rec)
				rec.Release()
				final.merge(t, shipped, nk)
				shipped.Release()
			}
			compareResults(t, "partial and final", final.finish(t), want)
		})
	}
}

func compareResults(t *testing.T, phase string, got, want map[string][]string) {
	t.Helper()
	if len(got) != len(want) {
		t.Errorf("%s: %d groups, want %d", phase, len(got), len(want))
	}
	bad := 0
	for k, w := range want {
		g, ok := got[k]
		if !ok {
			t.Errorf("%s: group %s missing", phase, k)
			bad++
		} else if !slices.Equal(g, w) {
			for j := range w {
				if g[j] != w[j] {
					t.Errorf("%s: group %s, %s of column %d = %s, want %s", phase, k, phaseSpecs[j].kind, phaseSpecs[j].col, g[j], w[j])
					bad++
				}
			}
		}
		if bad > 10 {
			t.Fatalf("%s: too many differences", phase)
		}
	}
}

// ipcRoundTrip writes rec as an Arrow IPC stream and reads it back.
func ipcRoundTrip(t *testing.T, mem memory.Allocator, rec arrow.RecordBatch) arrow.RecordBatch {
	t.Helper()
	var buf bytes.Buffer
	w := ipc.NewWriter(&buf, ipc.WithSchema(rec.Schema()), ipc.WithAllocator(mem))
	if err := w.Write(rec); err != nil {
		t.Fatal(err)
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	rd, err := ipc.NewReader(&buf, ipc.WithAllocator(mem))
	if err != nil {
		t.Fatal(err)
	}
	defer rd.Release()
	if !rd.Next() {
		t.Fatalf("no record read back: %v", rd.Err())
	}
	out := rd.RecordBatch()
	out.Retain()
	return out
}
