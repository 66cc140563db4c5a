//go:build cgo

// SQL: PostgreSQL-dialect SQL over Parquet files and in-memory tables,
// composed with the DataFrame API.
//
//	go run ./examples/sql
package main

import (
	"context"
	"fmt"
	"log"
	"os"
	"path/filepath"

	"lakeframe/expr"
	"lakeframe/frame"
	"lakeframe/sql"
)

func main() {
	ctx := context.Background()
	dir, err := os.MkdirTemp("", "lakeframe-sql-")
	if err != nil {
		log.Fatal(err)
	}
	defer os.RemoveAll(dir)

	// 1. In-memory tables: CREATE TABLE and INSERT run in the session.
	sess := sql.NewSession()
	err = sess.Exec(ctx, `
		CREATE TABLE customers(id INTEGER, name TEXT, country TEXT);
		INSERT INTO customers VALUES
			(1, 'Ada', 'UK'), (2, 'Grace', 'US'), (3, 'Linus', 'FI'), (4, 'Barbara', 'US');
		CREATE TABLE orders(id INTEGER, customer INTEGER, amount INTEGER);
		INSERT INTO orders VALUES
			(10, 1, 250), (11, 2, 40), (12, 2, 75), (13, 4, 310), (14, 4, 5), (15, 9, 60);`)
	if err != nil {
		log.Fatal(err)
	}

	// 2. A query is a lazy frame: write the orders to Parquet with frame's
	// writer, then read them back as a table SQL can name.
	path := filepath.Join(dir, "orders.parquet")
	if err := sess.Query(ctx, `SELECT * FROM orders`).WriteParquet(ctx, path); err != nil {
		log.Fatal(err)
	}
	if err := sess.Register("orders_file", frame.ReadParquet(path)); err != nil {
		log.Fatal(err)
	}

	// 3. Joins, grouping and a correlated subquery (unnested into joins):
	// each customer's total and how many customers spent less.
	totals := sess.Query(ctx, `
		WITH spend AS (
			SELECT c.name, c.country, COALESCE(sum(o.amount), 0) AS total
			FROM customers c LEFT JOIN orders_file o ON o.customer = c.id
			GROUP BY c.name, c.country)
		SELECT name, country, total,
		       (SELECT count(*) FROM spend s2 WHERE s2.total < s.total) AS outspent
		FROM spend s
		ORDER BY total DESC`)
	fmt.Println("spend per customer:")
	if err := totals.Show(ctx, os.Stdout, 10); err != nil {
		log.Fatal(err)
	}

	// 4. Frames and SQL compose: refine the SQL result with frame methods.
	us := totals.Where(expr.Col("country").Eq("US")).Select("name", "total")
	fmt.Println("US customers:")
	if err := us.Show(ctx, os.Stdout, 10); err != nil {
		log.Fatal(err)
	}

	// 5. Mistakes carry PostgreSQL's SQLSTATE and position.
	err = sess.Query(ctx, `SELECT nme FROM customers`).Err()
	fmt.Println("error:", err)
}
