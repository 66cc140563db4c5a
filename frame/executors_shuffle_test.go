package frame_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"
	"github.com/apache/arrow-go/v18/parquet"
	"github.com/apache/arrow-go/v18/parquet/pqarrow"

	"lakeframe/examples/tpch/queries"
	"lakeframe/exec/remote"
	"lakeframe/expr"
	"lakeframe/frame"
)

// writeJoinSide writes files of (id int64, s string, <val> int64) where id
// and s repeat (duplicate keys) and are NULL every nullEvery rows.
func writeJoinSide(t *testing.T, files, rows, idMod, nullEvery int, val string) string {
	t.Helper()
	dir := t.TempDir()
	schema := arrow.NewSchema([]arrow.Field{
		{Name: "id", Type: arrow.PrimitiveTypes.Int64, Nullable: true},
		{Name: "s", Type: arrow.BinaryTypes.String, Nullable: true},
		{Name: val, Type: arrow.PrimitiveTypes.Int64, Nullable: true},
	}, nil)
	for f := range files {
		b := array.NewRecordBuilder(memory.DefaultAllocator, schema)
		for i := range rows {
			r := f*rows + i
			if r%nullEvery == 0 {
				b.Field(0).AppendNull()
				b.Field(1).AppendNull()
			} else {
				b.Field(0).(*array.Int64Builder).Append(int64(r*7919) % int64(idMod))
				b.Field(1).(*array.StringBuilder).Append(fmt.Sprintf("s%03d", r%(idMod/3)))
			}
			b.Field(2).(*array.Int64Builder).Append(int64(r))
		}
		rec := b.NewRecordBatch()
		b.Release()
		writeParquet(t, filepath.Join(dir, fmt.Sprintf("part-%d.parquet", f)), rec, int64(rows/3))
		rec.Release()
	}
	return dir
}

func writeParquet(t *testing.T, path string, rec arrow.RecordBatch, rowGroup int64) {
	t.Helper()
	tbl := array.NewTableFromRecords(rec.Schema(), []arrow.RecordBatch{rec})
	defer tbl.Release()
	out, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	defer out.Close()
	if err := pqarrow.WriteTable(tbl, out, rowGroup, parquet.NewWriterProperties(), pqarrow.DefaultWriterProps()); err != nil {
		t.Fatal(err)
	}
}

// shuffleRunner repartitions every join, grouped aggregation and sort.
func shuffleRunner(t *testing.T, executors int) *remote.Runner {
	r := remote.NewRunner(remote.Options{Executors: executors})
	r.Shuffle = remote.ShuffleOptions{JoinBytes: 1, AggBytes: 1, SortBytes: 1}
	r.Logf = t.Logf
	return r
}

// checkedCollect collects with a checked allocator on the coordinator
// and fails if any buffer is left once the table is released.
func checkedCollect(t *testing.T, df *frame.DataFrame, opts ...frame.Option) []string {
	t.Helper()
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)
	return collectRows(t, df, append(opts, frame.WithAllocator(mem))...)
}

func TestShuffleJoinsMatchLocalPool(t *testing.T) {
	left := writeJoinSide(t, 3, 3000, 700, 31, "lv")
	right := writeJoinSide(t, 2, 2500, 900, 37, "rv")
	l, r := readSmallTasks(left), readSmallTasks(right)
	cases := []struct {
		name string
		df   *frame.DataFrame
	}{
		{"inner", l.Join(r, frame.Inner, frame.LeftOn("id"), frame.RightOn("id"))},
		{"left", l.Join(r, frame.Left, frame.LeftOn("id"), frame.RightOn("id"))},
		{"semi", l.Join(r, frame.Semi, frame.LeftOn("id"), frame.RightOn("id"))},
		{"anti", l.Join(r, frame.Anti, frame.LeftOn("id"), frame.RightOn("id"))},
		{"full", l.Join(r, frame.Full, frame.LeftOn("id"), frame.RightOn("id"))},
		{"inner on two keys", l.Join(r, frame.Inner, frame.On("id", "s"))},
		{"full on a string key with condition", l.Join(r, frame.Full, frame.LeftOn("s"), frame.RightOn("s"),
			frame.JoinWhere(expr.Col("lv").Lt(expr.Col("rv"))))},
	}
	run := shuffleRunner(t, 3)
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			before := run.Stats.Exchanges()
			want := collectRows(t, tc.df, frame.WithParallelism(4))
			got := checkedCollect(t, tc.df, frame.WithParallelism(4), frame.WithRunner(run))
			sameRows(t, got, want)
			if n := run.Stats.Exchanges() - before; n != 2 {
				t.Fatalf("%d exchanges ran, want 2 (both sides of the join)", n)
			}
		})
	}
	if run.Stats.ShuffledPartitions() == 0 || run.Stats.ShuffledBytes() == 0 {
		t.Fatalf("no shuffled partition: %d partitions, %d bytes", run.Stats.ShuffledPartitions(), run.Stats.ShuffledBytes())
	}
	t.Logf("map tasks %d, reduce tasks %d, bytes %d", run.Stats.MapTasks(), run.Stats.ShuffledPartitions(), run.Stats.ShuffledBytes())
}

