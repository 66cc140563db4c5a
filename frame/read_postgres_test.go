package frame_test

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/user"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/memory"
	"github.com/jackc/pgx/v5"

	"lakeframe/errs"
	"lakeframe/expr"
	"lakeframe/frame"
	"lakeframe/internal/pgtest"
)

// pgItems starts a cluster with a table of every filterable type: floats
// with NaN, ±Inf and -0, text in a collation that orders differently
// from bytes (when the server has ICU), NULLs in every column.
func pgItems(t *testing.T) (dsn string, conn *pgx.Conn, icu bool) {
	t.Helper()
	dsn = pgtest.NewDatabase(t, pgtest.Start(t))
	ctx := context.Background()
	conn, err := pgx.Connect(ctx, dsn)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { conn.Close(context.Background()) })
	collate := ""
	if err := conn.QueryRow(ctx, `SELECT true FROM pg_collation WHERE collname = 'und-x-icu'`).Scan(&icu); err == nil && icu {
		collate = ` COLLATE "und-x-icu"`
	}
	for _, sql := range []string{
		`CREATE TABLE items (id int, qty smallint, price numeric(10,2), f float8, name text` + collate + `,
			day date, ts timestamptz, flag bool, tags text[])`,
		`INSERT INTO items SELECT g,
			CASE WHEN g % 7 = 0 THEN NULL ELSE (g % 20)::int2 END,
			CASE WHEN g % 11 = 0 THEN NULL ELSE (g % 1000) / 4.0 END,
			CASE WHEN g % 13 = 0 THEN NULL WHEN g % 13 = 1 THEN 'NaN' WHEN g % 13 = 2 THEN '-0'
				WHEN g % 13 = 3 THEN 'Infinity' WHEN g % 13 = 4 THEN '-Infinity' ELSE (g % 10) / 4.0 END,
			CASE WHEN g % 17 = 0 THEN NULL WHEN g % 17 = 1 THEN '' WHEN g % 2 = 0 THEN 'a' || g ELSE 'B' || g END,
			CASE WHEN g % 19 = 0 THEN NULL ELSE date '2024-01-01' + g % 400 END,
			CASE WHEN g % 23 = 0 THEN NULL ELSE timestamptz '2024-01-01 00:00:00+00' + g * interval '1 hour' END,
			CASE WHEN g % 3 = 0 THEN NULL ELSE g % 2 = 0 END,
			ARRAY['t' || (g % 5)]
			FROM generate_series(1, 5000) g`,
		`ANALYZE items`,
	} {
		if _, err := conn.Exec(ctx, sql); err != nil {
			t.Fatalf("%s: %v", sql, err)
		}
	}
	return dsn, conn, icu
}

// renderRows renders every row as text, sorted.
func renderRows(tbl arrow.Table) []string {
	return sortedRows(tbl, func(rec arrow.RecordBatch) []string {
		out := make([]string, rec.NumRows())
		for i := range out {
			var sb strings.Builder
			for c := range int(rec.NumCols()) {
				if c > 0 {
					sb.WriteString("|")
				}
				if rec.Column(c).IsNull(i) {
					sb.WriteString("NULL")
				} else {
					sb.WriteString(rec.Column(c).ValueStr(i))
				}
			}
			out[i] = sb.String()
		}
		return out
	})
}

func pgRows(t *testing.T, df *frame.DataFrame, opts ...frame.Option) []string {
	t.Helper()
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)
	tbl, err := df.Collect(context.Background(), append(opts, frame.WithAllocator(mem))...)
	if err != nil {
		t.Fatal(err)
	}
	defer tbl.Release()
	return renderRows(tbl)
}

