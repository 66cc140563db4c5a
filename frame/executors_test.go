package frame_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"
	"github.com/apache/arrow-go/v18/parquet"
	"github.com/apache/arrow-go/v18/parquet/pqarrow"

	pqsource "lakeframe/exec/source/parquet"

	"lakeframe/examples/tpch/queries"
	"lakeframe/exec/remote"
	"lakeframe/expr"
	"lakeframe/frame"
)

func TestMain(m *testing.M) {
	remote.ServeIfExecutor()
	code := m.Run()
	remote.Cleanup()
	os.Exit(code)
}

// writeGroupData writes files of (k string, g int64, v float64, n int64)
// with nulls in every column and several row groups per file.
func writeGroupData(t *testing.T, files, rows int) string {
	t.Helper()
	dir := t.TempDir()
	schema := arrow.NewSchema([]arrow.Field{
		{Name: "k", Type: arrow.BinaryTypes.String, Nullable: true},
		{Name: "g", Type: arrow.PrimitiveTypes.Int64, Nullable: true},
		{Name: "v", Type: arrow.PrimitiveTypes.Float64, Nullable: true},
		{Name: "n", Type: arrow.PrimitiveTypes.Int64, Nullable: true},
	}, nil)
	for f := range files {
		b := array.NewRecordBuilder(memory.DefaultAllocator, schema)
		for i := range rows {
			r := f*rows + i
			if r%17 == 0 {
				b.Field(0).AppendNull()
			} else {
				b.Field(0).(*array.StringBuilder).Append(fmt.Sprintf("key%02d", r%23))
			}
			if r%13 == 0 {
				b.Field(1).AppendNull()
			} else {
				b.Field(1).(*array.Int64Builder).Append(int64(r % 5))
			}
			if r%11 == 0 {
				b.Field(2).AppendNull()
			} else {
				b.Field(2).(*array.Float64Builder).Append(float64(r%1000) / 8)
			}
			b.Field(3).(*array.Int64Builder).Append(int64(r))
		}
		rec := b.NewRecordBatch()
		b.Release()
		tbl := array.NewTableFromRecords(schema, []arrow.RecordBatch{rec})
		out, err := os.Create(filepath.Join(dir, fmt.Sprintf("part-%d.parquet", f)))
		if err != nil {
			t.Fatal(err)
		}
		if err := pqarrow.WriteTable(tbl, out, int64(rows/4), parquet.NewWriterProperties(), pqarrow.DefaultWriterProps()); err != nil {
			t.Fatal(err)
		}
		out.Close()
		tbl.Release()
		rec.Release()
	}
	return dir
}

// rows renders a table as sorted lines, so results compare regardless of
// row order.
func rows(t *testing.T, tbl arrow.Table) []string {
	t.Helper()
	var out []string
	tr := array.NewTableReader(tbl, 1024)
	defer tr.Release()
	for tr.Next() {
		rec := tr.RecordBatch()
		for i := range int(rec.NumRows()) {
			var sb strings.Builder
			for c := range int(rec.NumCols()) {
				col := rec.Column(c)
				if col.IsNull(i) {
					sb.WriteString("NULL|")
					continue
				}
				if f, ok := col.(*array.Float64); ok {
					fmt.Fprintf(&sb, "%.6f|", f.Value(i))
					continue
				}
				sb.WriteString(col.ValueStr(i) + "|")
			}
			out = append(out, sb.String())
		}
	}
	sort.Strings(out)
	return out
}

func collectRows(t *testing.T, df *frame.DataFrame, opts ...frame.Option) []string {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	tbl, err := df.Collect(ctx, opts...)
	if err != nil {
		t.Fatal(err)
	}
	defer tbl.Release()
	return rows(t, tbl)
}

func sameRows(t *testing.T, got, want []string) {
	t.Helper()
	if len(got) != len(want) {
		t.Fatalf("got %d rows, want %d\ngot  %v\nwant %v", len(got), len(want), got, want)
	}
	for i := range got {
		if got[i] != want[i] {
			t.Fatalf("row %d: got %s, want %s", i, got[i], want[i])
		}
	}
}