func TestShuffleGroupByMatchesLocalPool(t *testing.T) {
	dir := writeGroupData(t, 4, 20000)
	cases := []struct {
		name string
		df   *frame.DataFrame
	}{
		{"one group per row", readSmallTasks(dir).
			GroupBy(expr.Col("n")).
			Agg(expr.Col("v").Sum().Alias("s"), expr.Col("v").Count().Alias("c"))},
		{"string and int keys with nulls", readSmallTasks(dir).
			WithColumn("h", expr.Col("n").Div(7)).
			GroupBy(expr.Col("k"), expr.Col("h")).
			Agg(expr.Col("v").Mean().Alias("m"), expr.Col("n").Min().Alias("lo"), expr.Col("g").CountDistinct().Alias("d"))},
		{"distinct", readSmallTasks(dir).Select(expr.Col("k"), expr.Col("g")).Distinct()},
	}
	run := shuffleRunner(t, 2)
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			before := run.Stats.Exchanges()
			want := collectRows(t, tc.df, frame.WithParallelism(4))
			got := checkedCollect(t, tc.df, frame.WithParallelism(4), frame.WithRunner(run))
			sameRows(t, got, want)
			if run.Stats.Exchanges() == before {
				t.Fatalf("the aggregation was not shuffled")
			}
		})
	}
}

// keyOrder renders the named columns of each row in order.
func keyOrder(t *testing.T, tbl arrow.Table, cols ...string) []string {
	t.Helper()
	var out []string
	tr := array.NewTableReader(tbl, 1024)
	defer tr.Release()
	for tr.Next() {
		rec := tr.RecordBatch()
		for i := range int(rec.NumRows()) {
			var sb strings.Builder
			for _, c := range cols {
				col := rec.Column(rec.Schema().FieldIndices(c)[0])
				if col.IsNull(i) {
					sb.WriteString("NULL|")
				} else {
					sb.WriteString(col.ValueStr(i) + "|")
				}
			}
			out = append(out, sb.String())
		}
	}
	return out
}

func TestShuffleSortMatchesLocalOrder(t *testing.T) {
	dir := writeGroupData(t, 4, 20000)
	cases := []struct {
		name string
		df   *frame.DataFrame
		keys []string
	}{
		{"ties and nulls", readSmallTasks(dir).Sort(expr.Col("g"), expr.Col("k").Desc()), []string{"g", "k"}},
		{"desc with nulls", readSmallTasks(dir).Where(expr.Col("n").Lt(50000)).Sort(expr.Col("v").Desc()), []string{"v"}},
		{"unique key", readSmallTasks(dir).Sort(expr.Col("n").Desc()), []string{"n", "k", "g", "v"}},
	}
	run := shuffleRunner(t, 3)
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			before := run.Stats.Exchanges()
			ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
			defer cancel()
			want, err := tc.df.Collect(ctx, frame.WithParallelism(4))
			if err != nil {
				t.Fatal(err)
			}
			defer want.Release()
			mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
			defer mem.AssertSize(t, 0)
			got, err := tc.df.Collect(ctx, frame.WithParallelism(4), frame.WithRunner(run), frame.WithAllocator(mem))
			if err != nil {
				t.Fatal(err)
			}
			defer got.Release()
			sameRows(t, keyOrder(t, got, tc.keys...), keyOrder(t, want, tc.keys...))
			sameRows(t, rows(t, got), rows(t, want))
			if run.Stats.Exchanges() == before {
				t.Fatalf("the sort did not run on executors")
			}
		})
	}
}