// pushedSQL is the statement the scan sends, from Explain.
func pushedSQL(t *testing.T, df *frame.DataFrame) (sql, explain string) {
	t.Helper()
	explain, err := df.Explain(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	i := strings.Index(explain, `sql="`)
	if i < 0 {
		t.Fatalf("explain shows no sql:\n%s", explain)
	}
	quoted, err := strconv.QuotedPrefix(explain[i+len("sql="):])
	if err != nil {
		t.Fatalf("explain: %v\n%s", err, explain)
	}
	sql, _ = strconv.Unquote(quoted)
	return sql, explain
}

// TestReadPostgresPushdownAgreesWithLakeframe runs each filter twice:
// pushed into the SQL sent where the source takes it, and evaluated by
// lakeframe above a full scan (push_down_filter off). Both must give the
// same rows, and Explain must show which filters went into the SQL.
func TestReadPostgresPushdownAgreesWithLakeframe(t *testing.T) {
	dsn, _, icu := pgItems(t)
	day := time.Date(2024, 3, 1, 0, 0, 0, 0, time.UTC)
	cases := []struct {
		name   string
		pred   expr.Expr
		pushed string // a fragment of the WHERE clause sent; "" when nothing is pushed
	}{
		{"int range", expr.Col("id").Gt(100).And(expr.Col("id").Le(4000)), `("id" > $1::int4)`},
		{"smallint or null", expr.Col("qty").Eq(7).Or(expr.Col("qty").IsNull()), `("qty" IS NULL)`},
		{"numeric", expr.Col("price").Ge(50.25), `("price" >= $1::numeric)`},
		{"float less", expr.Col("f").Lt(0.5), `("f" < $1::float8)`},
		{"float not equal", expr.Col("f").Ne(1.0), `("f" <> $1::float8)`},
		{"not float at most", expr.Col("f").Le(1.0).Not(), `(NOT ("f" <= $1::float8))`},
		{"float greater stays", expr.Col("f").Gt(0.5), ""},
		{"float zero", expr.Col("f").Eq(0.0), `("f" = $1::float8)`},
		{"text order", expr.Col("name").Lt("B5"), `("name" COLLATE "C" < $1::text)`},
		{"text empty", expr.Col("name").Eq(""), `("name" COLLATE "C" = $1::text)`},
		{"text in", expr.Col("name").IsIn("a10", "B11", ""), `("name" COLLATE "C" IN ($1::text, $2::text, $3::text))`},
		{"contains stays", expr.Col("name").Str().Contains("77"), ""},
		{"date between", expr.Col("day").Between(day, day.AddDate(0, 1, 0)), `("day" >= $1::date)`},
		{"timestamptz", expr.Col("ts").Ge(day), `("ts" >= $1::timestamptz)`},
		{"bool column", expr.Col("flag"), `"flag"`},
		{"not bool", expr.Col("flag").Not(), `(NOT "flag")`},
		{"arithmetic stays", expr.Col("id").Add(1).Gt(4990), ""},
		{"array is null", expr.Col("tags").IsNotNull().And(expr.Col("id").Lt(10)), `("tags" IS NOT NULL)`},
		{"part pushed", expr.Col("id").Gt(4000).And(expr.Col("name").Str().Contains("9")), `("id" > $1::int4)`},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			df := frame.ReadPostgres(dsn, "items").Where(c.pred)
			sql, explain := pushedSQL(t, df)
			switch {
			case c.pushed == "" && strings.Contains(sql, "WHERE"):
				t.Errorf("filter was pushed, want it kept above the scan: %s", sql)
			case c.pushed != "" && !strings.Contains(sql, c.pushed):
				t.Errorf("sql %s does not contain %s\n%s", sql, c.pushed, explain)
			}
			if strings.Contains(explain, "FilterExec") != (c.pushed == "" || c.name == "part pushed") {
				t.Errorf("a Filter above the scan is expected only for filters not pushed:\n%s", explain)
			}
			got := pgRows(t, df)
			want := pgRows(t, df, frame.WithoutRules("push_down_filter"))
			if len(want) == 0 || len(want) == 5000 {
				t.Fatalf("the filter keeps %d of 5000 rows; the case tests nothing", len(want))
			}
			if strings.Join(got, "\n") != strings.Join(want, "\n") {
				t.Errorf("pushed: %d rows, evaluated by lakeframe: %d rows; first rows %v vs %v", len(got), len(want), firstRows(got), firstRows(want))
			}
		})
	}
	if !icu {
		t.Log("the server has no ICU collation: text ordering was checked in the C collation only")
	}
}

func firstRows(rows []string) []string { return rows[:min(len(rows), 3)] }

// TestReadPostgresProjectionAndLimit checks that columns and the limit
// go into the SQL, and that the rows still come out right.
func TestReadPostgresProjectionAndLimit(t *testing.T) {
	dsn, conn, _ := pgItems(t)
	df := frame.ReadPostgres(dsn, "items").
		Where(expr.Col("id").Ge(4990)).
		Select(expr.Col("name"), expr.Col("id")).
		Limit(3)
	sql, _ := pushedSQL(t, df)
	if want := `SELECT "id", "name" FROM "public"."items" WHERE ("id" >= $1::int4) LIMIT 3`; sql != want {
		t.Errorf("sql = %s, want %s", sql, want)
	}
	got := pgRows(t, df)
	if len(got) != 3 {
		t.Fatalf("got %d rows, want 3: %v", len(got), got)
	}
	for _, r := range got {
		name, id, _ := strings.Cut(r, "|")
		var pgName *string
		if err := conn.QueryRow(context.Background(), "SELECT name FROM items WHERE id = $1", id).Scan(&pgName); err != nil {
			t.Fatal(err)
		}
		if pgName == nil && name != "NULL" || pgName != nil && *pgName != name {
			t.Errorf("row %s: PostgreSQL has name %v for id %s", r, pgName, id)
		}
		var n int
		fmt.Sscan(id, &n)
		if n < 4990 {
			t.Errorf("row %s does not satisfy id >= 4990", r)
		}
	}
}

