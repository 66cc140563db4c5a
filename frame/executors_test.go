package frame_test

import (
	"context"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"slices"
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
	"lakeframe/internal/tpchgen"
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

// TestWithExecutors runs two queries with WithExecutors: the second finds
// the first's executors still up, and after remote.WarmIdle without a
// query they are gone.
func TestWithExecutors(t *testing.T) {
	defer func(idle time.Duration) { remote.WarmIdle = idle }(remote.WarmIdle)
	remote.WarmIdle = 300 * time.Millisecond
	dir := writeGroupData(t, 2, 5000)
	df := readSmallTasks(dir).GroupBy(expr.Col("g")).Agg(expr.Col("n").Sum().Alias("s"))
	want := collectRows(t, df)
	start := time.Now()
	sameRows(t, collectRows(t, df, frame.WithExecutors(2)), want)
	t.Logf("first query, executors started: %v", time.Since(start).Round(time.Millisecond))
	first := remote.WarmExecutors(2)
	if len(first) != 2 {
		t.Fatalf("after the first query the warm pool has executors %v", first)
	}
	start = time.Now()
	sameRows(t, collectRows(t, df, frame.WithExecutors(2)), want)
	t.Logf("second query, executors warm: %v", time.Since(start).Round(time.Millisecond))
	if second := remote.WarmExecutors(2); fmt.Sprint(second) != fmt.Sprint(first) {
		t.Fatalf("the second query ran on executors %v, the first on %v", second, first)
	}
	deadline := time.Now().Add(10 * time.Second)
	for _, pid := range first {
		for alive(pid) {
			if time.Now().After(deadline) {
				t.Fatalf("executor %d still running after the idle time", pid)
			}
			time.Sleep(20 * time.Millisecond)
		}
	}
	if left := remote.WarmExecutors(2); left != nil {
		t.Fatalf("the idle pool still lists executors %v", left)
	}
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

// TestExecutorsTPCH runs the 22 TPC-H queries at scale factor 1 on the
// local pool and on three executors sharing one pool, and compares the
// answers: exact for keys, strings, dates and counts, floats within 1e-9
// relative, in order on the ORDER BY columns. The executors run each query
// twice: with the runner's defaults, which ship scans with their filters,
// projections and partial aggregates (a plan without any must say why it
// stays local), and with every join, aggregation and sort shuffled across
// the executors (the same rule; only Q15, whose cached view the runner
// keeps local, then runs wholly on the coordinator). The data are
// generated once into the directory the TPC-H example tests share (about
// a minute); skipped with -short.
func TestExecutorsTPCH(t *testing.T) {
	if testing.Short() {
		t.Skip("skipped in short mode: generates TPC-H SF1 data (1 GiB) and runs 22 queries twice")
	}
	ctx := context.Background()
	dir := filepath.Join(os.TempDir(), "lakeframe-tpch-sf1")
	if err := tpchgen.Generate(ctx, dir, 1); err != nil {
		t.Fatalf("generate TPC-H SF1 data: %v", err)
	}
	pool, err := remote.NewPool(ctx, remote.Options{Executors: 3})
	if err != nil {
		t.Fatal(err)
	}
	defer pool.Close()
	r := pool.Runner()
	var why strings.Builder
	r.Logf = func(format string, args ...any) { fmt.Fprintf(&why, format+"\n", args...) }
	shuffled := pool.Runner()
	shuffled.Shuffle = remote.ShuffleOptions{JoinBytes: 1, AggBytes: 1, SortBytes: 1}
	var shuffleWhy strings.Builder
	shuffled.Logf = func(format string, args ...any) { fmt.Fprintf(&shuffleWhy, format+"\n", args...) }
	for _, q := range queries.All() {
		t.Run(q.Name, func(t *testing.T) {
			why.Reset()
			start := time.Now()
			want := collectAnswer(t, q.DataFrame(dir))
			local := time.Since(start)
			before := r.Stats.Fragments()
			start = time.Now()
			got := collectAnswer(t, q.DataFrame(dir), frame.WithRunner(r))
			t.Logf("%d rows; local %v, 3 executors %v (%d fragments)", len(want), local.Round(time.Millisecond),
				time.Since(start).Round(time.Millisecond), r.Stats.Fragments()-before)
			if d := diffAnswers(got, want, tpchOrderBy[q.Name]); d != "" {
				t.Errorf("answers differ: %s", d)
			}
			// A plan part the runner keeps local, it names with the reason.
			switch shipped := r.Stats.Fragments() > before; {
			case !shipped && (mustShip[q.Name] || !strings.Contains(why.String(), "local")):
				t.Errorf("no fragment ran on an executor:\n%s", why.String())
			case !shipped:
				t.Logf("ran locally:\n%s", why.String())
			}

			shuffleWhy.Reset()
			frags, maps := shuffled.Stats.Fragments(), shuffled.Stats.MapTasks()
			start = time.Now()
			got = collectAnswer(t, q.DataFrame(dir), frame.WithRunner(shuffled))
			t.Logf("shuffled: 3 executors %v (%d fragments, %d map tasks)", time.Since(start).Round(time.Millisecond),
				shuffled.Stats.Fragments()-frags, shuffled.Stats.MapTasks()-maps)
			if d := diffAnswers(got, want, tpchOrderBy[q.Name]); d != "" {
				t.Errorf("answers differ with shuffles: %s", d)
			}
			switch ran := shuffled.Stats.Fragments() > frags || shuffled.Stats.MapTasks() > maps; {
			case !ran && !strings.Contains(shuffleWhy.String(), "local"):
				t.Errorf("nothing ran on an executor with shuffles:\n%s", shuffleWhy.String())
			case !ran:
				t.Logf("ran locally with shuffles:\n%s", shuffleWhy.String())
			}
		})
	}
}

// mustShip are the queries whose plans are a scan, filter, projection
// and aggregation of one table: they run on the executors.
var mustShip = map[string]bool{"q1": true, "q6": true}

// tpchOrderBy lists, per query, the output columns of its ORDER BY (by
// position), as the TPC-H specification writes the queries.
var tpchOrderBy = map[string][]int{
	"q1": {0, 1}, "q2": {0, 2, 1, 3}, "q3": {1, 2}, "q4": {0}, "q5": {1},
	"q7": {0, 1, 2}, "q8": {0}, "q9": {0, 1}, "q10": {2}, "q11": {1},
	"q12": {0}, "q13": {1, 0}, "q15": {0}, "q16": {3, 0, 1, 2}, "q18": {4, 3},
	"q20": {0}, "q21": {1, 0}, "q22": {0},
}

// answer is a result as rows of cells: floats as float64, nulls as nil,
// everything else as its exact text.
type answer [][]any

func collectAnswer(t *testing.T, df *frame.DataFrame, opts ...frame.Option) answer {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	tbl, err := df.Collect(ctx, append(opts, frame.WithoutProgressDisplay())...)
	if err != nil {
		t.Fatal(err)
	}
	defer tbl.Release()
	out := make(answer, tbl.NumRows())
	for c := range int(tbl.NumCols()) {
		r := 0
		for _, chunk := range tbl.Column(c).Data().Chunks() {
			for i := range chunk.Len() {
				var v any
				switch x := chunk.(type) {
				case *array.Float64:
					v = x.Value(i)
				case *array.Float32:
					v = float64(x.Value(i))
				default:
					// A copy: string values point into the table's
					// buffers, which go back to the pool on Release.
					v = strings.Clone(chunk.ValueStr(i))
				}
				if chunk.IsNull(i) {
					v = nil
				}
				out[r] = append(out[r], v)
				r++
			}
		}
	}
	return out
}

// sameCell compares floats within 1e-9 relative, anything else exactly.
func sameCell(a, b any) bool {
	fa, okA := a.(float64)
	fb, okB := b.(float64)
	if okA && okB {
		if fa == fb || math.IsNaN(fa) && math.IsNaN(fb) {
			return true
		}
		return math.Abs(fa-fb) <= 1e-9*math.Max(math.Abs(fa), math.Abs(fb))
	}
	return a == b
}

// diffAnswers explains how got differs from want, or returns "". The
// ORDER BY columns must match row by row; the rows as a whole are then
// compared in a canonical order, so that ties may come in any order.
func diffAnswers(got, want answer, orderBy []int) string {
	if len(got) != len(want) {
		return fmt.Sprintf("%d rows, want %d", len(got), len(want))
	}
	for i := range got {
		if len(got[i]) != len(want[i]) {
			return fmt.Sprintf("row %d has %d columns, want %d", i, len(got[i]), len(want[i]))
		}
		for _, c := range orderBy {
			if !sameCell(got[i][c], want[i][c]) {
				return fmt.Sprintf("row %d: order key column %d is %v, want %v", i, c, got[i][c], want[i][c])
			}
		}
	}
	got, want = sortedAnswer(got), sortedAnswer(want)
	for i := range got {
		for c := range got[i] {
			if !sameCell(got[i][c], want[i][c]) {
				return fmt.Sprintf("row %v: column %d is %v, want %v (row %v)", got[i], c, got[i][c], want[i][c], want[i])
			}
		}
	}
	return ""
}

// sortedAnswer sorts a copy of rows by their text, floats rounded to 9
// digits so that values within the tolerance sort alike.
func sortedAnswer(rows answer) answer {
	key := func(row []any) string {
		var sb strings.Builder
		for _, v := range row {
			if f, ok := v.(float64); ok {
				fmt.Fprintf(&sb, "%.9g|", f)
			} else {
				fmt.Fprintf(&sb, "%v|", v)
			}
		}
		return sb.String()
	}
	out := slices.Clone(rows)
	slices.SortStableFunc(out, func(a, b []any) int { return strings.Compare(key(a), key(b)) })
	return out
}

// TestUnionWithExecutors runs an aggregate over a union of two file sets
// with executors and locally: the union's inputs may be shipped or stay
// local, but the answer is the same.
func TestUnionWithExecutors(t *testing.T) {
	a, b := writeGroupData(t, 2, 3000), writeGroupData(t, 1, 2000)
	df := readSmallTasks(a).Select("g", "n").UnionAll(readSmallTasks(b).Select("g", "n")).
		Where(expr.Col("n").IsNotNull()).
		GroupBy(expr.Col("g")).Agg(expr.Col("n").Sum().Alias("s"), expr.CountAll().Alias("c"))
	sameRows(t, collectRows(t, df, frame.WithExecutors(2)), collectRows(t, df))
}
