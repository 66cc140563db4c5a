//go:build cgo

package main

import (
	"context"
	"fmt"
	"net"
	"strings"
	"testing"

	"github.com/jackc/pgx/v5"

	"lakeframe/internal/pgtest"
)

// TestServeThroughPostgresFDW reads a lakeframe table from a real
// PostgreSQL 15 through postgres_fdw: the foreign server is lakeframe
// serve, which answers postgres_fdw's session settings, its transaction,
// and the DECLARE/FETCH/CLOSE cursor it reads rows with. PostgreSQL's
// answers must equal lakeframe's own on the same table, and the WHERE
// clause and aggregates must run on the lakeframe side (EXPLAIN VERBOSE's
// Remote SQL).
func TestServeThroughPostgresFDW(t *testing.T) {
	pgDSN := pgtest.Start(t)
	t.Setenv(PasswordEnv, "pw-for-fdw")
	addr := startServe(t)
	host, port, _ := net.SplitHostPort(addr)
	ctx := context.Background()

	lake, err := pgx.Connect(ctx, fmt.Sprintf("postgres://lakeframe:pw-for-fdw@%s:%s/lake?sslmode=disable", host, port))
	if err != nil {
		t.Fatal(err)
	}
	defer lake.Close(ctx)
	if _, err := lake.Exec(ctx, "CREATE TABLE t1(a INTEGER, b TEXT, c DOUBLE PRECISION)"); err != nil {
		t.Fatal(err)
	}
	var values []string
	for i := range 1000 {
		b := fmt.Sprintf("'r%d'", i%7)
		if i%11 == 0 {
			b = "NULL"
		}
		values = append(values, fmt.Sprintf("(%d, %s, %d.5)", i, b, i%13))
	}
	if _, err := lake.Exec(ctx, "INSERT INTO t1 VALUES "+strings.Join(values, ", ")); err != nil {
		t.Fatal(err)
	}

	pg, err := pgx.Connect(ctx, pgDSN)
	if err != nil {
		t.Fatal(err)
	}
	defer pg.Close(ctx)
	for _, stmt := range []string{
		"CREATE EXTENSION postgres_fdw",
		fmt.Sprintf("CREATE SERVER lake FOREIGN DATA WRAPPER postgres_fdw OPTIONS (host '%s', port '%s', dbname 'lake')", host, port),
		"CREATE USER MAPPING FOR CURRENT_USER SERVER lake OPTIONS (user 'lakeframe', password 'pw-for-fdw')",
		"CREATE FOREIGN TABLE ft1 (a integer, b text, c double precision) SERVER lake OPTIONS (schema_name 'public', table_name 't1')",
	} {
		if _, err := pg.Exec(ctx, stmt); err != nil {
			t.Fatalf("%s: %v", stmt, err)
		}
	}
	queries := []string{
		"SELECT a, b, c FROM %s WHERE a < 30 AND b IS NOT NULL ORDER BY a",
		"SELECT count(*), sum(a), min(c), max(b) FROM %s WHERE a >= 100",
		"SELECT b, count(*), sum(c) FROM %s GROUP BY b ORDER BY b NULLS FIRST",
		"SELECT a FROM %s ORDER BY a DESC LIMIT 3",
	}
	for _, q := range queries {
		got := rowsText(t, pg, fmt.Sprintf(q, "ft1"))
		want := rowsText(t, lake, fmt.Sprintf(q, "t1"))
		if got != want {
			t.Fatalf("%s\nthrough postgres_fdw:\n%s\nlakeframe:\n%s", q, got, want)
		}
	}
	// An INSERT through the foreign table lands in lakeframe's table.
	if _, err := pg.Exec(ctx, "INSERT INTO ft1 VALUES (5000, 'from pg', -1.25), (5001, NULL, NULL)"); err != nil {
		t.Fatalf("insert through postgres_fdw: %v", err)
	}
	if got := rowsText(t, lake, "SELECT a, b, c FROM t1 WHERE a >= 5000 ORDER BY a"); got != "5000|from pg|-1.25\n5001|NULL|NULL" {
		t.Fatalf("lakeframe reads the inserted rows as:\n%s", got)
	}
	plan := rowsText(t, pg, "EXPLAIN (VERBOSE, COSTS OFF) SELECT b, count(*) FROM ft1 WHERE a >= 100 GROUP BY b")
	if !strings.Contains(plan, "Remote SQL: SELECT b, count(*) FROM public.t1 WHERE ((a >= 100)) GROUP BY 1") {
		t.Fatalf("the aggregate and filter were not sent to lakeframe:\n%s", plan)
	}
}

// rowsText runs a query and prints its rows, one per line.
func rowsText(t *testing.T, conn *pgx.Conn, q string) string {
	t.Helper()
	rows, err := conn.Query(context.Background(), q, pgx.QueryExecModeSimpleProtocol)
	if err != nil {
		t.Fatalf("%s: %v", q, err)
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		vals := rows.RawValues()
		cells := make([]string, len(vals))
		for i, v := range vals {
			if v == nil {
				cells[i] = "NULL"
			} else {
				cells[i] = string(v)
			}
		}
		out = append(out, strings.Join(cells, "|"))
	}
	if err := rows.Err(); err != nil {
		t.Fatalf("%s: %v", q, err)
	}
	return strings.Join(out, "\n")
}
