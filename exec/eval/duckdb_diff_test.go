//go:build cgo

package eval

import (
	"context"
	"database/sql"
	"fmt"
	"math"
	"math/rand/v2"
	"os"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"
	"github.com/apache/arrow-go/v18/arrow/scalar"
	_ "github.com/duckdb/duckdb-go/v2"

	"lakeframe/expr"
)

// The differential test evaluates random expressions on random data with
// NULLs both here and in DuckDB (from the same resolved tree, printed as
// SQL) and compares every row, or that both fail.

const diffRows = 200

// diffColumns are the columns of the random table.
var diffColumns = []struct {
	name string
	typ  arrow.DataType
	sql  string
}{
	{"a", i64, "BIGINT"}, {"b", i64, "BIGINT"}, {"c", i64, "BIGINT"},
	{"x", f64, "DOUBLE"}, {"y", f64, "DOUBLE"},
	{"p", boo, "BOOLEAN"}, {"q", boo, "BOOLEAN"},
	{"s", str, "VARCHAR"}, {"t", str, "VARCHAR"},
	{"d", d32, "DATE"},
	{"sd", str, "VARCHAR"}, // dates as text
	{"ts", tsUS, "TIMESTAMP"},
	{"k", i32, "INTEGER"},
}

var diffStrings = []string{"", "a", "A", "abc", "Abc", "banana", "b%n", "x_y", "héllo", "ÀB", "  pad ", "12", "-7", "zz"}

func randomValue(r *rand.Rand, typ arrow.DataType, name string) any {
	if r.IntN(6) == 0 {
		return nil
	}
	switch typ.ID() {
	case arrow.INT64:
		switch r.IntN(10) {
		case 0:
			return 0
		case 1:
			return int(math.MaxInt64 - r.IntN(3))
		case 2:
			return int(math.MinInt64 + r.IntN(3))
		}
		return r.IntN(41) - 20
	case arrow.FLOAT64:
		return float64(r.IntN(81)-40) / 4
	case arrow.BOOL:
		return r.IntN(2) == 0
	case arrow.STRING:
		if name == "sd" {
			return time.Date(1990+r.IntN(20), time.Month(1+r.IntN(12)), 1+r.IntN(31), 0, 0, 0, 0, time.UTC).Format("2006-01-02")
		}
		return diffStrings[r.IntN(len(diffStrings))]
	case arrow.DATE32:
		return time.Date(1960+r.IntN(80), time.Month(1+r.IntN(12)), 1+r.IntN(31), 0, 0, 0, 0, time.UTC).Format("2006-01-02")
	case arrow.TIMESTAMP:
		return time.Date(1960+r.IntN(80), time.Month(1+r.IntN(12)), 1+r.IntN(31), r.IntN(24), r.IntN(60), r.IntN(60), r.IntN(4)*250_000_000+r.IntN(2)*1000, time.UTC).Format("2006-01-02 15:04:05.999999999")
	case arrow.INT32:
		if r.IntN(10) == 0 {
			return math.MaxInt32 - r.IntN(2)
		}
		return r.IntN(21) - 10
	}
	panic(typ)
}

func sqlValue(v any) string {
	switch x := v.(type) {
	case nil:
		return "NULL"
	case int:
		return strconv.Itoa(x)
	case float64:
		return strconv.FormatFloat(x, 'g', -1, 64)
	case bool:
		return strconv.FormatBool(x)
	case string:
		return "'" + strings.ReplaceAll(x, "'", "''") + "'"
	}
	panic(v)
}

