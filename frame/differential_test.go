package frame_test

import (
	"context"
	"database/sql"
	"fmt"
	"math"
	"math/big"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"
	"github.com/apache/arrow-go/v18/parquet"
	"github.com/apache/arrow-go/v18/parquet/pqarrow"

	"lakeframe/exec/bufpool"
	"lakeframe/expr"
	"lakeframe/frame"
)

// The differential test runs generated queries through lakeframe and through
// DuckDB on the same Parquet files and compares the answers.

var diffSchema = arrow.NewSchema([]arrow.Field{
	{Name: "id", Type: arrow.PrimitiveTypes.Int64, Nullable: false},
	{Name: "k", Type: arrow.PrimitiveTypes.Int32, Nullable: true},   // small-range group key
	{Name: "n", Type: arrow.PrimitiveTypes.Int64, Nullable: true},   // wide-range integer
	{Name: "x", Type: arrow.PrimitiveTypes.Float64, Nullable: true}, // measure
	{Name: "s", Type: arrow.BinaryTypes.String, Nullable: true},     // low-cardinality text
	{Name: "d", Type: arrow.FixedWidthTypes.Date32, Nullable: true},
	{Name: "flag", Type: arrow.FixedWidthTypes.Boolean, Nullable: true},
}, nil)

var diffWords = []string{"red", "green", "blue", "dark green", "Green", "", "yellowish", "rose"}

// writeDiffData writes nfiles Parquet files with several row groups each.
func writeDiffData(t testing.TB, dir string, nfiles, rows int, seed uint64) {
	t.Helper()
	rng := rand.New(rand.NewPCG(seed, 7))
	id := int64(0)
	for f := range nfiles {
		b := array.NewRecordBuilder(memory.DefaultAllocator, diffSchema)
		for range rows {
			b.Field(0).(*array.Int64Builder).Append(id)
			id++
			nullable := func(i int, appendValue func()) {
				if rng.IntN(10) == 0 {
					b.Field(i).AppendNull()
				} else {
					appendValue()
				}
			}
			nullable(1, func() { b.Field(1).(*array.Int32Builder).Append(int32(rng.IntN(12) - 2)) })
			nullable(2, func() { b.Field(2).(*array.Int64Builder).Append(rng.Int64N(2_000_000) - 1_000_000) })
			nullable(3, func() { b.Field(3).(*array.Float64Builder).Append(math.Round(rng.NormFloat64()*1000) / 8) })
			nullable(4, func() { b.Field(4).(*array.StringBuilder).Append(diffWords[rng.IntN(len(diffWords))]) })
			nullable(5, func() {
				b.Field(5).(*array.Date32Builder).Append(arrow.Date32(8000 + rng.IntN(3000)))
			})
			nullable(6, func() { b.Field(6).(*array.BooleanBuilder).Append(rng.IntN(2) == 0) })
		}
		rec := b.NewRecordBatch()
		b.Release()
		path := filepath.Join(dir, fmt.Sprintf("part-%d.parquet", f))
		out, err := os.Create(path)
		if err != nil {
			t.Fatal(err)
		}
		props := parquet.NewWriterProperties(parquet.WithMaxRowGroupLength(int64(rows/3+1)), parquet.WithStats(true))
		w, err := pqarrow.NewFileWriter(diffSchema, out, props, pqarrow.DefaultWriterProps())
		if err != nil {
			t.Fatal(err)
		}
		if err := w.Write(rec); err != nil {
			t.Fatal(err)
		}
		if err := w.Close(); err != nil {
			t.Fatal(err)
		}
		rec.Release()
	}
}

// query is one generated query in both languages.
type query struct {
	desc    string
	df      func(*frame.DataFrame) *frame.DataFrame
	sql     string // with FROM t
	ordered bool   // the result order is fully determined
}

// gen builds random predicates and queries; each expression is produced
// as a lakeframe expression and as the equivalent SQL.
type gen struct{ rng *rand.Rand }

func (g *gen) pick(n int) int { return g.rng.IntN(n) }

type pair struct {
	e   expr.Expr
	sql string
}

var cmpOps = []struct {
	sql string
	fn  func(expr.Expr, any) expr.Expr
}{
	{"=", expr.Expr.Eq}, {"<>", expr.Expr.Ne}, {"<", expr.Expr.Lt},
	{"<=", expr.Expr.Le}, {">", expr.Expr.Gt}, {">=", expr.Expr.Ge},
}