func TestShuffleSpillsPastMemoryBudget(t *testing.T) {
	left := writeJoinSide(t, 3, 3000, 700, 31, "lv")
	right := writeJoinSide(t, 2, 2500, 900, 37, "rv")
	df := readSmallTasks(left).Join(readSmallTasks(right), frame.Full, frame.LeftOn("id"), frame.RightOn("id"))
	spill := t.TempDir()
	run := shuffleRunner(t, 2)
	want := collectRows(t, df, frame.WithParallelism(4))
	got := checkedCollect(t, df, frame.WithParallelism(4), frame.WithRunner(run),
		frame.WithMemoryBudget(4<<10), frame.WithSpillDir(spill))
	sameRows(t, got, want)
	if run.Stats.SpilledBytes() == 0 {
		t.Fatalf("nothing spilled with a 4 KiB budget (%d bytes shuffled)", run.Stats.ShuffledBytes())
	}
	left2, err := os.ReadDir(spill)
	if err != nil {
		t.Fatal(err)
	}
	if len(left2) != 0 {
		t.Fatalf("spill files left behind: %v", left2)
	}
	t.Logf("shuffled %d bytes, spilled %d", run.Stats.ShuffledBytes(), run.Stats.SpilledBytes())
}

// TestShuffleTPCHQ3 compares TPC-H Q3 on the local pool, on two executors
// with the default shuffle thresholds and on two executors shuffling
// every join and aggregation, and logs the times. It needs the SF1 data
// (go run ./cmd/tpchgen -sf 1) and LAKEFRAME_Q3=1 (LAKEFRAME_Q3=groupby
// runs a grouping of lineitem by order instead):
//
//	LAKEFRAME_Q3=1 go test ./frame -run TestShuffleTPCHQ3 -v
func TestShuffleTPCHQ3(t *testing.T) {
	const dir = "/tmp/lakeframe-tpch-sf1"
	if os.Getenv("LAKEFRAME_Q3") == "" {
		t.Skip("set LAKEFRAME_Q3=1 to run")
	}
	if _, err := os.Stat(dir); err != nil {
		t.Skipf("no TPC-H data at %s", dir)
	}
	df := queries.Q3(dir)
	if os.Getenv("LAKEFRAME_Q3") == "groupby" {
		// A grouping with one group per order (1.5M groups at SF1).
		df = frame.ReadParquet(dir+"/lineitem/*.parquet").GroupBy(expr.Col("l_orderkey")).
			Agg(expr.Col("l_quantity").Sum().Alias("q"), expr.Col("l_extendedprice").Max().Alias("p"))
	}
	timed := func(name string, opts ...frame.Option) []string {
		start := time.Now()
		out := collectRows(t, df, opts...)
		t.Logf("%s: %v", name, time.Since(start))
		return out
	}
	want := timed("local pool")
	for _, forced := range []bool{false, true} {
		pool, err := remote.NewPool(context.Background(), remote.Options{Executors: 2})
		if err != nil {
			t.Fatal(err)
		}
		r := pool.Runner()
		r.Logf = t.Logf
		name := "2 executors, default thresholds"
		if forced {
			r.Shuffle = remote.ShuffleOptions{JoinBytes: 1, AggBytes: 1, SortBytes: 1}
			name = "2 executors, every join and aggregation shuffled"
		}
		timed(name+" (warm-up)", frame.WithRunner(r))
		got := timed(name, frame.WithRunner(r))
		pool.Close()
		sameRows(t, got, want)
		t.Logf("%s: exchanges %d, map tasks %d, reduce tasks %d, shuffled %d bytes, fragments %d",
			name, r.Stats.Exchanges(), r.Stats.MapTasks(), r.Stats.ShuffledPartitions(), r.Stats.ShuffledBytes(), r.Stats.Fragments())
	}
}

