//go:build cgo

package sql

import (
	"context"
	"errors"
	"path/filepath"
	"strings"
	"testing"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"

	"lakeframe/errs"
	"lakeframe/expr"
	"lakeframe/frame"
	"lakeframe/plan"
)

func newTestSession(t *testing.T) *Session {
	t.Helper()
	sess := NewSession()
	err := sess.Exec(context.Background(), `
		CREATE TABLE t1(a INTEGER, b TEXT);
		INSERT INTO t1 VALUES (1, 'x'), (2, 'y'), (3, NULL);`)
	if err != nil {
		t.Fatal(err)
	}
	return sess
}

// TestErrors checks SQLSTATEs, positions (PostgreSQL's, 1-based, in
// characters) and that errors match the errs kinds.
func TestErrors(t *testing.T) {
	sess := newTestSession(t)
	cases := []struct {
		query    string
		code     string
		position int
		kind     error
		mention  string
	}{
		{"SELECT nope FROM t1", CodeUndefinedColumn, 8, errs.ErrPlan, "columns: t1.a, t1.b"},
		{"SELECT a FROM missing", CodeUndefinedTable, 15, errs.ErrPlan, "tables: t1"},
		{"SELECT a FROM t1 WHERE z.a = 1", CodeUndefinedTable, 24, errs.ErrPlan, `"z"`},
		{"SELEC a FROM t1", CodeSyntaxError, 1, errs.ErrPlan, "syntax error"},
		{"SELECT a FROM t1 WHERE", CodeSyntaxError, 23, errs.ErrPlan, "syntax error"},
		{"SELECT frobnicate(a) FROM t1", CodeUndefinedFunction, 8, errs.ErrPlan, "frobnicate"},
		{"SELECT row_number() OVER () FROM t1", CodeFeatureNotSupported, 8, errs.ErrNotImplemented, "window"},
		{"SELECT a FROM t1 WHERE count(*) > 1", CodeGroupingError, 24, errs.ErrPlan, "WHERE"},
		{"SELECT a, count(*) FROM t1", CodeGroupingError, 8, errs.ErrPlan, `"t1.a" must appear in the GROUP BY`},
		{"SELECT a FROM t1 ORDER BY 3", CodeInvalidColumnRef, 27, errs.ErrPlan, "position 3"},
		{"SELECT a FROM t1 x, t1 y WHERE a = 1", CodeAmbiguousColumn, 32, errs.ErrPlan, "ambiguous"},
		{"SELECT (SELECT a FROM t1)", CodeCardinalityViolation, 8, errs.ErrPlan, "more than one row"},
		{"SELECT é, a FROM t1", CodeUndefinedColumn, 8, errs.ErrPlan, "é"},
		{"SELECT 'é', nope FROM t1", CodeUndefinedColumn, 13, errs.ErrPlan, "nope"},
		{"SELECT -b FROM t1", CodeDatatypeMismatch, 0, errs.ErrPlan, `-"b": negation needs a numeric operand`},
	}
	for _, c := range cases {
		err := sess.Query(context.Background(), c.query).Err()
		var se *Error
		if !errors.As(err, &se) {
			t.Errorf("%s: got %v, want an *Error", c.query, err)
			continue
		}
		if se.Code != c.code || se.Position != c.position {
			t.Errorf("%s: got code %s at %d, want %s at %d (%v)", c.query, se.Code, se.Position, c.code, c.position, err)
		}
		if !errors.Is(err, c.kind) {
			t.Errorf("%s: %v does not match %v", c.query, err, c.kind)
		}
		if !strings.Contains(err.Error(), c.mention) {
			t.Errorf("%s: %q does not mention %q", c.query, err, c.mention)
		}
	}
}

// TestStatements covers the in-memory table store: CREATE, INSERT with a
// column list, INSERT ... SELECT, DROP, and their mistakes.
func TestStatements(t *testing.T) {
	ctx := context.Background()
	sess := newTestSession(t)
	must := func(q string) {
		t.Helper()
		if err := sess.Exec(ctx, q); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
	}
	must(`CREATE TABLE t2(x BIGINT, y TEXT, z DOUBLE PRECISION)`)
	must(`INSERT INTO t2(y, x) VALUES ('a', 10), ('b', -1 + 3)`)
	must(`INSERT INTO t2 SELECT a * 100, b, a / 2.0 FROM t1 WHERE a > 1`)
	got := rowsOf(t, sess, `SELECT x, y, z FROM t2 ORDER BY x`)
	want := []string{"2|b|NULL", "10|a|NULL", "200|y|1", "300|NULL|1.5"}
	if strings.Join(got, ",") != strings.Join(want, ",") {
		t.Errorf("got %v, want %v", got, want)
	}
	for q, code := range map[string]string{
		`CREATE TABLE t2(x INTEGER)`:             CodeDuplicateTable,
		`INSERT INTO t2(nope) VALUES (1)`:        CodeUndefinedColumn,
		`INSERT INTO t2(x) VALUES (1, 2)`:        CodeSyntaxError,
		`INSERT INTO t2 VALUES ('not a number')`: "22000",
		`INSERT INTO t2 VALUES (1, 'a', 2, 3)`:   CodeSyntaxError,
		`DROP TABLE gone`:                        CodeUndefinedTable,
		`UPDATE t2 SET x = 1`:                    CodeFeatureNotSupported,
		`SELECT 1`:                               CodeSyntaxError,
	} {
		var se *Error
		if err := sess.Exec(ctx, q); !errors.As(err, &se) || se.Code != code {
			t.Errorf("%s: got %v, want SQLSTATE %s", q, err, code)
		}
	}
	must(`DROP TABLE t2; DROP TABLE IF EXISTS t2`)
	if err := sess.Query(ctx, `SELECT * FROM t2`).Err(); err == nil {
		t.Error("t2 is still there after DROP TABLE")
	}
}