func TestDuckDBDifferential(t *testing.T) {
	if testing.Short() {
		t.Skip("differential test against DuckDB")
	}
	db, err := sql.Open("duckdb", "")
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	db.SetMaxOpenConns(1)
	// DuckDB's optimizer rewrites c + 2 >= 1 into c >= -1, which cannot
	// overflow; the rows must be computed as written to compare errors.
	if _, err := db.Exec("PRAGMA disable_optimizer"); err != nil {
		t.Fatal(err)
	}

	seed := uint64(7)
	if v, err := strconv.ParseUint(os.Getenv("LAKEFRAME_DIFF_SEED"), 10, 64); err == nil {
		seed = v
	}
	r := rand.New(rand.NewPCG(seed, 11))
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)

	// The same random rows in an arrow batch and a DuckDB table.
	cols := make([]col, len(diffColumns))
	defs := []string{"rid INTEGER"}
	for i, c := range diffColumns {
		cols[i] = col{c.name, c.typ, make([]any, diffRows)}
		defs = append(defs, c.name+" "+c.sql)
	}
	rows := make([]string, diffRows)
	for i := range diffRows {
		vals := []string{strconv.Itoa(i)}
		for j, c := range diffColumns {
			v := randomValue(r, c.typ, c.name)
			cols[j].vals[i] = v
			lit := sqlValue(v)
			switch {
			case v == nil:
			case c.typ.ID() == arrow.DATE32:
				lit = "DATE " + lit
			case c.typ.ID() == arrow.TIMESTAMP:
				lit = "TIMESTAMP " + lit
			}
			vals = append(vals, lit)
		}
		rows[i] = "(" + strings.Join(vals, ", ") + ")"
	}
	if _, err := db.Exec("CREATE TABLE t (" + strings.Join(defs, ", ") + ")"); err != nil {
		t.Fatal(err)
	}
	if _, err := db.Exec("INSERT INTO t VALUES " + strings.Join(rows, ", ")); err != nil {
		t.Fatal(err)
	}
	batch := makeBatch(t, mem, cols...)
	defer batch.Release()

	g := &exprGen{r: r}
	const exprs = 400
	var ok, bothFailed, lenient int
	for i := range exprs {
		e := g.any(3)
		n, err := expr.Resolve(e.Node(), batch.Schema())
		if err != nil {
			t.Fatalf("resolve %s: %v", e, err)
		}
		query := "SELECT " + sqlOf(n) + " FROM t ORDER BY rid"
		want, duckErr := queryColumn(db, query)
		got, evalErr := Eval(context.Background(), mem, n, batch)
		switch {
		case duckErr != nil && evalErr != nil:
			bothFailed++
			continue
		case duckErr != nil:
			got.Release()
			// In a SELECT list DuckDB evaluates both sides of AND and OR
			// on every row; here (as DuckDB does in WHERE) the right side
			// is skipped on rows the left side decides.
			if hasLogical(n) {
				lenient++
				continue
			}
			t.Errorf("expression %d: %s\nDuckDB fails: %v\nbut eval succeeds\nSQL: %s", i, n, duckErr, query)
			continue
		case evalErr != nil:
			t.Errorf("expression %d: %s\neval fails: %v\nbut DuckDB succeeds\nSQL: %s", i, n, evalErr, query)
			continue
		}
		if msg := compareRows(t, got, want); msg != "" {
			t.Errorf("expression %d: %s\n%s\nSQL: %s", i, n, msg, query)
		} else {
			ok++
		}
		got.Release()
	}
	t.Logf("%d expressions: %d equal, %d failed in both, %d failed only in DuckDB after AND/OR", exprs, ok, bothFailed, lenient)
	if ok < exprs*3/4 {
		t.Errorf("only %d of %d expressions evaluated; the generator makes too many failing ones", ok, exprs)
	}
}

func queryColumn(db *sql.DB, query string) ([]any, error) {
	rows, err := db.Query(query)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []any
	for rows.Next() {
		var v any
		if err := rows.Scan(&v); err != nil {
			return nil, err
		}
		out = append(out, v)
	}
	return out, rows.Err()
}

