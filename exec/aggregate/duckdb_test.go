//go:build cgo

package aggregate

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"fmt"
	"math"
	"math/rand/v2"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"
	"github.com/duckdb/duckdb-go/v2"

	"lakeframe/exec/exectest"
)

// duckColumn is one column of the differential test: its types on both
// sides and a generator of Go values (nil for NULL).
type duckColumn struct {
	name  string
	sql   string
	arrow arrow.DataType
	gen   func(r *rand.Rand) any
}

var tsMicro = &arrow.TimestampType{Unit: arrow.Microsecond}

func duckColumns() []duckColumn {
	return []duckColumn{
		// Keys.
		{"k1", "VARCHAR", arrow.BinaryTypes.String, func(r *rand.Rand) any {
			return []string{"A", "N", "R", "", "a rather long key value", "é"}[r.IntN(6)]
		}},
		{"k2", "BIGINT", arrow.PrimitiveTypes.Int64, func(r *rand.Rand) any { return int64(r.IntN(40) - 20) }},
		{"k3", "DOUBLE", arrow.PrimitiveTypes.Float64, func(r *rand.Rand) any {
			return []float64{0, math.Copysign(0, -1), math.NaN(), 1.5}[r.IntN(4)]
		}},
		// Values.
		{"vi", "INTEGER", arrow.PrimitiveTypes.Int32, func(r *rand.Rand) any { return int32(r.IntN(2_000_001) - 1_000_000) }},
		{"vd", "DOUBLE", arrow.PrimitiveTypes.Float64, func(r *rand.Rand) any {
			if r.IntN(200) == 0 {
				return math.NaN()
			}
			// Multiples of 1/64 add up exactly in any order.
			return float64(r.IntN(200_001)-100_000) / 64
		}},
		{"vs", "VARCHAR", arrow.BinaryTypes.String, func(r *rand.Rand) any {
			var b strings.Builder
			for range r.IntN(12) {
				b.WriteString([]string{"a", "b", "Z", "é", "~", "0"}[r.IntN(6)])
			}
			return b.String()
		}},
		{"vb", "BOOLEAN", arrow.FixedWidthTypes.Boolean, func(r *rand.Rand) any { return r.IntN(4) > 0 }},
		{"vl", "BIGINT", arrow.PrimitiveTypes.Int64, func(r *rand.Rand) any { return r.Int64N(1<<42) - 1<<41 }},
		{"vt", "TIMESTAMP", tsMicro, func(r *rand.Rand) any { return 1_600_000_000_000_000 + r.Int64N(1e14) }},
		{"vdt", "DATE", arrow.FixedWidthTypes.Date32, func(r *rand.Rand) any { return int32(10_000 + r.IntN(10_000)) }},
	}
}

// duckAggs pairs each lakeframe aggregate with its DuckDB spelling.
var duckAggs = []struct {
	kind Kind
	col  string // "" for CountAll
	sql  string
}{
	{Sum, "vi", "sum(vi)::BIGINT"}, {Count, "vi", "count(vi)"}, {CountAll, "", "count(*)"},
	{Mean, "vi", "avg(vi)"}, {Min, "vi", "min(vi)"}, {Max, "vi", "max(vi)"},
	{Sum, "vd", "sum(vd)"}, {Mean, "vd", "avg(vd)"}, {Min, "vd", "min(vd)"}, {Max, "vd", "max(vd)"},
	{Min, "vs", "min(vs)"}, {Max, "vs", "max(vs)"}, {Count, "vs", "count(vs)"},
	{CountDistinct, "vs", "count(DISTINCT vs)"}, {CountDistinct, "vi", "count(DISTINCT vi)"},
	{CountDistinct, "vd", "count(DISTINCT vd)"},
	{Min, "vb", "bool_and(vb)"}, {Max, "vb", "bool_or(vb)"},
	{Sum, "vl", "sum(vl)::BIGINT"}, {Mean, "vl", "avg(vl)"}, {Max, "vl", "max(vl)"},
	{Min, "vt", "epoch_us(min(vt))"}, {Max, "vt", "epoch_us(max(vt))"},
	{Min, "vdt", "datediff('day', DATE '1970-01-01', min(vdt))"},
	{Max, "vdt", "datediff('day', DATE '1970-01-01', max(vdt))"},
}

const duckKeys = 3

