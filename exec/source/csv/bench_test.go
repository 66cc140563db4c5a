//go:build cgo

package csv

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"testing"

	"github.com/apache/arrow-go/v18/arrow/memory"

	"lakeframe/exec"
	st "lakeframe/exec/source/sourcetest"
	"lakeframe/plan"
)

// lineitemCSV writes 1.5M rows with TPC-H lineitem's columns to a CSV
// file once, from the shared SF1 Parquet files when they exist, else from
// DuckDB-generated values.
func lineitemCSV(b *testing.B) string {
	path := filepath.Join(os.TempDir(), "lakeframe-bench-lineitem.csv")
	if _, err := os.Stat(path); err == nil {
		return path
	}
	db := st.OpenDB(b)
	src := "(SELECT * FROM read_parquet('/tmp/tpch-sf1/lineitem/*.parquet') LIMIT 1500000)"
	if m, _ := filepath.Glob("/tmp/tpch-sf1/lineitem/*.parquet"); len(m) == 0 {
		src = `(SELECT i // 4 AS l_orderkey, i % 200000 AS l_partkey, i % 10000 AS l_suppkey, i % 7 + 1 AS l_linenumber,
			(i % 50 + 1)::DOUBLE AS l_quantity, (i % 100000) / 100.0 AS l_extendedprice, (i % 11) / 100.0 AS l_discount,
			(i % 9) / 100.0 AS l_tax, 'N' AS l_returnflag, 'O' AS l_linestatus, DATE '1995-01-01' + (i % 2000)::INTEGER AS l_shipdate,
			DATE '1995-01-01' + (i % 2000)::INTEGER AS l_commitdate, DATE '1995-01-01' + (i % 2000)::INTEGER AS l_receiptdate,
			'DELIVER IN PERSON' AS l_shipinstruct, 'TRUCK' AS l_shipmode, md5(i::VARCHAR) AS l_comment FROM range(1500000) t(i))`
	}
	st.Exec(b, db, fmt.Sprintf("COPY %s TO '%s' (HEADER)", src, path))
	return path
}

// BenchmarkReadLineitemCSV reads all columns and a projection of four.
func BenchmarkReadLineitemCSV(b *testing.B) {
	path := lineitemCSV(b)
	info, err := os.Stat(path)
	if err != nil {
		b.Fatal(err)
	}
	for _, c := range []struct {
		name string
		cols []string
	}{{"allcols", nil}, {"4cols", []string{"l_quantity", "l_extendedprice", "l_shipdate", "l_returnflag"}}} {
		b.Run(c.name, func(b *testing.B) {
			ctx := context.Background()
			src, err := NewSource(ctx, []string{path}, Options{})
			if err != nil {
				b.Fatal(err)
			}
			b.SetBytes(info.Size())
			var rows int64
			for b.Loop() {
				sp, err := src.Plan(ctx, plan.Pushdown{Columns: c.cols, Limit: -1})
				if err != nil {
					b.Fatal(err)
				}
				s, err := src.Open(ctx, &exec.TaskContext{Mem: memory.DefaultAllocator}, sp.Tasks[0])
				if err != nil {
					b.Fatal(err)
				}
				for {
					rec, err := s.Next(ctx)
					if errors.Is(err, io.EOF) {
						break
					}
					if err != nil {
						b.Fatal(err)
					}
					rows += rec.NumRows()
					rec.Release()
				}
				s.Close()
			}
			b.ReportMetric(float64(rows)/b.Elapsed().Seconds(), "rows/s")
		})
	}
}