// compareRows returns a description of the first difference, or "".
func compareRows(t *testing.T, got arrow.Array, want []any) string {
	if got.Len() != len(want) {
		return fmt.Sprintf("%d rows, DuckDB has %d", got.Len(), len(want))
	}
	for i, w := range want {
		var g any
		if got.IsValid(i) && got.DataType().ID() != arrow.NULL {
			switch a := got.(type) {
			case *array.Int64:
				g = a.Value(i)
			case *array.Int32:
				g = a.Value(i)
			case *array.Float64:
				g = a.Value(i)
			case *array.Boolean:
				g = a.Value(i)
			case *array.String:
				g = a.Value(i)
			case *array.LargeString:
				g = a.Value(i)
			case *array.Date32:
				g = a.Value(i).ToTime().Format("2006-01-02")
			case *array.Timestamp:
				g = a.Value(i).ToTime(arrow.Microsecond).UTC().Format("2006-01-02 15:04:05.999999")
			default:
				return fmt.Sprintf("result type %s not compared", got.DataType())
			}
		}
		if tm, ok := w.(time.Time); ok {
			if got.DataType().ID() == arrow.TIMESTAMP {
				w = tm.UTC().Format("2006-01-02 15:04:05.999999")
			} else {
				w = tm.Format("2006-01-02")
			}
		}
		if !sameValue(g, w) {
			return fmt.Sprintf("row %d: got %v (%T), DuckDB %v (%T)", i, g, g, w, w)
		}
	}
	return ""
}

func sameValue(g, w any) bool {
	gf, gok := g.(float64)
	wf, wok := w.(float64)
	if gok && wok {
		switch {
		case math.IsNaN(gf) || math.IsNaN(wf):
			return math.IsNaN(gf) && math.IsNaN(wf)
		case math.IsInf(gf, 0) || math.IsInf(wf, 0):
			return gf == wf
		}
		return math.Abs(gf-wf) <= 1e-9*math.Max(1, math.Max(math.Abs(gf), math.Abs(wf)))
	}
	if gi, ok := g.(int32); ok {
		g = int64(gi)
	}
	if wi, ok := w.(int32); ok {
		w = int64(wi)
	}
	return g == w
}

func hasLogical(n expr.Node) bool {
	found := false
	expr.Walk(n, func(x expr.Node) bool {
		if b, ok := x.(*expr.Binary); ok && b.Op.IsLogical() {
			found = true
		}
		return !found
	})
	return found
}

// sqlOf prints a resolved expression as DuckDB SQL, with the types the
// tree says spelled out.
func sqlOf(n expr.Node) string {
	switch x := n.(type) {
	case *expr.Column:
		return `"` + x.Name + `"`
	case *expr.Literal:
		return sqlLiteral(x.Value)
	case *expr.Binary:
		op := x.Op.String()
		if x.Op == expr.OpNe {
			op = "<>"
		}
		s := "(" + sqlOf(x.Left) + " " + op + " " + sqlOf(x.Right) + ")"
		if l, ok := x.Right.(*expr.Literal); ok && l.Value.DataType().ID() == arrow.INTERVAL_MONTH_DAY_NANO {
			if _, isTS := x.Left.(*expr.Column); !isTS || x.Left.(*expr.Column).Name != "ts" {
				s = "CAST(" + s + " AS DATE)"
			}
		}
		return s
	case *expr.Unary:
		switch x.Op {
		case expr.OpNot:
			return "(NOT " + sqlOf(x.In) + ")"
		case expr.OpIsNull:
			return "(" + sqlOf(x.In) + " IS NULL)"
		case expr.OpIsNotNull:
			return "(" + sqlOf(x.In) + " IS NOT NULL)"
		}
		return "(-" + sqlOf(x.In) + ")"
	case *expr.IsIn:
		items := make([]string, len(x.List))
		for i, it := range x.List {
			items[i] = sqlOf(it)
		}
		return "(" + sqlOf(x.In) + " IN (" + strings.Join(items, ", ") + "))"
	case *expr.Cast:
		return "CAST(" + sqlOf(x.In) + " AS " + sqlType(x.To) + ")"
	case *expr.Alias:
		return sqlOf(x.In)
	case *expr.Case:
		var sb strings.Builder
		sb.WriteString("CASE")
		for i := range x.Whens {
			sb.WriteString(" WHEN " + sqlOf(x.Whens[i]) + " THEN " + sqlOf(x.Thens[i]))
		}
		if x.Else != nil {
			sb.WriteString(" ELSE " + sqlOf(x.Else))
		}
		return sb.String() + " END"
	case *expr.Call:
		args := make([]string, len(x.Args))
		for i, a := range x.Args {
			args[i] = sqlOf(a)
		}
		switch x.Fn {
		case expr.FnLike:
			return "(" + args[0] + " LIKE " + args[1] + ")"
		case expr.FnSubstr:
			return "substring(" + strings.Join(args, ", ") + ")"
		}
		return x.Fn.String() + "(" + strings.Join(args, ", ") + ")"
	}
	panic(fmt.Sprintf("sqlOf: %T", n))
}