// TestMatchesDuckDB aggregates a few hundred random batches with nulls
// everywhere, in one phase and in two partial phases merged by a final
// one, and compares every group with DuckDB's GROUP BY.
func TestMatchesDuckDB(t *testing.T) {
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)
	r := rand.New(rand.NewPCG(11, 12))
	cols := duckColumns()

	batches, rows := randomBatches(t, mem, r, cols, 300, 400, func(_ int, col duckColumn) any {
		if r.IntN(8) > 0 {
			return col.gen(r)
		}
		return nil
	})
	defer func() {
		for _, b := range batches {
			exectest.ReleaseAll(b)
		}
	}()
	want := duckDBResult(t, cols, rows)

	colIndex := map[string]int{}
	for c, col := range cols {
		colIndex[col.name] = c
	}
	keyTypes := []arrow.DataType{cols[0].arrow, cols[1].arrow, cols[2].arrow}
	newAccs := func() (*GroupTable, []Accumulator) {
		gt := exectest.Must[*GroupTable](t)(NewGroupTable(mem, keyTypes))
		var accs []Accumulator
		for _, a := range duckAggs {
			var in arrow.DataType
			if a.col != "" {
				in = cols[colIndex[a.col]].arrow
			}
			accs = append(accs, exectest.Must[Accumulator](t)(New(mem, a.kind, in)))
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
		ids := exectest.Must[[]uint32](t)(gt.Insert(batch[:duckKeys], nil))
		for j, a := range duckAggs {
			var in arrow.Array
			if a.col != "" {
				in = batch[colIndex[a.col]]
			}
			if err := accs[j].Update(ids, gt.Len(), in); err != nil {
				t.Fatal(err)
			}
		}
	}
	finish := func(gt *GroupTable, accs []Accumulator) map[string]string {
		keys := exectest.Must[[]arrow.Array](t)(gt.Keys())
		defer exectest.ReleaseAll(keys)
		var outs []arrow.Array
		defer func() { exectest.ReleaseAll(outs) }()
		for _, a := range accs {
			outs = append(outs, exectest.Must[arrow.Array](t)(a.Finish()))
		}
		res := map[string]string{}
		for g := range gt.Len() {
			var k, v []string
			for _, c := range keys {
				k = append(k, renderArrow(c, g))
			}
			for _, c := range outs {
				v = append(v, renderArrow(c, g))
			}
			res[strings.Join(k, "|")] = strings.Join(v, " ")
		}
		return res
	}

	gt, accs := newAccs()
	for _, b := range batches {
		update(gt, accs, b)
	}
	compareDuck(t, "single phase", finish(gt, accs), want)
	release(gt, accs)

	fgt, faccs := newAccs()
	defer release(fgt, faccs)
	for p := range 2 {
		pgt, paccs := newAccs()
		for i := p; i < len(batches); i += 2 {
			update(pgt, paccs, batches[i])
		}
		mergePartition(t, fgt, faccs, pgt, paccs)
		release(pgt, paccs)
	}
	compareDuck(t, "partial and final", finish(fgt, faccs), want)
}

// randomBatches makes batches of up to maxRows random rows (one in ten
// empty) with value(row number, column) and returns them with the rows as
// Go values for DuckDB.
func randomBatches(t *testing.T, mem memory.Allocator, r *rand.Rand, cols []duckColumn, count, maxRows int, value func(row int, col duckColumn) any) ([][]arrow.Array, [][]any) {
	var batches [][]arrow.Array
	var rows [][]any
	for range count {
		n := r.IntN(maxRows)
		if r.IntN(10) == 0 {
			n = 0
		}
		vals := make([][]any, len(cols))
		for range n {
			row := make([]any, len(cols))
			for c, col := range cols {
				row[c] = value(len(rows), col)
				vals[c] = append(vals[c], row[c])
			}
			rows = append(rows, row)
		}
		batch := make([]arrow.Array, len(cols))
		for c, col := range cols {
			batch[c] = duckArray(t, mem, col.arrow, vals[c])
		}
		batches = append(batches, batch)
	}
	return batches, rows
}

// mergePartition merges the keys and states of a partition's group table
// and accumulators into the final ones, as the final phase does.
func mergePartition(t *testing.T, final *GroupTable, faccs []Accumulator, part *GroupTable, paccs []Accumulator) {
	t.Helper()
	keys := exectest.Must[[]arrow.Array](t)(part.Keys())
	ids := exectest.Must[[]uint32](t)(final.Insert(keys, nil))
	exectest.ReleaseAll(keys)
	for j, a := range paccs {
		states := exectest.Must[[]arrow.Array](t)(a.States())
		err := faccs[j].Merge(ids, final.Len(), states)
		exectest.ReleaseAll(states)
		if err != nil {
			t.Fatal(err)
		}
	}
}

func compareDuck(t *testing.T, phase string, got, want map[string]string) {
	t.Helper()
	if len(got) != len(want) {
		t.Errorf("%s: %d groups, DuckDB has %d", phase, len(got), len(want))
	}
	bad := 0
	for k, w := range want {
		if g := got[k]; g != w {
			t.Errorf("%s: group %q\n got %s\nwant %s", phase, k, g, w)
			if bad++; bad == 5 {
				t.FailNow()
			}
		}
	}
}

