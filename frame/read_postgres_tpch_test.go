//go:build cgo

package frame_test

import (
	"context"
	"database/sql"
	"fmt"
	"io"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	_ "github.com/duckdb/duckdb-go/v2"
	"github.com/jackc/pgx/v5"

	"lakeframe/examples/tpch/queries"
	"lakeframe/expr"
	"lakeframe/frame"
	"lakeframe/internal/pgtest"
	"lakeframe/internal/tpchgen"
)

// pgTPCHTables are the TPC-H tables the warehouse holds in PostgreSQL;
// lineitem stays in Parquet, as lake data.
var pgTPCHTables = []string{"customer", "orders", "nation", "region", "supplier"}

// TestReadPostgresTPCHAgainstDuckDB runs TPC-H Q3, Q5 and Q10 (scale 1)
// with customer, orders, nation, region and supplier read from
// PostgreSQL and lineitem from Parquet, and compares the answers with
// DuckDB running the specification's SQL over Parquet copies of all of
// them.
func TestReadPostgresTPCHAgainstDuckDB(t *testing.T) {
	if testing.Short() {
		t.Skip("skipped in short mode: loads TPC-H SF1 customer and orders (1.65M rows) into PostgreSQL")
	}
	ctx := context.Background()
	dir := filepath.Join(os.TempDir(), "lakeframe-tpch-sf1")
	if err := tpchgen.Generate(ctx, dir, 1); err != nil {
		t.Fatalf("generate TPC-H SF1 data: %v", err)
	}
	dsn := pgtest.NewDatabase(t, pgtest.Start(t))
	conn, err := pgx.Connect(ctx, dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(ctx)
	for _, table := range pgTPCHTables {
		loadTPCHTable(t, conn, dir, table)
	}

	db, err := sql.Open("duckdb", "")
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	for _, table := range queries.Tables() {
		if _, err := db.Exec(fmt.Sprintf("CREATE VIEW %s AS SELECT * FROM read_parquet('%s')", table, tpchgen.Glob(dir, table))); err != nil {
			t.Fatal(err)
		}
	}
	scan := func(table string) *frame.DataFrame {
		for _, pg := range pgTPCHTables {
			if pg == table {
				return frame.ReadPostgres(dsn, table, frame.PostgresParallelism(2))
			}
		}
		return frame.ReadParquet(tpchgen.Glob(dir, table))
	}
	for _, q := range []struct {
		n  int
		df *frame.DataFrame
	}{{3, pgQ3(scan)}, {5, pgQ5(scan)}, {10, pgQ10(scan)}} {
		t.Run(fmt.Sprintf("q%d", q.n), func(t *testing.T) {
			explain, err := q.df.Explain(ctx)
			if err != nil {
				t.Fatal(err)
			}
			if !strings.Contains(explain, `WHERE (\"o_orderdate\"`) {
				t.Errorf("the orders date filter is not in the SQL sent:\n%s", explain)
			}
			tbl, err := q.df.Collect(ctx)
			if err != nil {
				t.Fatal(err)
			}
			defer tbl.Release()
			got := tableCells(t, tbl)
			want := duckCells(t, db, queries.SQL(q.n))
			if len(want) == 0 {
				t.Fatal("DuckDB returns no rows; the query tests nothing")
			}
			if len(got) != len(want) {
				t.Fatalf("%d rows, DuckDB %d", len(got), len(want))
			}
			for i := range want {
				if !sameCells(got[i], want[i]) {
					t.Errorf("row %d: got %v, DuckDB %v", i, got[i], want[i])
				}
			}
		})
	}
}

// The three queries of examples/tpch/queries, over tables from scan.

func tpchDate(y int, m time.Month, d int) time.Time { return time.Date(y, m, d, 0, 0, 0, 0, time.UTC) }

func tpchRevenue() expr.Expr {
	return expr.Col("l_extendedprice").Mul(expr.Lit(1.0).Sub(expr.Col("l_discount")))
}

func pgQ3(scan func(string) *frame.DataFrame) *frame.DataFrame {
	cutoff := tpchDate(1995, 3, 15)
	customers := scan("customer").Where(expr.Col("c_mktsegment").Eq("BUILDING"))
	orders := scan("orders").Where(expr.Col("o_orderdate").Lt(cutoff))
	return scan("lineitem").
		Where(expr.Col("l_shipdate").Gt(cutoff)).
		Join(orders, frame.Inner, frame.LeftOn("l_orderkey"), frame.RightOn("o_orderkey")).
		Join(customers, frame.Semi, frame.LeftOn("o_custkey"), frame.RightOn("c_custkey")).
		GroupBy("l_orderkey", "o_orderdate", "o_shippriority").
		Agg(tpchRevenue().Sum().Alias("revenue")).
		Select("l_orderkey", "revenue", "o_orderdate", "o_shippriority").
		Sort(expr.Col("revenue").Desc(), "o_orderdate").
		Limit(10)
}

func pgQ5(scan func(string) *frame.DataFrame) *frame.DataFrame {
	from := tpchDate(1994, 1, 1)
	asia := scan("nation").
		Join(scan("region").Where(expr.Col("r_name").Eq("ASIA")),
			frame.Inner, frame.LeftOn("n_regionkey"), frame.RightOn("r_regionkey"))
	customers := scan("customer").
		Join(asia, frame.Inner, frame.LeftOn("c_nationkey"), frame.RightOn("n_nationkey"))
	orders := scan("orders").
		Where(expr.Col("o_orderdate").Ge(from).And(expr.Col("o_orderdate").Lt(from.AddDate(1, 0, 0)))).
		Join(customers, frame.Inner, frame.LeftOn("o_custkey"), frame.RightOn("c_custkey"))
	return scan("lineitem").
		Join(orders, frame.Inner, frame.LeftOn("l_orderkey"), frame.RightOn("o_orderkey")).
		Join(scan("supplier"), frame.Inner,
			frame.LeftOn("l_suppkey", "c_nationkey"), frame.RightOn("s_suppkey", "s_nationkey")).
		GroupBy("n_name").
		Agg(tpchRevenue().Sum().Alias("revenue")).
		Sort(expr.Col("revenue").Desc())
}

func pgQ10(scan func(string) *frame.DataFrame) *frame.DataFrame {
	from := tpchDate(1993, 10, 1)
	orders := scan("orders").
		Where(expr.Col("o_orderdate").Ge(from).And(expr.Col("o_orderdate").Lt(from.AddDate(0, 3, 0))))
	customers := scan("customer").
		Join(scan("nation"), frame.Inner, frame.LeftOn("c_nationkey"), frame.RightOn("n_nationkey"))
	return scan("lineitem").
		Where(expr.Col("l_returnflag").Eq("R")).
		Join(orders, frame.Inner, frame.LeftOn("l_orderkey"), frame.RightOn("o_orderkey")).
		Join(customers, frame.Inner, frame.LeftOn("o_custkey"), frame.RightOn("c_custkey")).
		GroupBy("c_custkey", "c_name", "c_acctbal", "c_phone", "n_name", "c_address", "c_comment").
		Agg(tpchRevenue().Sum().Alias("revenue")).
		Select("c_custkey", "c_name", "revenue", "c_acctbal", "n_name", "c_address", "c_phone", "c_comment").
		Sort(expr.Col("revenue").Desc()).
		Limit(20)
}

// loadTPCHTable creates a table of the generator's schema in PostgreSQL
// and copies the generated Parquet rows into it.
func loadTPCHTable(t *testing.T, conn *pgx.Conn, dir, table string) {
	t.Helper()
	ctx := context.Background()
	schema, err := tpchgen.Schema(table)
	if err != nil {
		t.Fatal(err)
	}
	cols := make([]string, schema.NumFields())
	defs := make([]string, schema.NumFields())
	for i, f := range schema.Fields() {
		cols[i] = f.Name
		pgType := map[arrow.Type]string{arrow.INT64: "bigint", arrow.FLOAT64: "double precision", arrow.STRING: "text", arrow.DATE32: "date"}[f.Type.ID()]
		if pgType == "" {
			t.Fatalf("%s.%s: no PostgreSQL type for %s", table, f.Name, f.Type)
		}
		defs[i] = f.Name + " " + pgType + " NOT NULL"
	}
	if _, err := conn.Exec(ctx, fmt.Sprintf("CREATE TABLE %s (%s)", table, strings.Join(defs, ", "))); err != nil {
		t.Fatal(err)
	}
	st, err := frame.ReadParquet(tpchgen.Glob(dir, table)).Stream(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	src := &arrowCopySource{st: st}
	defer src.release()
	if _, err := conn.CopyFrom(ctx, pgx.Identifier{table}, cols, src); err != nil {
		t.Fatalf("copy %s: %v", table, err)
	}
	if _, err := conn.Exec(ctx, "VACUUM ANALYZE "+table); err != nil {
		t.Fatal(err)
	}
}

// arrowCopySource feeds pgx's COPY with the rows of a lakeframe stream.
type arrowCopySource struct {
	st  *frame.Stream
	rec arrow.RecordBatch
	row int
	err error
}

func (s *arrowCopySource) Next() bool {
	for s.rec == nil || s.row+1 >= int(s.rec.NumRows()) {
		s.release()
		rec, err := s.st.Next(context.Background())
		if err == io.EOF {
			return false
		}
		if err != nil {
			s.err = err
			return false
		}
		s.rec, s.row = rec, -1
	}
	s.row++
	return true
}

func (s *arrowCopySource) Values() ([]any, error) {
	out := make([]any, s.rec.NumCols())
	for c := range out {
		switch a := s.rec.Column(c).(type) {
		case *array.Int64:
			out[c] = a.Value(s.row)
		case *array.Float64:
			out[c] = a.Value(s.row)
		case *array.String:
			out[c] = a.Value(s.row)
		case *array.Date32:
			out[c] = a.Value(s.row).ToTime()
		default:
			return nil, fmt.Errorf("column %d: no copy for %T", c, a)
		}
	}
	return out, nil
}

func (s *arrowCopySource) Err() error { return s.err }

func (s *arrowCopySource) release() {
	if s.rec != nil {
		s.rec.Release()
		s.rec = nil
	}
}

// tableCells reads an Arrow table into rows of int64, float64 and string
// (dates as ISO strings).
func tableCells(t *testing.T, tbl arrow.Table) [][]any {
	t.Helper()
	rows := make([][]any, tbl.NumRows())
	for c := range int(tbl.NumCols()) {
		r := 0
		for _, chunk := range tbl.Column(c).Data().Chunks() {
			for i := range chunk.Len() {
				var v any
				switch a := chunk.(type) {
				case *array.Int64:
					v = a.Value(i)
				case *array.Float64:
					v = a.Value(i)
				case *array.String:
					v = a.Value(i)
				case *array.Date32:
					v = a.Value(i).ToTime().Format("2006-01-02")
				default:
					t.Fatalf("column %s: no cell for %T", tbl.Schema().Field(c).Name, a)
				}
				rows[r] = append(rows[r], v)
				r++
			}
		}
	}
	return rows
}

// duckCells runs a query in DuckDB, with cells as tableCells makes them.
func duckCells(t *testing.T, db *sql.DB, query string) [][]any {
	t.Helper()
	rs, err := db.Query(query)
	if err != nil {
		t.Fatal(err)
	}
	defer rs.Close()
	cols, _ := rs.Columns()
	var out [][]any
	for rs.Next() {
		vals := make([]any, len(cols))
		ptrs := make([]any, len(cols))
		for i := range vals {
			ptrs[i] = &vals[i]
		}
		if err := rs.Scan(ptrs...); err != nil {
			t.Fatal(err)
		}
		for i, v := range vals {
			switch x := v.(type) {
			case int32:
				vals[i] = int64(x)
			case time.Time:
				vals[i] = x.Format("2006-01-02")
			}
		}
		out = append(out, vals)
	}
	if err := rs.Err(); err != nil {
		t.Fatal(err)
	}
	return out
}

// sameCells compares rows; sums of floats may differ in the last bits
// with the order of addition.
func sameCells(a, b []any) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		fa, okA := a[i].(float64)
		fb, okB := b[i].(float64)
		if okA && okB {
			if math.Abs(fa-fb) > 1e-9*math.Max(1, math.Abs(fb)) {
				return false
			}
			continue
		}
		if a[i] != b[i] {
			return false
		}
	}
	return true
}
