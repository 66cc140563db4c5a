//go:build cgo

package sql

import (
	"context"
	gosql "database/sql"
	"fmt"
	"math"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/memory"
	"github.com/apache/arrow-go/v18/arrow/scalar"

	"lakeframe/frame"
	"lakeframe/internal/pgtest"
)

// The oracle for PostgreSQL semantics is PostgreSQL: the same statements
// run in a throwaway cluster and in a Session, and the rows must agree.
// The data has NULLs, negatives, duplicates and empty strings, where the
// dialects differ.
var oracleSetup = []string{
	`CREATE TABLE t(id INTEGER, a INTEGER, b INTEGER, s TEXT, f DOUBLE PRECISION)`,
	`INSERT INTO t VALUES (1, 7, 2, 'apple', 1.5), (2, -7, 2, 'Banana', -2.25), (3, 7, -2, '', 0),
		(4, -7, -2, NULL, NULL), (5, NULL, 3, 'cherry', 3.75), (6, 0, NULL, 'apple', 10),
		(7, 9, 4, 'date', NULL), (8, 9, 4, 'date', 2.5), (9, 1, 1, 'elder', -1)`,
	`CREATE TABLE u(k INTEGER, v TEXT)`,
	`INSERT INTO u VALUES (7, 'seven'), (9, 'nine'), (9, 'nine again'), (NULL, 'null key'), (42, 'unmatched')`,
	`CREATE TABLE n(x INTEGER)`,
	`INSERT INTO n VALUES (2), (NULL), (4)`,
	`CREATE TABLE e(x INTEGER)`,
}

