//go:build cgo

package sql_test

import (
	"context"
	"fmt"
	"os"

	"lakeframe/expr"
	"lakeframe/sql"
)

// A session's in-memory tables are made and filled with SQL; a query is a
// lazy frame, so frame methods can refine it before it runs.
func ExampleSession_Query() {
	ctx := context.Background()
	sess := sql.NewSession()
	err := sess.Exec(ctx, `
		CREATE TABLE orders(id INTEGER, region TEXT, amount INTEGER);
		INSERT INTO orders VALUES (1, 'north', 30), (2, 'south', 12), (3, 'north', 5), (4, NULL, 7);`)
	if err != nil {
		fmt.Println(err)
		return
	}
	df := sess.Query(ctx, `
		SELECT region, sum(amount) AS total, count(*) AS n, sum(amount) / count(*) AS mean
		FROM orders
		GROUP BY region
		ORDER BY total DESC`).
		Where(expr.Col("n").Gt(0))
	if err := df.Show(ctx, os.Stdout, 10); err != nil {
		fmt.Println(err)
	}
	// Output:
	// ╭────────┬───────┬───────┬───────╮
	// │ region │ total │     n │  mean │
	// │ string │ int64 │ int64 │ int64 │
	// ├────────┼───────┼───────┼───────┤
	// │ north  │    35 │     2 │    17 │
	// │ south  │    12 │     1 │    12 │
	// │ null   │     7 │     1 │     7 │
	// ╰────────┴───────┴───────┴───────╯
	// (3 rows)
}

// Errors carry PostgreSQL's SQLSTATE and the position they point at.
func ExampleError() {
	sess := sql.NewSession()
	_ = sess.Exec(context.Background(), `CREATE TABLE t(a INTEGER)`)
	err := sess.Query(context.Background(), `SELECT b FROM t`).Err()
	fmt.Println(err)
	// Output:
	// sql 42703: column "b" does not exist (columns: t.a) (at character 8)
}