func (g *gen) comparison() pair {
	op := cmpOps[g.pick(len(cmpOps))]
	switch g.pick(6) {
	case 0:
		v := g.pick(12) - 2
		return pair{op.fn(expr.Col("k"), v), fmt.Sprintf("k %s %d", op.sql, v)}
	case 1:
		v := g.rng.Int64N(2_000_000) - 1_000_000
		return pair{op.fn(expr.Col("n"), v), fmt.Sprintf("n %s %d", op.sql, v)}
	case 2:
		v := math.Round(g.rng.NormFloat64()*1000) / 8
		return pair{op.fn(expr.Col("x"), v), fmt.Sprintf("x %s %s", op.sql, strconv.FormatFloat(v, 'g', -1, 64))}
	case 3:
		w := diffWords[g.pick(len(diffWords))]
		return pair{op.fn(expr.Col("s"), w), fmt.Sprintf("s %s '%s'", op.sql, w)}
	case 4:
		day := arrow.Date32(8000 + g.pick(3000)).ToTime()
		return pair{op.fn(expr.Col("d"), day), fmt.Sprintf("d %s DATE '%s'", op.sql, day.Format("2006-01-02"))}
	}
	return pair{op.fn(expr.Col("x"), expr.Col("n").Div(1000)), fmt.Sprintf("x %s n / 1000", op.sql)}
}

func (g *gen) predicate(depth int) pair {
	if depth <= 0 {
		switch g.pick(8) {
		case 0:
			c := []string{"k", "x", "s", "d", "flag"}[g.pick(5)]
			if g.pick(2) == 0 {
				return pair{expr.Col(c).IsNull(), c + " IS NULL"}
			}
			return pair{expr.Col(c).IsNotNull(), c + " IS NOT NULL"}
		case 1:
			return pair{expr.Col("k").IsIn(1, 3, 5), "k IN (1, 3, 5)"}
		case 2:
			lo := g.pick(6)
			return pair{expr.Col("k").Between(lo, lo+3), fmt.Sprintf("k BETWEEN %d AND %d", lo, lo+3)}
		case 3:
			return pair{expr.Col("flag"), "flag"}
		case 4:
			pats := []string{"%green%", "gr%", "%e", "r_d", "%"}
			p := pats[g.pick(len(pats))]
			return pair{expr.Col("s").Str().Like(p), fmt.Sprintf("s LIKE '%s'", p)}
		}
		return g.comparison()
	}
	l, r := g.predicate(depth-1), g.predicate(depth-1)
	switch g.pick(3) {
	case 0:
		return pair{l.e.And(r.e), "(" + l.sql + " AND " + r.sql + ")"}
	case 1:
		return pair{l.e.Or(r.e), "(" + l.sql + " OR " + r.sql + ")"}
	}
	return pair{l.e.Not(), "(NOT " + l.sql + ")"}
}

func (g *gen) measure() pair {
	switch g.pick(5) {
	case 0:
		return pair{expr.Col("x").Mul(2).Add(expr.Col("k")), "(x * 2 + k)"}
	case 1:
		return pair{expr.Col("n").Sub(expr.Col("k")), "(n - k)"}
	case 2:
		return pair{expr.Col("x"), "x"}
	case 3:
		return pair{expr.Col("n"), "n"}
	}
	return pair{expr.Col("k"), "k"}
}

func (g *gen) aggregate(i int) pair {
	m := g.measure()
	name := fmt.Sprintf("a%d", i)
	switch g.pick(7) {
	case 0:
		return pair{m.e.Sum().Alias(name), "sum(" + m.sql + ") AS " + name}
	case 1:
		return pair{m.e.Count().Alias(name), "count(" + m.sql + ") AS " + name}
	case 2:
		return pair{expr.CountAll().Alias(name), "count(*) AS " + name}
	case 3:
		return pair{m.e.Mean().Alias(name), "avg(" + m.sql + ") AS " + name}
	case 4:
		return pair{m.e.Min().Alias(name), "min(" + m.sql + ") AS " + name}
	case 5:
		return pair{m.e.Max().Alias(name), "max(" + m.sql + ") AS " + name}
	}
	c := []string{"k", "s", "d", "n"}[g.pick(4)]
	return pair{expr.Col(c).CountDistinct().Alias(name), "count(DISTINCT " + c + ") AS " + name}
}