// TestShuffleExecutorKilledMidShuffle kills an executor once the first
// map task has finished: the tasks it was running run again elsewhere,
// from the map outputs the coordinator holds, and the answer is the same.
func TestShuffleExecutorKilledMidShuffle(t *testing.T) {
	left := writeJoinSide(t, 6, 6000, 5000, 31, "lv")
	right := writeJoinSide(t, 4, 6000, 7000, 37, "rv")
	df := readSmallTasks(left).Join(readSmallTasks(right), frame.Left, frame.LeftOn("id"), frame.RightOn("id")).
		GroupBy(expr.Col("s")).Agg(expr.Col("rv").Sum().Alias("t"), expr.Col("lv").Count().Alias("c"))
	want := collectRows(t, df, frame.WithParallelism(8))
	pool, err := remote.NewPool(context.Background(), remote.Options{Executors: 2, PerExecutor: 1})
	if err != nil {
		t.Fatal(err)
	}
	defer pool.Close()
	victim := pool.Executors()[0]
	r := pool.Runner()
	r.Shuffle = remote.ShuffleOptions{JoinBytes: 1, AggBytes: 1, SortBytes: 1}
	r.Logf = t.Logf
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	done := make(chan struct{})
	go func() {
		defer close(done)
		for r.Stats.MapTasks() == 0 {
			select {
			case <-ctx.Done():
				return
			case <-time.After(time.Millisecond):
			}
		}
		syscall.Kill(victim, syscall.SIGKILL)
	}()
	got := checkedCollect(t, df, frame.WithParallelism(8), frame.WithRunner(r))
	cancel()
	<-done
	sameRows(t, got, want)
	if r.Stats.Retries() == 0 {
		t.Fatalf("no task ran again after executor %d was killed", victim)
	}
	t.Logf("retries %d, map tasks %d, reduce tasks %d", r.Stats.Retries(), r.Stats.MapTasks(), r.Stats.ShuffledPartitions())
}

// TestShuffleStagesChain runs aggregations and sorts over the output of
// a partitioned join: the join's reduce tasks also run the next stage's
// map side, and the answers match the local pool.
func TestShuffleStagesChain(t *testing.T) {
	left := writeJoinSide(t, 3, 3000, 700, 31, "lv")
	right := writeJoinSide(t, 2, 2500, 900, 37, "rv")
	l, r := readSmallTasks(left), readSmallTasks(right)
	joined := l.Join(r, frame.Inner, frame.LeftOn("id"), frame.RightOn("id"))
	cases := []struct {
		name string
		df   *frame.DataFrame
		keys []string
	}{
		{"group by after join", joined.Where(expr.Col("rv").Gt(100)).
			GroupBy(expr.Col("s")).Agg(expr.Col("lv").Sum().Alias("t"), expr.Col("rv").Max().Alias("m")), nil},
		{"distinct after anti join", l.Join(r, frame.Anti, frame.LeftOn("id"), frame.RightOn("id")).
			Select(expr.Col("s")).Distinct(), nil},
		{"sort after join", joined.Sort(expr.Col("lv").Desc(), expr.Col("rv")), []string{"lv", "rv"}},
	}
	run := shuffleRunner(t, 2)
	var fused int
	run.Logf = func(format string, args ...any) {
		msg := fmt.Sprintf(format, args...)
		if strings.Contains(msg, "runs in the reduce tasks of") {
			fused++
		}
		t.Log(msg)
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			before := fused
			ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
			defer cancel()
			want, err := tc.df.Collect(ctx, frame.WithParallelism(4))
			if err != nil {
				t.Fatal(err)
			}
			defer want.Release()
			mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
			defer mem.AssertSize(t, 0)
			got, err := tc.df.Collect(ctx, frame.WithParallelism(4), frame.WithRunner(run), frame.WithAllocator(mem))
			if err != nil {
				t.Fatal(err)
			}
			defer got.Release()
			if tc.keys != nil {
				sameRows(t, keyOrder(t, got, tc.keys...), keyOrder(t, want, tc.keys...))
			}
			sameRows(t, rows(t, got), rows(t, want))
			if fused == before {
				t.Fatalf("no map side ran in the join's reduce tasks")
			}
		})
	}
}