// oracleQueries: ordered ones (with an ORDER BY that fixes the order)
// compare row by row, the others as sorted sets of rows.
var oracleQueries = []struct {
	sql     string
	ordered bool
}{
	{`SELECT id, a / b, a % b FROM t WHERE b <> 0`, false},
	{`SELECT id, -a / 2, a / -2, (a + 0.0) / 2 FROM t`, false},
	{`SELECT id, a FROM t ORDER BY a, id`, true},
	{`SELECT id, a FROM t ORDER BY a DESC, id`, true},
	{`SELECT id, a FROM t ORDER BY a NULLS FIRST, id`, true},
	{`SELECT id, a FROM t ORDER BY a DESC NULLS LAST, id DESC`, true},
	{`SELECT id, s FROM t ORDER BY s, id`, true},
	{`SELECT a + b AS total, id FROM t ORDER BY total DESC, 2`, true},
	{`SELECT id FROM t WHERE a NOT IN (1, NULL)`, false},
	{`SELECT id FROM t WHERE a NOT IN (SELECT x FROM n)`, false},
	{`SELECT id FROM t WHERE b NOT IN (SELECT x FROM e)`, false},
	{`SELECT id, b IN (SELECT x FROM n), b NOT IN (SELECT x FROM n) FROM t`, false},
	{`SELECT id, (SELECT count(*) FROM t AS x WHERE x.a < t.a) FROM t`, false},
	{`SELECT id, (SELECT count(*) FROM t AS x WHERE x.a = t.a) FROM t`, false},
	{`SELECT id, (SELECT sum(x.b) FROM t AS x WHERE x.a = t.a AND x.id <> t.id) FROM t`, false},
	{`SELECT id, (SELECT max(k) FROM u WHERE u.k <= t.a) FROM t`, false},
	{`SELECT id FROM t WHERE EXISTS (SELECT 1 FROM u WHERE u.k = t.a)`, false},
	{`SELECT id FROM t WHERE NOT EXISTS (SELECT 1 FROM u WHERE u.k = t.a)`, false},
	{`SELECT id FROM t WHERE b > 0 AND EXISTS (SELECT 1 FROM u WHERE u.k > t.a AND u.v <> t.s) AND id < 9`, false},
	{`SELECT id FROM t WHERE NOT EXISTS (SELECT 1 FROM u WHERE u.k < t.b)`, false},
	{`SELECT id FROM t WHERE a IN (SELECT k FROM u WHERE u.v <> t.s)`, false},
	{`SELECT id FROM t WHERE a NOT IN (SELECT k FROM u WHERE length(u.v) > t.b)`, false},
	{`SELECT u.v FROM u WHERE EXISTS (SELECT 1 FROM t WHERE t.a = u.k AND EXISTS (SELECT 1 FROM n WHERE n.x < t.b))`, false},
	{`SELECT id, a IN (SELECT k FROM u WHERE u.v <> t.s) FROM t`, false},
	{`SELECT id, a NOT IN (SELECT k FROM u WHERE length(u.v) > t.b) FROM t`, false},
	{`SELECT id, (SELECT count(*) FROM t) FROM t WHERE a > (SELECT avg(a) FROM t)`, false},
	{`SELECT t.id, u.v FROM t JOIN u ON t.a = u.k`, false},
	{`SELECT t.id, u.v FROM t LEFT JOIN u ON t.a = u.k AND u.v <> 'nine'`, false},
	{`SELECT t.id, u.v FROM t RIGHT JOIN u ON t.a = u.k`, false},
	{`SELECT t.id, u.k, u.v FROM t FULL JOIN u ON t.a = u.k`, false},
	{`SELECT t.id, u.v FROM t, u WHERE t.a < u.k AND u.k < 10`, false},
	{`SELECT x.id, y.id FROM t x JOIN t y ON x.a = y.a AND x.id < y.id`, false},
	{`SELECT id, k FROM (SELECT id, a AS k FROM t) AS q JOIN u USING (k)`, false},
	{`SELECT a, count(*), count(b), count(DISTINCT s), sum(b), min(s), max(f) FROM t GROUP BY a`, false},
	{`SELECT a % 2, sum(id) FROM t GROUP BY 1 HAVING count(*) > 1`, false},
	{`SELECT count(*), sum(a), avg(b), min(a), max(s) FROM t WHERE id > 100`, false},
	{`SELECT sum(DISTINCT a), avg(DISTINCT a), sum(a), count(DISTINCT b), sum(DISTINCT b) / count(*) FROM t`, false},
	{`SELECT b, sum(DISTINCT a), avg(DISTINCT f), count(*) FROM t GROUP BY b`, false},
	{`SELECT s, sum(DISTINCT a) FROM t GROUP BY s HAVING sum(DISTINCT b) > 1 ORDER BY 2 NULLS FIRST, 1`, true},
	{`SELECT sum(DISTINCT a), avg(DISTINCT b) FROM t WHERE id > 100`, false},
	{`SELECT s, count(*) AS c FROM t GROUP BY s ORDER BY c DESC, s NULLS FIRST`, true},
	{`SELECT DISTINCT a FROM t ORDER BY a`, true},
	{`SELECT id FROM t ORDER BY id LIMIT 3 OFFSET 2`, true},
	{`SELECT id, CASE WHEN a > 0 THEN 'pos' WHEN a < 0 THEN 'neg' END, CASE a WHEN 7 THEN 1 WHEN 9 THEN 2 ELSE 0 END FROM t`, false},
	{`SELECT id, COALESCE(a, b, -1), NULLIF(a, 7), abs(a), -b FROM t`, false},
	{`SELECT id FROM t WHERE a BETWEEN -7 AND 7 AND s LIKE '%a%'`, false},
	{`SELECT id FROM t WHERE s NOT LIKE 'a%' OR s IS NULL`, false},
	{`SELECT id, CAST(f AS INTEGER), b::float8 / 4, upper(s), lower(s), length(s) FROM t`, false},
	{`SELECT a IS DISTINCT FROM b, a IS NOT DISTINCT FROM 7 FROM t`, false},
	{`SELECT a FROM t UNION SELECT x FROM n`, false},
	{`SELECT a FROM t UNION ALL SELECT x FROM n`, false},
	{`SELECT b FROM t INTERSECT SELECT x FROM n`, false},
	{`SELECT b FROM t EXCEPT SELECT x FROM n ORDER BY 1`, true},
	{`SELECT 1 + 2, 'x', NULL IS NULL`, false},
	{`WITH big AS (SELECT id, a FROM t WHERE a > 0), pairs AS (SELECT x.id AS l, y.id AS r FROM big x JOIN big y ON x.a = y.a)
		SELECT l, r FROM pairs WHERE l < r`, false},
	{`WITH c(k, n) AS (SELECT a, count(*) FROM t GROUP BY a) SELECT k, n FROM c WHERE n > (SELECT min(n) FROM c)`, false},
	{`SELECT * FROM (VALUES (1, 'one'), (2, NULL), (NULL, 'three')) AS v(num, word) ORDER BY num NULLS FIRST`, true},
	{`VALUES (1, 2.5), (3, 4) ORDER BY 1 DESC`, true},
	{`SELECT v.x, t.id FROM (VALUES (7), (9)) v(x) LEFT JOIN t ON t.a = v.x`, false},
	{`SELECT NULL IN (SELECT x FROM e), NULL NOT IN (SELECT x FROM e), NULL IN (SELECT x FROM n)`, false},
	{`SELECT id, a IN (SELECT x FROM e WHERE x = t.a), a NOT IN (SELECT x FROM e WHERE x > t.b) FROM t`, false},
}