func duckArray(t *testing.T, mem memory.Allocator, dt arrow.DataType, vals []any) arrow.Array {
	b := array.NewBuilder(mem, dt)
	defer b.Release()
	for _, v := range vals {
		switch v := v.(type) {
		case nil:
			b.AppendNull()
		case string:
			b.(*array.StringBuilder).Append(v)
		case int64:
			if tb, ok := b.(*array.TimestampBuilder); ok {
				tb.Append(arrow.Timestamp(v))
			} else {
				b.(*array.Int64Builder).Append(v)
			}
		case int32:
			if db, ok := b.(*array.Date32Builder); ok {
				db.Append(arrow.Date32(v))
			} else {
				b.(*array.Int32Builder).Append(v)
			}
		case float64:
			b.(*array.Float64Builder).Append(v)
		case bool:
			b.(*array.BooleanBuilder).Append(v)
		default:
			t.Fatalf("duckArray: %T", v)
		}
	}
	return b.NewArray()
}

// renderArrow and renderDuck give values one text form on both sides.
func renderArrow(arr arrow.Array, i int) string {
	if arr.IsNull(i) {
		return "NULL"
	}
	switch a := arr.(type) {
	case *array.Float64:
		return renderFloat(a.Value(i))
	case *array.Timestamp:
		return strconv.FormatInt(int64(a.Value(i)), 10)
	case *array.Date32:
		return strconv.Itoa(int(a.Value(i)))
	}
	return arr.ValueStr(i)
}

func renderFloat(f float64) string {
	if f == 0 {
		f = 0 // -0 and 0 are one group
	}
	return strconv.FormatFloat(f, 'g', 12, 64)
}

func renderDuck(v any) string {
	switch v := v.(type) {
	case nil:
		return "NULL"
	case float64:
		return renderFloat(v)
	case time.Time:
		return strconv.FormatInt(v.UnixMicro(), 10)
	}
	return fmt.Sprint(v)
}

// duckDBResult loads rows into DuckDB with its appender and runs the
// GROUP BY.
func duckDBResult(t *testing.T, cols []duckColumn, rows [][]any) map[string]string {
	t.Helper()
	db := duckLoad(t, cols, rows)
	defer db.Close()
	var sel []string
	for _, a := range duckAggs {
		sel = append(sel, a.sql)
	}
	q := "SELECT k1, k2, k3, " + strings.Join(sel, ", ") + " FROM t GROUP BY k1, k2, k3"
	out := map[string]string{}
	duckRows(t, db, q, func(vals []any) {
		var k, v []string
		for i, x := range vals {
			if i < duckKeys {
				k = append(k, renderDuck(x))
			} else {
				v = append(v, renderDuck(x))
			}
		}
		out[strings.Join(k, "|")] = strings.Join(v, " ")
	})
	return out
}

// duckLoad creates table t with cols in a new in-memory DuckDB and
// appends rows; the caller closes the database.
func duckLoad(t *testing.T, cols []duckColumn, rows [][]any) *sql.DB {
	t.Helper()
	ctx := context.Background()
	connector, err := duckdb.NewConnector("", nil)
	if err != nil {
		t.Fatal(err)
	}
	db := sql.OpenDB(connector)
	var defs []string
	for _, c := range cols {
		defs = append(defs, c.name+" "+c.sql)
	}
	if _, err := db.Exec("CREATE TABLE t (" + strings.Join(defs, ", ") + ")"); err != nil {
		t.Fatal(err)
	}
	conn, err := db.Conn(ctx)
	if err != nil {
		t.Fatal(err)
	}
	err = conn.Raw(func(dc any) error {
		app, err := duckdb.NewAppenderFromConn(dc.(driver.Conn), "", "t")
		if err != nil {
			return err
		}
		for _, row := range rows {
			vals := make([]driver.Value, len(row))
			for c, v := range row {
				vals[c] = duckValue(cols[c], v)
			}
			if err := app.AppendRow(vals...); err != nil {
				return err
			}
		}
		return app.Close()
	})
	conn.Close()
	if err != nil {
		t.Fatal(err)
	}
	return db
}

// duckRows runs q and hands each row's values to fn.
func duckRows(t *testing.T, db *sql.DB, q string, fn func([]any)) {
	t.Helper()
	res, err := db.Query(q)
	if err != nil {
		t.Fatalf("%s: %v", q, err)
	}
	defer res.Close()
	cols, err := res.Columns()
	if err != nil {
		t.Fatal(err)
	}
	for res.Next() {
		vals := make([]any, len(cols))
		ptrs := make([]any, len(cols))
		for i := range vals {
			ptrs[i] = &vals[i]
		}
		if err := res.Scan(ptrs...); err != nil {
			t.Fatal(err)
		}
		fn(vals)
	}
	if err := res.Err(); err != nil {
		t.Fatal(err)
	}
}

// duckValue converts a generated value to what the appender takes for the
// column's SQL type.
func duckValue(c duckColumn, v any) driver.Value {
	if v == nil {
		return nil
	}
	switch c.sql {
	case "TIMESTAMP":
		return time.UnixMicro(v.(int64)).UTC()
	case "DATE":
		return time.Unix(int64(v.(int32))*86400, 0).UTC()
	}
	return v
}