// sqlType spells a type in DuckDB's SQL, as its typeof() names it.
func sqlType(t arrow.DataType) string {
	switch t.ID() {
	case arrow.INT8:
		return "TINYINT"
	case arrow.INT16:
		return "SMALLINT"
	case arrow.FLOAT32:
		return "FLOAT"
	case arrow.DECIMAL128:
		d := t.(*arrow.Decimal128Type)
		return fmt.Sprintf("DECIMAL(%d,%d)", d.Precision, d.Scale)
	case arrow.LIST:
		return sqlType(t.(*arrow.ListType).Elem()) + "[]"
	case arrow.INT64:
		return "BIGINT"
	case arrow.INT32:
		return "INTEGER"
	case arrow.FLOAT64:
		return "DOUBLE"
	case arrow.BOOL:
		return "BOOLEAN"
	case arrow.STRING, arrow.LARGE_STRING:
		return "VARCHAR"
	case arrow.DATE32:
		return "DATE"
	case arrow.TIMESTAMP:
		return "TIMESTAMP"
	}
	panic(t)
}

func sqlLiteral(s scalar.Scalar) string {
	if !s.IsValid() {
		if s.DataType().ID() == arrow.NULL {
			return "NULL"
		}
		return "CAST(NULL AS " + sqlType(s.DataType()) + ")"
	}
	switch v := s.(type) {
	case *scalar.Int64:
		return "CAST(" + strconv.FormatInt(v.Value, 10) + " AS BIGINT)"
	case *scalar.Int32:
		return "CAST(" + strconv.FormatInt(int64(v.Value), 10) + " AS INTEGER)"
	case *scalar.Float64:
		return "CAST('" + strconv.FormatFloat(v.Value, 'g', -1, 64) + "' AS DOUBLE)"
	case *scalar.Boolean:
		return strings.ToUpper(strconv.FormatBool(v.Value))
	case *scalar.String:
		return sqlValue(string(v.Data()))
	case *scalar.LargeString:
		return sqlValue(string(v.Data()))
	case *scalar.Date32:
		return "DATE '" + v.Value.FormattedString() + "'"
	case *scalar.Timestamp:
		return "TIMESTAMP '" + v.Value.ToTime(arrow.Microsecond).UTC().Format("2006-01-02 15:04:05.999999") + "'"
	case *scalar.MonthDayNanoInterval:
		return fmt.Sprintf("(to_months(%d) + to_days(%d) + to_microseconds(%d))", v.Value.Months, v.Value.Days, v.Value.Nanoseconds/1000)
	}
	panic(fmt.Sprintf("sqlLiteral: %T", s))
}

// exprGen makes random well-typed expressions over the diff columns.
type exprGen struct{ r *rand.Rand }

func (g *exprGen) pick(names ...string) expr.Expr { return expr.Col(names[g.r.IntN(len(names))]) }

func (g *exprGen) any(depth int) expr.Expr {
	switch g.r.IntN(7) {
	case 5:
		return g.timestamp(depth)
	case 6:
		return g.int32(depth)
	case 0:
		return g.integer(depth)
	case 1:
		return g.float(depth, false)
	case 2:
		return g.str(depth)
	case 3:
		return g.date(depth)
	}
	return g.boolean(depth)
}

func (g *exprGen) leaf() bool { return g.r.IntN(4) == 0 }