// TestFramesCompose registers a frame as a table and refines a query's
// result with frame methods.
func TestFramesCompose(t *testing.T) {
	ctx := context.Background()
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)
	schema := arrow.NewSchema([]arrow.Field{{Name: "city", Type: arrow.BinaryTypes.String}, {Name: "pop", Type: arrow.PrimitiveTypes.Int64}}, nil)
	bld := array.NewRecordBuilder(mem, schema)
	defer bld.Release()
	bld.Field(0).(*array.StringBuilder).AppendValues([]string{"Oslo", "Bergen", "Oslo", "Tromsø"}, nil)
	bld.Field(1).(*array.Int64Builder).AppendValues([]int64{700, 290, 10, 77}, nil)
	rec := bld.NewRecordBatch()
	defer rec.Release()
	tbl := array.NewTableFromRecords(schema, []arrow.RecordBatch{rec})
	defer tbl.Release()

	sess := NewSession()
	if err := sess.Register("cities", frame.FromArrow(tbl)); err != nil {
		t.Fatal(err)
	}
	df := sess.Query(ctx, `SELECT city, sum(pop) AS total FROM cities GROUP BY city`).
		Where(expr.Col("total").Gt(100)).
		Sort(expr.Col("city"))
	out, err := df.Collect(ctx, frame.WithAllocator(mem))
	if err != nil {
		t.Fatal(err)
	}
	defer out.Release()
	got := tableRows(out)
	want := []string{"Bergen|290", "Oslo|710"}
	if strings.Join(got, ",") != strings.Join(want, ",") {
		t.Errorf("got %v, want %v", got, want)
	}
	if err := sess.Exec(ctx, `INSERT INTO cities VALUES ('Bodø', 52)`); !errors.Is(err, errs.ErrNotImplemented) {
		t.Errorf("insert into a registered frame: got %v, want not implemented", err)
	}
}