func (g *gen) query() query {
	var where *pair
	if g.pick(4) != 0 {
		p := g.predicate(g.pick(3))
		where = &p
	}
	apply := func(df *frame.DataFrame) *frame.DataFrame {
		if where != nil {
			df = df.Where(where.e)
		}
		return df
	}
	whereSQL := ""
	if where != nil {
		whereSQL = " WHERE " + where.sql
	}
	switch g.pick(5) {
	case 0, 1: // group by
		keySets := [][]string{{"k"}, {"s"}, {"k", "s"}, {"flag", "k"}, {"d"}, {}}
		keys := keySets[g.pick(len(keySets))]
		naggs := 1 + g.pick(3)
		var aggs []pair
		for i := range naggs {
			aggs = append(aggs, g.aggregate(i))
		}
		cols := append([]string(nil), keys...)
		var aggExprs []expr.Expr
		for _, a := range aggs {
			cols = append(cols, a.sql)
			aggExprs = append(aggExprs, a.e)
		}
		sqlText := "SELECT " + strings.Join(cols, ", ") + " FROM t" + whereSQL
		if len(keys) > 0 {
			sqlText += " GROUP BY " + strings.Join(keys, ", ")
		}
		keyAny := make([]any, len(keys))
		for i, k := range keys {
			keyAny[i] = k
		}
		return query{desc: sqlText, sql: sqlText, df: func(df *frame.DataFrame) *frame.DataFrame {
			return apply(df).GroupBy(keyAny...).Agg(aggExprs...)
		}}
	case 2: // projection, sort, limit
		m := g.measure()
		desc := g.pick(2) == 0
		dir := "ASC"
		if desc {
			dir = "DESC"
		}
		limit := 1 + g.pick(50)
		sqlText := fmt.Sprintf("SELECT id, %s AS v, s FROM t%s ORDER BY v %s NULLS LAST, id ASC LIMIT %d", m.sql, whereSQL, dir, limit)
		return query{desc: sqlText, sql: sqlText, ordered: true, df: func(df *frame.DataFrame) *frame.DataFrame {
			key := expr.Col("v").Asc()
			if desc {
				key = expr.Col("v").Desc()
			}
			return apply(df).Select(expr.Col("id"), m.e.Alias("v"), expr.Col("s")).Sort(key, expr.Col("id")).Limit(limit)
		}}
	case 3: // distinct
		cols := [][]string{{"k"}, {"s", "flag"}, {"k", "s"}}[g.pick(3)]
		sqlText := "SELECT DISTINCT " + strings.Join(cols, ", ") + " FROM t" + whereSQL
		sel := make([]any, len(cols))
		for i, c := range cols {
			sel[i] = c
		}
		return query{desc: sqlText, sql: sqlText, df: func(df *frame.DataFrame) *frame.DataFrame {
			return apply(df).Select(sel...).Distinct()
		}}
	}
	// plain filter + projection with expressions
	m := g.measure()
	sqlText := fmt.Sprintf("SELECT id, %s AS v, year(d) AS y, lower(s) AS ls FROM t%s", m.sql, whereSQL)
	return query{desc: sqlText, sql: sqlText, df: func(df *frame.DataFrame) *frame.DataFrame {
		return apply(df).Select(expr.Col("id"), m.e.Alias("v"), expr.Col("d").Dt().Year().Alias("y"), expr.Col("s").Str().Lower().Alias("ls"))
	}}
}

var allRules = []string{"simplify_expressions", "push_down_filter", "push_down_limit", "push_down_projection"}

func TestDifferentialAgainstDuckDB(t *testing.T) {
	dir := t.TempDir()
	writeDiffData(t, dir, 4, 3000, 1)
	db, err := sql.Open("duckdb", "")
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	view := fmt.Sprintf("CREATE VIEW t AS SELECT * FROM read_parquet('%s/*.parquet')", dir)
	if _, err := db.Exec(view); err != nil {
		t.Fatal(err)
	}
	n := 300
	if testing.Short() {
		n = 60
	}
	g := &gen{rng: rand.New(rand.NewPCG(42, 1))}
	pool := bufpool.New()
	ctx := context.Background()
	for i := range n {
		q := g.query()
		// Alternate Go's allocator with the recycling pool, so that a
		// recycled buffer that is not clean shows up as a wrong answer.
		var base memory.Allocator = memory.NewGoAllocator()
		if i%2 == 1 {
			base = pool
		}
		mem := memory.NewCheckedAllocator(base)
		df := q.df(frame.ReadParquet(dir))
		tbl, err := df.Collect(ctx, frame.WithAllocator(mem), frame.WithBatchSize(1000), frame.WithParallelism(1+i%3))
		if err != nil {
			t.Fatalf("query %d %s: lakeframe: %v", i, q.desc, err)
		}
		got := tableRows(t, tbl)
		tbl.Release()
		mem.AssertSize(t, 0)
		want := duckRows(t, db, q.sql)
		if !q.ordered {
			slices.Sort(got)
			slices.Sort(want)
		}
		if msg := diffRows(got, want); msg != "" {
			plan, _ := df.Explain(ctx)
			t.Fatalf("query %d: %s\n%s\nplan:\n%s", i, q.desc, msg, plan)
		}
		// The optimizer must not change answers: run every third query
		// again with every rule off.
		if i%3 == 0 {
			raw, err := df.Collect(ctx, frame.WithoutRules(allRules...))
			if err != nil {
				t.Fatalf("query %d %s: lakeframe without optimizer: %v", i, q.desc, err)
			}
			unopt := tableRows(t, raw)
			raw.Release()
			if !q.ordered {
				slices.Sort(unopt)
			}
			if msg := diffRows(unopt, want); msg != "" {
				t.Fatalf("query %d without optimizer: %s\n%s", i, q.desc, msg)
			}
		}
	}
}