func (g *exprGen) integer(depth int) expr.Expr {
	if depth <= 0 || g.leaf() {
		switch g.r.IntN(6) {
		case 0:
			return expr.Lit(g.r.IntN(11) - 5)
		case 1:
			if g.r.IntN(3) == 0 {
				return expr.Lit(nil).Cast(i64)
			}
		}
		return g.pick("a", "b", "c")
	}
	d := depth - 1
	switch g.r.IntN(14) {
	case 0:
		return g.integer(d).Add(g.integer(d))
	case 1:
		return g.integer(d).Sub(g.integer(d))
	case 2:
		return g.integer(d).Mul(g.integer(d))
	case 3:
		return g.integer(d).Mod(g.integer(d))
	case 4:
		return g.integer(d).Neg()
	case 5:
		return expr.Coalesce(g.integer(d), g.integer(d))
	case 6:
		return expr.When(g.boolean(d), g.integer(d)).Otherwise(g.integer(d))
	case 7:
		return g.str(d).Str().Length()
	case 8:
		switch g.r.IntN(3) {
		case 0:
			return g.date(d).Dt().Year()
		case 1:
			return g.date(d).Dt().Month()
		}
		return g.date(d).Dt().Day()
	case 9:
		return g.float(d, true).Cast(i64)
	case 10:
		return g.integer(d).Mod(g.r.IntN(7) - 3)
	case 11:
		return g.integer(d).Cast(i32).Cast(i64)
	case 12:
		switch g.r.IntN(3) {
		case 0:
			return g.timestamp(d).Dt().Year()
		case 1:
			return g.int32(d).Add(g.integer(d))
		}
		return g.timestamp(d).Dt().Day()
	}
	return g.integer(d).Add(g.r.IntN(5))
}

// float makes a DOUBLE expression; safe ones never divide, so they are
// never NaN (whose ordering differs in DuckDB) or infinite.
func (g *exprGen) float(depth int, safe bool) expr.Expr {
	if depth <= 0 || g.leaf() {
		if g.r.IntN(4) == 0 {
			return expr.Lit(float64(g.r.IntN(21)-10) / 4)
		}
		return g.pick("x", "y")
	}
	d := depth - 1
	switch g.r.IntN(9) {
	case 0:
		return g.float(d, safe).Add(g.float(d, safe))
	case 1:
		return g.float(d, safe).Sub(g.float(d, safe))
	case 2:
		return g.float(d, safe).Mul(g.float(d, safe))
	case 3:
		return g.float(d, safe).Neg()
	case 4:
		return g.pick("a", "b", "c").Mod(50).Cast(f64)
	case 5:
		if !safe {
			return g.float(d, safe).Div(g.float(d, safe))
		}
	case 6:
		if !safe {
			return g.float(d, safe).Mod(g.float(d, safe))
		}
	case 7:
		if !safe {
			return g.integer(d).Div(g.integer(d))
		}
	}
	return g.float(d, safe).Mul(expr.Lit(1).Sub(g.float(d, safe)))
}

func (g *exprGen) str(depth int) expr.Expr {
	if depth <= 0 || g.leaf() {
		if g.r.IntN(5) == 0 {
			return expr.Lit(diffStrings[g.r.IntN(len(diffStrings))])
		}
		return g.pick("s", "t")
	}
	d := depth - 1
	switch g.r.IntN(9) {
	case 0:
		return g.str(d).Str().Lower()
	case 1:
		return g.str(d).Str().Upper()
	case 2:
		return g.str(d).Str().Substr(int64(g.r.IntN(9)-4), int64(g.r.IntN(7)-2))
	case 3:
		return g.integer(d).Cast(str)
	case 4:
		return g.float(d, false).Cast(str)
	case 5:
		if g.r.IntN(2) == 0 {
			return g.timestamp(d).Cast(str)
		}
		return g.date(d).Cast(str)
	case 6:
		return expr.Coalesce(g.str(d), "none")
	case 7:
		return expr.When(g.boolean(d), g.str(d)).End()
	}
	return g.boolean(d).Cast(str)
}

func (g *exprGen) date(depth int) expr.Expr {
	if depth <= 0 || g.leaf() {
		return expr.Col("d")
	}
	d := depth - 1
	switch g.r.IntN(6) {
	case 4:
		return g.timestamp(d).Cast(d32)
	case 0:
		return g.date(d).Add(expr.Days(g.r.IntN(61) - 30))
	case 1:
		return g.date(d).Add(expr.Months(g.r.IntN(25) - 12))
	case 2:
		return g.date(d).Sub(expr.Years(g.r.IntN(3)))
	case 3:
		return expr.Col("sd").Cast(d32)
	}
	return expr.Coalesce(g.date(d), expr.Lit("2000-01-01").Cast(d32))
}