func TestAgreesWithPostgreSQL(t *testing.T) {
	dsn := pgtest.NewDatabase(t, pgtest.Start(t))
	db, err := gosql.Open("pgx", dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	sess := NewSession()
	for _, stmt := range oracleSetup {
		if _, err := db.ExecContext(ctx, stmt); err != nil {
			t.Fatalf("postgres: %s: %v", stmt, err)
		}
		if err := sess.Exec(ctx, stmt); err != nil {
			t.Fatalf("lakeframe: %s: %v", stmt, err)
		}
	}
	for _, q := range oracleQueries {
		want, err := postgresRows(ctx, db, q.sql)
		if err != nil {
			t.Fatalf("postgres: %s: %v", q.sql, err)
		}
		got, err := sessionRows(ctx, t, sess, q.sql)
		if err != nil {
			t.Errorf("%s: %v", q.sql, err)
			continue
		}
		if !q.ordered {
			sort.Strings(want)
			sort.Strings(got)
		}
		if strings.Join(got, "\n") != strings.Join(want, "\n") {
			t.Errorf("%s:\n got %q\nwant %q", q.sql, got, want)
		}
	}
}

// normalize prints a value the same way from either side: integers and
// floats by their float value, NULL as NULL.
func normalize(v any) string {
	switch x := v.(type) {
	case nil:
		return "NULL"
	case int64:
		return strconv.FormatFloat(float64(x), 'g', 10, 64)
	case int32:
		return strconv.FormatFloat(float64(x), 'g', 10, 64)
	case float64:
		if math.IsNaN(x) {
			return "NaN"
		}
		return strconv.FormatFloat(x, 'g', 10, 64)
	case bool:
		return strconv.FormatBool(x)
	case string:
		if f, err := strconv.ParseFloat(x, 64); err == nil && strings.ContainsAny(x, "0123456789") {
			return strconv.FormatFloat(f, 'g', 10, 64) // numeric comes as text
		}
		return strconv.Quote(x)
	case []byte:
		return normalize(string(x))
	}
	return fmt.Sprint(v)
}

func postgresRows(ctx context.Context, db *gosql.DB, q string) ([]string, error) {
	rows, err := db.QueryContext(ctx, q)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	cols, err := rows.Columns()
	if err != nil {
		return nil, err
	}
	var out []string
	for rows.Next() {
		vals := make([]any, len(cols))
		ptrs := make([]any, len(cols))
		for i := range vals {
			ptrs[i] = &vals[i]
		}
		if err := rows.Scan(ptrs...); err != nil {
			return nil, err
		}
		parts := make([]string, len(vals))
		for i, v := range vals {
			parts[i] = normalize(v)
		}
		out = append(out, strings.Join(parts, "|"))
	}
	return out, rows.Err()
}

// sessionRows runs a query with a checked allocator: every buffer the
// query allocates must be released.
func sessionRows(ctx context.Context, t *testing.T, sess *Session, q string) ([]string, error) {
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)
	tbl, err := sess.Query(ctx, q).Collect(ctx, frame.WithAllocator(mem))
	if err != nil {
		return nil, err
	}
	defer tbl.Release()
	rows := make([][]string, tbl.NumRows())
	for i := range rows {
		rows[i] = make([]string, tbl.NumCols())
	}
	for c := 0; c < int(tbl.NumCols()); c++ {
		r := 0
		for _, chunk := range tbl.Column(c).Data().Chunks() {
			for i := 0; i < chunk.Len(); i++ {
				rows[r][c] = normalize(goValue(chunk, i))
				r++
			}
		}
	}
	out := make([]string, len(rows))
	for i, r := range rows {
		out[i] = strings.Join(r, "|")
	}
	return out, nil
}

func goValue(a arrow.Array, i int) any {
	if a.IsNull(i) {
		return nil
	}
	s, err := scalar.GetScalar(a, i)
	if err != nil {
		return err.Error()
	}
	switch v := s.(type) {
	case *scalar.Int16:
		return int64(v.Value)
	case *scalar.Int32:
		return int64(v.Value)
	case *scalar.Int64:
		return v.Value
	case *scalar.Float32:
		return float64(v.Value)
	case *scalar.Float64:
		return v.Value
	case *scalar.Boolean:
		return v.Value
	case *scalar.String:
		return string(v.Value.Bytes())
	}
	return s.String()
}