func TestExecutorsMatchLocalPool(t *testing.T) {
	dir := writeGroupData(t, 4, 20000)
	cases := []struct {
		name string
		df   *frame.DataFrame
	}{
		{"group by string with nulls", readSmallTasks(dir).
			Where(expr.Col("n").Gt(100)).
			GroupBy(expr.Col("k")).
			Agg(expr.Col("v").Sum().Alias("s"), expr.Col("v").Count().Alias("c"), expr.Col("n").Min().Alias("lo"),
				expr.Col("v").Mean().Alias("m"))},
		{"group by two keys with projection", readSmallTasks(dir).
			WithColumn("w", expr.Col("v").Mul(2.5)).
			GroupBy(expr.Col("g"), expr.Col("k")).
			Agg(expr.Col("w").Sum().Alias("s"), expr.Col("n").Max().Alias("hi"))},
		{"global aggregate", readSmallTasks(dir).
			Where(expr.Col("g").IsIn(1, 3).And(expr.Col("v").IsNotNull())).
			Agg(expr.Col("v").Sum().Alias("s"), expr.Col("k").CountDistinct().Alias("d"))},
		{"plain filter", readSmallTasks(dir).
			Where(expr.Col("n").Between(5000, 5100)).
			Select(expr.Col("k"), expr.Col("n"))},
		{"sort and limit over aggregate", readSmallTasks(dir).
			GroupBy(expr.Col("k")).
			Agg(expr.Col("n").Sum().Alias("s")).
			Sort(expr.Col("s").Desc()).Limit(5)},
	}
	r := remote.NewRunner(remote.Options{Executors: 2})
	r.Logf = t.Logf
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			want := collectRows(t, tc.df, frame.WithParallelism(4))
			got := collectRows(t, tc.df, frame.WithParallelism(4), frame.WithRunner(r))
			sameRows(t, got, want)
		})
	}
	if r.Stats.Fragments() == 0 {
		t.Fatalf("no fragment ran on an executor")
	}
	t.Logf("fragments %d, local plans %d", r.Stats.Fragments(), r.Stats.LocalPlans())
}

func TestWithExecutors(t *testing.T) {
	dir := writeGroupData(t, 2, 5000)
	df := readSmallTasks(dir).GroupBy(expr.Col("g")).Agg(expr.Col("n").Sum().Alias("s"))
	sameRows(t, collectRows(t, df, frame.WithExecutors(2)), collectRows(t, df))
}

// readSmallTasks reads dir in tasks of about 64 KiB, so that small test
// files still make several partitions.
func readSmallTasks(dir string) *frame.DataFrame {
	return frame.ReadParquetWith(pqsource.Options{TaskBytes: 64 << 10}, dir)
}

func alive(pid int) bool {
	// A zombie has exited; /proc says so.
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return false
	}
	f := strings.Fields(string(b))
	return len(f) > 2 && f[2] != "Z"
}

func TestExecutorKilledMidQuery(t *testing.T) {
	dir := writeGroupData(t, 8, 30000)
	ctx := context.Background()
	pool, err := remote.NewPool(ctx, remote.Options{Executors: 2, PerExecutor: 1})
	if err != nil {
		t.Fatal(err)
	}
	pids := pool.Executors()
	df := readSmallTasks(dir).
		Where(expr.Col("n").Ge(0)).
		GroupBy(expr.Col("k"), expr.Col("g")).
		Agg(expr.Col("v").Sum().Alias("s"), expr.Col("n").Count().Alias("c"))
	want := collectRows(t, df, frame.WithParallelism(8))
	r := pool.Runner()
	done := make(chan struct{})
	go func() {
		defer close(done)
		time.Sleep(30 * time.Millisecond)
		syscall.Kill(pids[0], syscall.SIGKILL)
	}()
	got := collectRows(t, df, frame.WithParallelism(8), frame.WithRunner(r))
	<-done
	sameRows(t, got, want)
	if r.Stats.Retries() == 0 {
		t.Fatalf("no fragment ran again after the kill")
	}
	all := append(pids, pool.Executors()...)
	pool.Close()
	deadline := time.Now().Add(5 * time.Second)
	for _, pid := range all {
		for alive(pid) {
			if time.Now().After(deadline) {
				t.Fatalf("executor %d still running after Close", pid)
			}
			time.Sleep(20 * time.Millisecond)
		}
	}
}

func TestExecutorsTPCH(t *testing.T) {
	const dir = "/tmp/lakeframe-tpch-sf1"
	if _, err := os.Stat(dir); err != nil {
		t.Skipf("no TPC-H data at %s", dir)
	}
	pool, err := remote.NewPool(context.Background(), remote.Options{Executors: 2})
	if err != nil {
		t.Fatal(err)
	}
	defer pool.Close()
	r := pool.Runner()
	for name, df := range map[string]*frame.DataFrame{"q1": queries.Q1(dir), "q6": queries.Q6(dir)} {
		t.Run(name, func(t *testing.T) {
			start := time.Now()
			want := collectRows(t, df)
			local := time.Since(start)
			start = time.Now()
			got := collectRows(t, df, frame.WithRunner(r))
			t.Logf("local %v, 2 executors %v", local, time.Since(start))
			sameRows(t, got, want)
		})
	}
	if r.Stats.Fragments() == 0 {
		t.Fatal("no fragment ran on an executor")
	}
}