// timestamp makes TIMESTAMP expressions; interval arithmetic applies to
// the column itself so that the SQL keeps the TIMESTAMP type.
func (g *exprGen) timestamp(depth int) expr.Expr {
	ts := expr.Col("ts")
	if depth <= 0 || g.leaf() {
		return ts
	}
	switch g.r.IntN(4) {
	case 0:
		return ts.Add(expr.Duration(time.Duration(g.r.IntN(100_000)-50_000) * time.Second))
	case 1:
		return ts.Add(expr.Months(g.r.IntN(25) - 12))
	case 2:
		return ts.Sub(expr.Days(g.r.IntN(400)))
	}
	return g.date(depth - 1).Cast(tsUS)
}

// int32 makes INTEGER expressions (arithmetic on them is BIGINT).
func (g *exprGen) int32(depth int) expr.Expr {
	k := expr.Col("k")
	if depth <= 0 || g.leaf() {
		return k
	}
	switch g.r.IntN(3) {
	case 0:
		return k.Neg()
	case 1:
		return g.integer(depth - 1).Cast(i32)
	}
	return expr.Coalesce(k, g.r.IntN(5))
}

var compareOps = []func(expr.Expr, any) expr.Expr{expr.Expr.Eq, expr.Expr.Ne, expr.Expr.Lt, expr.Expr.Le, expr.Expr.Gt, expr.Expr.Ge}

func (g *exprGen) boolean(depth int) expr.Expr {
	if depth <= 0 || g.leaf() {
		if g.r.IntN(6) == 0 {
			return expr.Lit([]any{true, false, nil}[g.r.IntN(3)])
		}
		return g.pick("p", "q")
	}
	d := depth - 1
	cmp := compareOps[g.r.IntN(len(compareOps))]
	switch g.r.IntN(17) {
	case 0:
		return g.boolean(d).And(g.boolean(d))
	case 1:
		return g.boolean(d).Or(g.boolean(d))
	case 2:
		return g.boolean(d).Not()
	case 3:
		return g.any(d).IsNull()
	case 4:
		return g.any(d).IsNotNull()
	case 5:
		return cmp(g.integer(d), g.integer(d))
	case 6:
		return cmp(g.float(d, true), g.float(d, true))
	case 7:
		return cmp(g.str(d), g.str(d))
	case 8:
		return cmp(g.date(d), expr.Lit("1999-06-15").Cast(d32))
	case 9:
		vals := []any{g.r.IntN(11) - 5, g.r.IntN(11) - 5}
		if g.r.IntN(2) == 0 {
			vals = append(vals, nil)
		}
		return g.integer(d).IsIn(vals...)
	case 10:
		return g.str(d).IsIn(diffStrings[g.r.IntN(len(diffStrings))], diffStrings[g.r.IntN(len(diffStrings))])
	case 11:
		return g.integer(d).Between(g.r.IntN(11)-8, g.r.IntN(11)-2)
	case 12:
		pat := diffStrings[g.r.IntN(len(diffStrings))]
		switch g.r.IntN(4) {
		case 0:
			return g.str(d).Str().Contains(pat)
		case 1:
			return g.str(d).Str().StartsWith(pat)
		case 2:
			return g.str(d).Str().EndsWith(pat)
		}
		return g.str(d).Str().Like([]string{"%", "a%", "%b%", "_b%", "%c", "A_c", "b%%n", "%\\%%"}[g.r.IntN(8)])
	case 13:
		return cmp(g.boolean(d), g.boolean(d))
	case 14:
		return g.boolean(d).IsIn(true, []any{false, nil}[g.r.IntN(2)])
	case 15:
		switch g.r.IntN(3) {
		case 0:
			return cmp(g.timestamp(d), time.Date(1999, 6, 15, 12, 0, 0, 0, time.UTC))
		case 1:
			return cmp(g.int32(d), g.r.IntN(11)-5)
		}
		return cmp(g.int32(d), g.integer(d))
	}
	return expr.When(g.boolean(d), g.boolean(d)).Otherwise(g.boolean(d))
}
