//go:build cgo

package sql

import (
	"context"
	"fmt"
	"strings"
	"testing"
)

// BenchmarkBind measures parsing and binding alone: what SQL adds to a
// query before anything runs.
func BenchmarkBind(b *testing.B) {
	ctx := context.Background()
	sess := NewSession()
	if err := sess.Exec(ctx, `CREATE TABLE t1(a INTEGER, b INTEGER, c INTEGER, d INTEGER, e INTEGER)`); err != nil {
		b.Fatal(err)
	}
	q := `SELECT a, count(*), sum(b) / count(*) AS m FROM t1 AS x
		WHERE c BETWEEN 1 AND 100 AND (d IN (1, 2, 3) OR e IS NULL)
		GROUP BY a HAVING count(*) > 1 ORDER BY m DESC NULLS LAST, 1 LIMIT 10`
	b.ReportAllocs()
	for b.Loop() {
		if err := sess.Query(ctx, q).Err(); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkCorrelatedCount runs the corpus's commonest correlated
// subquery over a table of n rows, end to end.
func BenchmarkCorrelatedCount(b *testing.B) {
	for _, n := range []int{1000, 10000} {
		b.Run(fmt.Sprint(n), func(b *testing.B) {
			ctx := context.Background()
			sess := NewSession()
			var sb strings.Builder
			sb.WriteString("CREATE TABLE t1(a INTEGER, b INTEGER); INSERT INTO t1 VALUES ")
			for i := range n {
				if i > 0 {
					sb.WriteString(",")
				}
				fmt.Fprintf(&sb, "(%d, %d)", i%97, (i*7919)%n)
			}
			if err := sess.Exec(ctx, sb.String()); err != nil {
				b.Fatal(err)
			}
			q := `SELECT a, (SELECT count(*) FROM t1 AS x WHERE x.a = t1.a AND x.b < t1.b) FROM t1`
			b.ResetTimer()
			for b.Loop() {
				tbl, err := sess.Query(ctx, q).Collect(ctx)
				if err != nil {
					b.Fatal(err)
				}
				if tbl.NumRows() != int64(n) {
					b.Fatalf("got %d rows, want %d", tbl.NumRows(), n)
				}
				tbl.Release()
			}
		})
	}
}