// TestShuffleMapSideOnCoordinator joins an aggregate that is not itself
// shuffled: its map side gathers partitions, so it runs on the
// coordinator (its scans still as fragments on executors) and the
// coordinator partitions the rows itself.
func TestShuffleMapSideOnCoordinator(t *testing.T) {
	left := writeJoinSide(t, 3, 3000, 700, 31, "lv")
	right := writeJoinSide(t, 2, 2500, 900, 37, "rv")
	sums := readSmallTasks(left).GroupBy(expr.Col("id")).Agg(expr.Col("lv").Sum().Alias("t"))
	df := sums.Join(readSmallTasks(right), frame.Full, frame.LeftOn("id"), frame.RightOn("id"))
	run := remote.NewRunner(remote.Options{Executors: 2})
	run.Shuffle = remote.ShuffleOptions{JoinBytes: 1, AggBytes: -1, SortBytes: -1}
	var local int
	run.Logf = func(format string, args ...any) {
		msg := fmt.Sprintf(format, args...)
		if strings.Contains(msg, "runs on the coordinator") {
			local++
		}
		t.Log(msg)
	}
	want := collectRows(t, df, frame.WithParallelism(4))
	got := checkedCollect(t, df, frame.WithParallelism(4), frame.WithRunner(run))
	sameRows(t, got, want)
	if local == 0 || run.Stats.Exchanges() != 2 || run.Stats.Fragments() == 0 {
		t.Fatalf("want a join shuffled with one map side on the coordinator fed by fragments: %d local map sides, %d exchanges, %d fragments",
			local, run.Stats.Exchanges(), run.Stats.Fragments())
	}
}

// TestShuffleWithCachedInput: a cached frame used twice is computed once
// on the coordinator; the plan above it is not shuffled, and the answer
// is the local pool's.
func TestShuffleWithCachedInput(t *testing.T) {
	left := writeJoinSide(t, 3, 3000, 700, 31, "lv")
	cached := readSmallTasks(left).Where(expr.Col("lv").Gt(10)).Cache()
	df := cached.Join(cached.Select(expr.Col("id"), expr.Col("lv").Alias("lv2")), frame.Inner, frame.On("id")).
		GroupBy(expr.Col("s")).Agg(expr.Col("lv2").Sum().Alias("t"))
	run := shuffleRunner(t, 2)
	want := collectRows(t, df, frame.WithParallelism(4))
	got := checkedCollect(t, df, frame.WithParallelism(4), frame.WithRunner(run))
	sameRows(t, got, want)
}

// TestShuffleMapSideWithLeftBuiltSemiJoin: a semi or anti join that
// builds on its small left side decides its rows only once every probe
// partition is seen, so a map side holding one must not run a partition
// at a time on separate executors.
func TestShuffleMapSideWithLeftBuiltSemiJoin(t *testing.T) {
	small := writeJoinSide(t, 1, 400, 700, 31, "lv")
	big := writeJoinSide(t, 3, 3000, 900, 37, "rv")
	run := remote.NewRunner(remote.Options{Executors: 2})
	run.Shuffle = remote.ShuffleOptions{JoinBytes: -1, AggBytes: 1, SortBytes: -1, BroadcastBytes: -1}
	run.Logf = t.Logf
	for _, typ := range []frame.JoinType{frame.Semi, frame.Anti} {
		df := readSmallTasks(small).
			Join(readSmallTasks(big), typ, frame.LeftOn("id"), frame.RightOn("id")).
			GroupBy(expr.Col("s")).
			Agg(expr.Col("lv").Sum().Alias("t"), expr.CountAll().Alias("c"))
		want := collectRows(t, df, frame.WithParallelism(4))
		got := checkedCollect(t, df, frame.WithParallelism(4), frame.WithRunner(run))
		sameRows(t, got, want)
	}
	if run.Stats.Exchanges() == 0 {
		t.Fatal("the aggregation was not shuffled")
	}
}