// The canonical text of a cell: NULL, integers in decimal, floats with 12
// significant digits (so sums in different orders compare equal), dates
// as YYYY-MM-DD, booleans as true/false.
func canonFloat(f float64) string {
	if f == 0 {
		return "0"
	}
	return strconv.FormatFloat(f, 'g', 12, 64)
}

func tableRows(t testing.TB, tbl arrow.Table) []string {
	t.Helper()
	rows := make([][]string, tbl.NumRows())
	for i := range rows {
		rows[i] = make([]string, tbl.NumCols())
	}
	for c := range int(tbl.NumCols()) {
		r := 0
		for _, chunk := range tbl.Column(c).Data().Chunks() {
			for i := range chunk.Len() {
				rows[r][c] = canonArrow(chunk, i)
				r++
			}
		}
	}
	out := make([]string, len(rows))
	for i, r := range rows {
		out[i] = strings.Join(r, "|")
	}
	return out
}

func canonArrow(a arrow.Array, i int) string {
	if a.IsNull(i) {
		return "NULL"
	}
	switch x := a.(type) {
	case *array.Float64:
		return canonFloat(x.Value(i))
	case *array.Date32:
		return x.Value(i).FormattedString()
	case *array.Boolean:
		return strconv.FormatBool(x.Value(i))
	case *array.String:
		return x.Value(i)
	case *array.LargeString:
		return x.Value(i)
	}
	return a.ValueStr(i)
}

func duckRows(t testing.TB, db *sql.DB, q string) []string {
	t.Helper()
	rows, err := db.Query(q)
	if err != nil {
		t.Fatalf("duckdb %s: %v", q, err)
	}
	defer rows.Close()
	cols, _ := rows.Columns()
	var out []string
	for rows.Next() {
		vals := make([]any, len(cols))
		ptrs := make([]any, len(cols))
		for i := range vals {
			ptrs[i] = &vals[i]
		}
		if err := rows.Scan(ptrs...); err != nil {
			t.Fatal(err)
		}
		cells := make([]string, len(cols))
		for i, v := range vals {
			cells[i] = canonGo(v)
		}
		out = append(out, strings.Join(cells, "|"))
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	return out
}

func canonGo(v any) string {
	switch x := v.(type) {
	case nil:
		return "NULL"
	case float64:
		return canonFloat(x)
	case float32:
		return canonFloat(float64(x))
	case time.Time:
		return x.Format("2006-01-02")
	case *big.Int:
		return x.String()
	case bool:
		return strconv.FormatBool(x)
	case string:
		return x
	}
	return fmt.Sprint(v)
}

func diffRows(got, want []string) string {
	if len(got) != len(want) {
		return fmt.Sprintf("lakeframe returned %d rows, DuckDB %d\nlakeframe: %v\nduckdb:    %v", len(got), len(want), head(got), head(want))
	}
	for i := range got {
		if got[i] != want[i] {
			return fmt.Sprintf("row %d differs:\nlakeframe: %s\nduckdb:    %s", i, got[i], want[i])
		}
	}
	return ""
}

func head(rows []string) []string {
	if len(rows) > 10 {
		return rows[:10]
	}
	return rows
}

func openDuck(t testing.TB) *sql.DB {
	t.Helper()
	if !slices.Contains(sql.Drivers(), "duckdb") {
		t.Skip("the DuckDB driver needs cgo")
	}
	db, err := sql.Open("duckdb", "")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}