// TestRun returns a frame for a final SELECT and nil otherwise.
func TestRun(t *testing.T) {
	ctx := context.Background()
	sess := NewSession()
	df, err := sess.Run(ctx, `CREATE TABLE r(v INTEGER); INSERT INTO r VALUES (4), (5)`)
	if err != nil || df != nil {
		t.Fatalf("got %v, %v; want no frame and no error", df, err)
	}
	df, err = sess.Run(ctx, `INSERT INTO r VALUES (6); SELECT sum(v) FROM r`)
	if err != nil {
		t.Fatal(err)
	}
	tbl, err := df.Collect(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer tbl.Release()
	if got := tableRows(tbl); len(got) != 1 || got[0] != "15" {
		t.Errorf("got %v, want [15]", got)
	}
}

func rowsOf(t *testing.T, sess *Session, q string) []string {
	t.Helper()
	tbl, err := sess.Query(context.Background(), q).Collect(context.Background())
	if err != nil {
		t.Fatalf("%s: %v", q, err)
	}
	defer tbl.Release()
	return tableRows(tbl)
}

// tableRows prints rows as a|b|c, NULL as NULL and numbers as Go prints
// them.
func tableRows(tbl arrow.Table) []string {
	rows := make([]string, tbl.NumRows())
	for c := 0; c < int(tbl.NumCols()); c++ {
		r := 0
		for _, chunk := range tbl.Column(c).Data().Chunks() {
			for i := 0; i < chunk.Len(); i++ {
				v := "NULL"
				if !chunk.IsNull(i) {
					v = strings.Trim(normalize(goValue(chunk, i)), `"`)
				}
				if c > 0 {
					rows[r] += "|"
				}
				rows[r] += v
				r++
			}
		}
	}
	return rows
}

// TestOddStatements feeds statements at the edges of what is supported:
// each must either run or fail with an *Error and a SQLSTATE, never panic
// or fail some other way.
func TestOddStatements(t *testing.T) {
	ctx := context.Background()
	stmts := []string{
		"SELECT", "SELECT * FROM", "SELECT (SELECT)", "SELECT 1 LIMIT 99999999999",
		"INSERT INTO t1 DEFAULT VALUES", "CREATE TABLE x AS SELECT 1",
		"SELECT * FROM t1 NATURAL JOIN t1", "SELECT a FROM t1 GROUP BY ROLLUP (a)",
		"SELECT ARRAY[1]", "SELECT $1", "SELECT a FROM t1 FOR UPDATE",
		"SELECT * FROM generate_series(1, 3)", "WITH RECURSIVE r AS (SELECT 1) SELECT * FROM r",
		"SELECT sum(DISTINCT a) FROM t1", "SELECT avg(DISTINCT b) FROM t1", "SELECT a || b FROM t1", "SELECT 1 UNION SELECT 1, 2",
		"SELECT DISTINCT ON (a) a FROM t1", "SELECT count(*) OVER () FROM t1",
		"SELECT a FROM t1 WHERE a = ANY (ARRAY[1])", "SELECT (1, 2)", "SELECT x'0F'",
		"SELECT * FROM t1 t(a, b, c)", "SELECT * FROM (SELECT 1) AS s", "VALUES (1), (1, 2)",
		"SELECT 1 FROM t1 GROUP BY 5", "SELECT a FROM t1 ORDER BY a USING <",
		"SELECT (SELECT a FROM t1 x WHERE x.a = t1.a) FROM t1", "SELECT a FROM t1 WHERE a IN (SELECT a, b FROM t1)",
		"SELECT * FROM t1 AS x, LATERAL (SELECT x.a) AS y", "SELECT a::int[] FROM t1", "SELECT a::nosuchtype FROM t1",
		"SELECT avg(b) FROM t1", "SELECT -b FROM t1", "SELECT b / 2 FROM t1", "SELECT 1 / 0",
		"SELECT count(*) FROM t1 HAVING a > 1", "SELECT * FROM t1 JOIN t1 USING (nope)",
		"WITH w AS (SELECT 1), w AS (SELECT 2) SELECT * FROM w", "DROP VIEW v", "SELECT a FROM t1 LIMIT -1",
	}
	sess := newTestSession(t)
	for _, q := range stmts {
		df, err := sess.Run(ctx, q)
		if err == nil && df != nil {
			var tbl arrow.Table
			if tbl, err = df.Collect(ctx); err == nil {
				tbl.Release()
				continue
			}
			// Errors while running come from the engine, with its kinds.
			if !errors.Is(err, errs.ErrExec) && !errors.Is(err, errs.ErrPlan) {
				t.Errorf("%s: running failed without an error kind: %v", q, err)
			}
			continue
		}
		var se *Error
		if err != nil && (!errors.As(err, &se) || len(se.Code) != 5 || se.Code == CodeInternalError) {
			t.Errorf("%s: got %v, want an *Error with a SQLSTATE that is not internal", q, err)
		}
	}
}

// TestCorrelatedExistsJoins checks that correlated EXISTS, NOT EXISTS and
// IN in WHERE become semi and anti joins, not per-value counts.
func TestCorrelatedExistsJoins(t *testing.T) {
	sess := newTestSession(t)
	for q, want := range map[string]plan.JoinType{
		`SELECT a FROM t1 WHERE EXISTS (SELECT 1 FROM t1 x WHERE x.a < t1.a)`:     plan.SemiJoin,
		`SELECT a FROM t1 WHERE NOT EXISTS (SELECT 1 FROM t1 x WHERE x.b = t1.b)`: plan.AntiJoin,
		`SELECT a FROM t1 WHERE a IN (SELECT x.a FROM t1 x WHERE x.b <> t1.b)`:    plan.SemiJoin,
	} {
		n, err := sess.Query(context.Background(), q).Plan()
		if err != nil {
			t.Fatalf("%s: %v", q, err)
		}
		var types []plan.JoinType
		var walk func(plan.Node)
		walk = func(n plan.Node) {
			if j, ok := n.(*plan.Join); ok {
				types = append(types, j.Type)
			}
			for _, c := range n.Children() {
				walk(c)
			}
		}
		walk(n)
		if len(types) != 1 || types[0] != want {
			t.Errorf("%s: joins %v, want one %v", q, types, want)
		}
	}
}

// TestRegister checks the table list and Register's mistakes: a frame that
// failed, and an empty name.
func TestRegister(t *testing.T) {
	sess := newTestSession(t)
	if err := sess.Register("", sess.Query(context.Background(), "SELECT 1")); !errors.Is(err, errs.ErrPlan) {
		t.Errorf("empty name: got %v, want a plan error", err)
	}
	bad := frame.ReadCSV(filepath.Join(t.TempDir(), "missing.csv"))
	if err := sess.Register("bad", bad); err == nil {
		t.Error("registering a frame that failed must fail")
	}
	if err := sess.Register("again", sess.Query(context.Background(), "SELECT a + 1 AS a1 FROM t1")); err != nil {
		t.Fatal(err)
	}
	if got := strings.Join(sess.Tables(), ","); got != "again,t1" {
		t.Errorf("tables %s, want again,t1", got)
	}
	if got := strings.Join(rowsOf(t, sess, "SELECT sum(a1) FROM again"), ","); got != "9" {
		t.Errorf("sum over a registered SQL result: got %s, want 9 (2 + 3 + 4)", got)
	}
}