// TestReadPostgresQuery reads a query, whose filters apply to its result.
func TestReadPostgresQuery(t *testing.T) {
	dsn, conn, _ := pgItems(t)
	df := frame.ReadPostgres(dsn, "SELECT id, qty * 2 AS q2 FROM items WHERE id <= 100").
		Where(expr.Col("q2").Gt(30))
	sql, _ := pushedSQL(t, df)
	if !strings.Contains(sql, `FROM (SELECT id, qty * 2 AS q2 FROM items WHERE id <= 100) AS q WHERE ("q2" > $1::int4)`) {
		t.Errorf("sql = %s", sql)
	}
	got := pgRows(t, df)
	var want int
	if err := conn.QueryRow(context.Background(), "SELECT count(*) FROM items WHERE id <= 100 AND qty * 2 > 30").Scan(&want); err != nil {
		t.Fatal(err)
	}
	if len(got) != want || want == 0 {
		t.Errorf("got %d rows, PostgreSQL counts %d", len(got), want)
	}
}

func TestReadPostgresErrors(t *testing.T) {
	dsn, conn, _ := pgItems(t)
	ctx := context.Background()

	t.Run("unknown table", func(t *testing.T) {
		err := frame.ReadPostgres(dsn, "itemz").Err()
		t.Log(err)
		if !errors.Is(err, errs.ErrPlan) || !strings.Contains(err.Error(), `"itemz"`) || !strings.Contains(err.Error(), "public.items") {
			t.Errorf("error %v should be a plan error naming itemz and the tables that exist", err)
		}
		if !strings.Contains(err.Error(), "127.0.0.1:") {
			t.Errorf("error %v should name the server", err)
		}
	})
	t.Run("unknown column", func(t *testing.T) {
		err := frame.ReadPostgres(dsn, "items").Where(expr.Col("nope").Eq(1)).Err()
		if !errors.Is(err, errs.ErrPlan) || !strings.Contains(err.Error(), "nope") || !strings.Contains(err.Error(), "price") {
			t.Errorf("error %v should be a plan error naming nope and the columns that exist", err)
		}
	})
	t.Run("nothing listening", func(t *testing.T) {
		err := frame.ReadPostgres("postgres://postgres:Some-Secret-55@127.0.0.1:1/postgres?sslmode=disable", "items").Err()
		if !errors.Is(err, errs.ErrExec) || !strings.Contains(err.Error(), "postgres 127.0.0.1:1: connect") || strings.Contains(err.Error(), "Some-Secret-55") {
			t.Errorf("error %v should be an execution error naming 127.0.0.1:1, without the password", err)
		}
	})
	t.Run("bad connection string", func(t *testing.T) {
		err := frame.ReadPostgres("postgres://postgres:Some-Secret-55@127.0.0.1:notaport/postgres", "items").Err()
		if !errors.Is(err, errs.ErrPlan) || strings.Contains(err.Error(), "Some-Secret-55") {
			t.Errorf("error %v should be a plan error without the password", err)
		}
	})
	t.Run("bad query", func(t *testing.T) {
		err := frame.ReadPostgres(dsn, "SELECT idd FROM items").Err()
		if !errors.Is(err, errs.ErrPlan) || !strings.Contains(err.Error(), "idd") || !strings.Contains(err.Error(), "127.0.0.1:") {
			t.Errorf("error %v should be a plan error naming the column and the server", err)
		}
	})
	t.Run("wrong password", func(t *testing.T) {
		// Password checks need an authentication method other than the
		// cluster's trust: the superuser keeps trust, role reader gets
		// scram-sha-256.
		var hba string
		if err := conn.QueryRow(ctx, "SHOW hba_file").Scan(&hba); err != nil {
			t.Fatal(err)
		}
		rules := "local all all trust\nhost all postgres 127.0.0.1/32 trust\nhost all all 127.0.0.1/32 scram-sha-256\n"
		if err := writeFileAs(hba, rules); err != nil {
			t.Skipf("cannot rewrite %s to require passwords: %v", hba, err)
		}
		for _, sql := range []string{
			"SELECT pg_reload_conf()",
			"CREATE ROLE reader LOGIN PASSWORD 'Right-Secret-417'",
			"GRANT SELECT ON items TO reader",
		} {
			if _, err := conn.Exec(ctx, sql); err != nil {
				t.Fatal(err)
			}
		}
		time.Sleep(200 * time.Millisecond) // the reload is asynchronous
		withUser := func(pw string) string {
			return strings.Replace(dsn, "postgres://postgres@", "postgres://reader:"+pw+"@", 1)
		}
		err := frame.ReadPostgres(withUser("Wrong-Secret-982"), "items").Err()
		if err == nil {
			t.Fatal("a wrong password was accepted")
		}
		t.Log(err)
		if strings.Contains(err.Error(), "Wrong-Secret-982") {
			t.Errorf("error shows the password: %v", err)
		}
		if !strings.Contains(err.Error(), "127.0.0.1:") || !strings.Contains(err.Error(), "password authentication failed") {
			t.Errorf("error %v should name the server and say that the password was refused", err)
		}
		if got := pgRows(t, frame.ReadPostgres(withUser("Right-Secret-417"), "items").Select(expr.Col("id"))); len(got) != 5000 {
			t.Errorf("with the right password: %d rows, want 5000", len(got))
		}
	})
}

