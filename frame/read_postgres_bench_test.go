package frame_test

import (
	"context"
	"fmt"
	"testing"

	"github.com/jackc/pgx/v5"

	"lakeframe/expr"
	"lakeframe/frame"
	"lakeframe/internal/pgtest"
)

// BenchmarkReadPostgresParallel reads a 10-million-row table (five
// columns, about 600 MB of pages) whole, with 1 and with 4 tasks, each
// task a ctid range on its own connection. The query sums every column
// so that all rows are decoded without being kept. Creating the table
// takes about a minute.
//
//	go test -run '^$' -bench BenchmarkReadPostgresParallel -benchtime 3x ./frame/
func BenchmarkReadPostgresParallel(b *testing.B) {
	const rows = 10_000_000
	ctx := context.Background()
	dsn := pgtest.NewDatabase(b, pgtest.Start(b))
	conn, err := pgx.Connect(ctx, dsn)
	if err != nil {
		b.Fatal(err)
	}
	defer conn.Close(ctx)
	for _, sql := range []string{
		`CREATE TABLE wide (id int8, qty int4, price float8, name text, day date)`,
		fmt.Sprintf(`INSERT INTO wide SELECT g, g %% 50, g / 7.0, 'customer#' || g, date '2020-01-01' + g %% 1500
			FROM generate_series(1, %d) g`, rows),
		`VACUUM ANALYZE wide`,
	} {
		if _, err := conn.Exec(ctx, sql); err != nil {
			b.Fatalf("%s: %v", sql, err)
		}
	}
	for _, tasks := range []int{1, 4} {
		b.Run(fmt.Sprintf("tasks=%d", tasks), func(b *testing.B) {
			df := frame.ReadPostgres(dsn, "wide", frame.PostgresParallelism(tasks)).
				Agg(expr.Col("id").Sum().Alias("ids"), expr.Col("qty").Sum().Alias("qty"),
					expr.Col("price").Sum().Alias("price"), expr.Col("name").Count().Alias("names"),
					expr.Col("day").Max().Alias("day"))
			for b.Loop() {
				tbl, err := df.Collect(ctx, frame.WithParallelism(tasks))
				if err != nil {
					b.Fatal(err)
				}
				if n := tbl.Column(3).Data().Chunk(0).ValueStr(0); n != fmt.Sprint(rows) {
					b.Fatalf("counted %s names, want %d", n, rows)
				}
				tbl.Release()
			}
			b.ReportMetric(float64(rows)*float64(b.N)/b.Elapsed().Seconds(), "rows/s")
		})
	}
}
