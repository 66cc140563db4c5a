//go:build cgo

package parquet

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/memory"

	"lakeframe/exec"
	st "lakeframe/exec/source/sourcetest"
	"lakeframe/plan"
)

// lineitemGlob returns TPC-H SF1 lineitem files: the shared ones when they
// exist, else a synthetic table with lineitem's column types, row count,
// row-group size and codec, generated once by DuckDB.
func lineitemGlob(b *testing.B) string {
	const shared = "/tmp/tpch-sf1/lineitem/*.parquet"
	if m, _ := filepath.Glob(shared); len(m) > 0 {
		return shared
	}
	dir := filepath.Join(os.TempDir(), "lakeframe-bench-lineitem")
	glob := filepath.Join(dir, "*.parquet")
	if m, _ := filepath.Glob(glob); len(m) == 4 {
		return glob
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		b.Fatal(err)
	}
	db := st.OpenDB(b)
	st.Exec(b, db, "CREATE MACRO h(i, k, m) AS (hash(i, k) % m)::BIGINT")
	for part := range 4 {
		st.Exec(b, db, fmt.Sprintf(`COPY (SELECT
			(i // 4)::BIGINT AS l_orderkey, h(i, 1, 200000) AS l_partkey, h(i, 2, 10000) AS l_suppkey,
			(i %% 7 + 1)::BIGINT AS l_linenumber, (h(i, 3, 50) + 1)::DOUBLE AS l_quantity,
			round((h(i, 4, 10000000)) / 100.0, 2)::DOUBLE AS l_extendedprice,
			((h(i, 5, 11)) / 100.0)::DOUBLE AS l_discount, ((h(i, 6, 9)) / 100.0)::DOUBLE AS l_tax,
			['A', 'N', 'R'][h(i, 7, 3) + 1] AS l_returnflag, ['F', 'O'][h(i, 8, 2) + 1] AS l_linestatus,
			DATE '1992-01-02' + (h(i, 9, 2526))::INTEGER AS l_shipdate,
			DATE '1992-01-31' + (h(i, 10, 2466))::INTEGER AS l_commitdate,
			DATE '1992-01-03' + (h(i, 11, 2556))::INTEGER AS l_receiptdate,
			['DELIVER IN PERSON', 'COLLECT COD', 'NONE', 'TAKE BACK RETURN'][h(i, 12, 4) + 1] AS l_shipinstruct,
			['REG AIR', 'AIR', 'RAIL', 'SHIP', 'TRUCK', 'MAIL', 'FOB'][h(i, 13, 7) + 1] AS l_shipmode,
			substr(md5(i::VARCHAR) || md5((i + 1)::VARCHAR), 1 + (h(i, 14, 10))::INTEGER, 10 + (h(i, 15, 33))::INTEGER) AS l_comment
			FROM range(%d, %d) t(i)) TO '%s' (FORMAT parquet, COMPRESSION snappy, ROW_GROUP_SIZE 122880)`,
			part*1500304, min((part+1)*1500304, 6001215), filepath.Join(dir, fmt.Sprintf("part-%d.parquet", part))))
	}
	return glob
}

// BenchmarkReadLineitem reads TPC-H lineitem with 1 and 2 concurrent
// readers, for Q1's columns and for all columns. MB/s counts the
// compressed Parquet bytes read; arrowMB/s the Arrow bytes produced.
func BenchmarkReadLineitem(b *testing.B) {
	glob := lineitemGlob(b)
	q1 := []string{"l_returnflag", "l_linestatus", "l_quantity", "l_extendedprice", "l_discount", "l_tax", "l_shipdate"}
	for _, cols := range []struct {
		name string
		cols []string
	}{{"q1cols", q1}, {"allcols", nil}} {
		for _, readers := range []int{1, 2} {
			b.Run(fmt.Sprintf("%s/readers=%d", cols.name, readers), func(b *testing.B) {
				ctx := context.Background()
				src, err := NewSource(ctx, []string{glob}, Options{})
				if err != nil {
					b.Fatal(err)
				}
				sp, err := src.Plan(ctx, plan.Pushdown{Columns: cols.cols, Limit: -1})
				if err != nil {
					b.Fatal(err)
				}
				b.SetBytes(sp.Stats.BytesToRead)
				var rows, arrowBytes atomic.Int64
				cpu0 := cpuTime()
				start := time.Now()
				for b.Loop() {
					if err := readAll(ctx, src, sp.Tasks, readers, &rows, &arrowBytes); err != nil {
						b.Fatal(err)
					}
				}
				secs := time.Since(start).Seconds()
				b.ReportMetric(float64(rows.Load())/secs, "rows/s")
				b.ReportMetric(float64(arrowBytes.Load())/secs/1e6, "arrowMB/s")
				// CPU time is steadier than wall time on a busy machine.
				b.ReportMetric(float64(rows.Load())/(cpuTime()-cpu0).Seconds(), "rows/cpu-s")
			})
		}
	}
}

func readAll(ctx context.Context, src *Source, tasks []plan.Task, readers int, rows, bytes *atomic.Int64) error {
	var next atomic.Int64
	var wg sync.WaitGroup
	errs := make([]error, readers)
	for r := range readers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			tc := &exec.TaskContext{Mem: memory.DefaultAllocator, BatchSize: exec.DefaultBatchSize}
			for {
				i := int(next.Add(1)) - 1
				if i >= len(tasks) {
					return
				}
				s, err := src.Open(ctx, tc, tasks[i])
				if err != nil {
					errs[r] = err
					return
				}
				for {
					rec, err := s.Next(ctx)
					if errors.Is(err, io.EOF) {
						break
					}
					if err != nil {
						errs[r] = err
						s.Close()
						return
					}
					rows.Add(rec.NumRows())
					bytes.Add(recordBytes(rec))
					rec.Release()
				}
				s.Close()
			}
		}()
	}
	wg.Wait()
	return errors.Join(errs...)
}

// recordBytes sums the sizes of a batch's buffers.
func recordBytes(rec arrow.RecordBatch) int64 {
	var n int64
	var add func(d arrow.ArrayData)
	add = func(d arrow.ArrayData) {
		for _, b := range d.Buffers() {
			if b != nil {
				n += int64(b.Len())
			}
		}
		for _, c := range d.Children() {
			add(c)
		}
	}
	for _, c := range rec.Columns() {
		add(c.Data())
	}
	return n
}

// cpuTime is the CPU time the process has used.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