// writeFileAs replaces a file the PostgreSQL server owns, keeping it the
// server's (it runs as user postgres when the tests run as root).
func writeFileAs(path, content string) error {
	if err := os.WriteFile(path, []byte(content), 0o600); err != nil {
		return err
	}
	if os.Geteuid() != 0 {
		return nil
	}
	u, err := user.Lookup("postgres")
	if err != nil {
		return nil
	}
	uid, _ := strconv.Atoi(u.Uid)
	gid, _ := strconv.Atoi(u.Gid)
	return os.Chown(path, uid, gid)
}

// TestReadPostgresParallelExplainAndRows splits the table into page
// ranges: Explain says so, and the rows are PostgreSQL's, each once.
func TestReadPostgresParallelExplainAndRows(t *testing.T) {
	dsn, conn, _ := pgItems(t)
	df := frame.ReadPostgres(dsn, "items", frame.PostgresParallelism(3), frame.PostgresPagesPerTask(8)).
		Where(expr.Col("id").Gt(10)).
		Select(expr.Col("id"), expr.Col("name"))
	_, explain := pushedSQL(t, df)
	if !strings.Contains(explain, `split="ctid" tasks=3 snapshot=shared`) || !strings.Contains(explain, `<part>`) {
		t.Errorf("explain does not show the split:\n%s", explain)
	}
	got := pgRows(t, df, frame.WithParallelism(3))
	rows, err := conn.Query(context.Background(), `SELECT id::text || '|' || coalesce(name, 'NULL') FROM items WHERE id > 10`)
	if err != nil {
		t.Fatal(err)
	}
	want, err := pgx.CollectRows(rows, pgx.RowTo[string])
	if err != nil {
		t.Fatal(err)
	}
	slices.Sort(want)
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("got %d rows, PostgreSQL %d; first %v vs %v", len(got), len(want), firstRows(got), firstRows(want))
	}
}

// TestReadPostgresCancel cancels a query that would run for ever: Next
// returns at once, and no connection is left behind.
func TestReadPostgresCancel(t *testing.T) {
	dsn, conn, _ := pgItems(t)
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	st, err := frame.ReadPostgres(dsn, "SELECT generate_series(1, 1000000000000) AS g").
		Stream(ctx, frame.WithAllocator(mem), frame.WithBatchSize(1000))
	if err != nil {
		t.Fatal(err)
	}
	rec, err := st.Next(ctx)
	if err != nil {
		t.Fatal(err)
	}
	rec.Release()
	cancel()
	start := time.Now()
	for {
		rec, err := st.Next(ctx)
		if err != nil {
			break
		}
		rec.Release()
		if time.Since(start) > 10*time.Second {
			t.Fatal("the stream kept going after its context was cancelled")
		}
	}
	st.Close()
	var n int
	for range 50 {
		if err := conn.QueryRow(context.Background(), `SELECT count(*) FROM pg_stat_activity WHERE application_name = 'lakeframe'`).Scan(&n); err != nil {
			t.Fatal(err)
		}
		if n == 0 {
			return
		}
		time.Sleep(100 * time.Millisecond)
	}
	t.Errorf("%d lakeframe connections still open after the cancel", n)
}

// TestReadPostgresCancelWhileWaiting cancels while the server has not
// sent a row yet: the statement is cancelled on the server.
func TestReadPostgresCancelWhileWaiting(t *testing.T) {
	dsn, _, _ := pgItems(t)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	timer := time.AfterFunc(300*time.Millisecond, cancel)
	defer timer.Stop()
	start := time.Now()
	_, err := frame.ReadPostgres(dsn, "SELECT pg_sleep(60) AS slept").Collect(ctx)
	if err == nil {
		t.Fatal("a cancelled query returned no error")
	}
	if d := time.Since(start); d > 10*time.Second {
		t.Errorf("the cancelled query returned after %v", d)
	}
}
