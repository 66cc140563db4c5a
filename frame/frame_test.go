package frame_test

import (
	"context"
	"errors"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/apache/arrow-go/v18/arrow/memory"

	"lakeframe/errs"
	"lakeframe/expr"
	"lakeframe/frame"
)

func TestUnknownColumnNamesStepAndColumns(t *testing.T) {
	dir := t.TempDir()
	writeDiffData(t, dir, 1, 100, 3)
	df := frame.ReadParquet(dir).
		Where(expr.Col("k").Gt(1)).
		Select("id", "amount").
		Sort("id")
	err := df.Err()
	if err == nil {
		t.Fatal("no error for an unknown column")
	}
	for _, want := range []string{"select", `unknown column "amount"`, "id, k, n, x, s, d, flag"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error %q does not mention %q", err, want)
		}
	}
	if !errors.Is(err, errs.ErrPlan) {
		t.Errorf("%v is not a plan error", err)
	}
	// The same error comes back from every later call.
	if _, err2 := df.Schema(); err2 != err {
		t.Errorf("Schema() = %v, want the frame's error", err2)
	}
	if _, err2 := df.Collect(context.Background()); err2 != err {
		t.Errorf("Collect() = %v, want the frame's error", err2)
	}
	if _, err2 := df.Explain(context.Background()); err2 != err {
		t.Errorf("Explain() = %v, want the frame's error", err2)
	}
}

func TestTypeErrorNamesExpression(t *testing.T) {
	dir := t.TempDir()
	writeDiffData(t, dir, 1, 10, 3)
	err := frame.ReadParquet(dir).Where(expr.Col("s").Add(1).Gt(2)).Err()
	if err == nil || !strings.Contains(err.Error(), "(s + 1)") || !strings.Contains(err.Error(), "where") {
		t.Fatalf("error %v does not name the step and the expression", err)
	}
}

func TestMissingAndCorruptFilesAreNamed(t *testing.T) {
	dir := t.TempDir()
	missing := filepath.Join(dir, "nope", "*.parquet")
	err := frame.ReadParquet(missing).Err()
	if err == nil || !strings.Contains(err.Error(), missing) {
		t.Errorf("missing path: error %v does not name %s", err, missing)
	}

	good := filepath.Join(dir, "good")
	if err := os.Mkdir(good, 0o755); err != nil {
		t.Fatal(err)
	}
	writeDiffData(t, good, 2, 50, 3)
	bad := filepath.Join(good, "part-1.parquet")
	if err := os.WriteFile(bad, []byte("PAR1 this is not parquet at all PAR1"), 0o644); err != nil {
		t.Fatal(err)
	}
	df := frame.ReadParquet(good)
	if err := df.Err(); err != nil {
		t.Fatalf("the first file is fine, so building works: %v", err)
	}
	_, err = df.Collect(context.Background())
	if err == nil || !strings.Contains(err.Error(), bad) {
		t.Errorf("corrupt file: error %v does not name %s", err, bad)
	}
}

func TestCancelStopsQueryAndReleasesEverything(t *testing.T) {
	dir := t.TempDir()
	writeDiffData(t, dir, 4, 20000, 5)
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	before := runtime.NumGoroutine()
	ctx, cancel := context.WithCancel(context.Background())
	df := frame.ReadParquet(dir).Where(expr.Col("x").Gt(-1e9))
	st, err := df.Stream(ctx, frame.WithAllocator(mem), frame.WithBatchSize(500), frame.WithParallelism(3))
	if err != nil {
		t.Fatal(err)
	}
	rec, err := st.Next(ctx)
	if err != nil {
		t.Fatal(err)
	}
	rec.Release()
	cancel()
	for {
		rec, err := st.Next(ctx)
		if err != nil {
			if !errors.Is(err, context.Canceled) {
				t.Errorf("after cancel: %v, want context.Canceled", err)
			}
			break
		}
		rec.Release() // batches already in flight may still arrive
	}
	if err := st.Close(); err != nil {
		t.Errorf("close: %v", err)
	}
	mem.AssertSize(t, 0)
	deadline := time.Now().Add(2 * time.Second)
	for runtime.NumGoroutine() > before && time.Now().Before(deadline) {
		time.Sleep(10 * time.Millisecond)
	}
	if n := runtime.NumGoroutine(); n > before {
		t.Errorf("%d goroutines left running (were %d)", n, before)
	}
}

func TestEarlyCloseOfStreamReleasesEverything(t *testing.T) {
	dir := t.TempDir()
	writeDiffData(t, dir, 3, 5000, 6)
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	ctx := context.Background()
	n := 0
	for rec, err := range frame.ReadParquet(dir).Iter(ctx, frame.WithAllocator(mem), frame.WithBatchSize(100)) {
		if err != nil {
			t.Fatal(err)
		}
		n += int(rec.NumRows())
		if n >= 300 {
			break
		}
	}
	mem.AssertSize(t, 0)
}

// peakAllocator tracks the most bytes outstanding at once.
type peakAllocator struct {
	memory.Allocator
	cur, peak atomic.Int64
}

func (p *peakAllocator) Allocate(n int) []byte {
	b := p.Allocator.Allocate(n)
	c := p.cur.Add(int64(len(b)))
	for {
		old := p.peak.Load()
		if c <= old || p.peak.CompareAndSwap(old, c) {
			break
		}
	}
	return b
}

func (p *peakAllocator) Reallocate(size int, b []byte) []byte {
	out := p.Allocator.Reallocate(size, b)
	p.cur.Add(int64(len(out) - len(b)))
	return out
}

func (p *peakAllocator) Free(b []byte) {
	p.cur.Add(-int64(len(b)))
	p.Allocator.Free(b)
}

// A scan-filter-aggregate streams: the Arrow memory held at once stays a
// small fraction of the data decoded.
func TestScanFilterAggregateStreams(t *testing.T) {
	dir := t.TempDir()
	writeDiffData(t, dir, 8, 50000, 9) // 400,000 rows, about 20 MB decoded
	mem := &peakAllocator{Allocator: memory.NewGoAllocator()}
	df := frame.ReadParquet(dir).
		Where(expr.Col("x").Gt(0)).
		GroupBy("k").
		Agg(expr.Col("x").Sum().Alias("sx"), expr.Col("s").CountDistinct().Alias("ds"))
	tbl, err := df.Collect(context.Background(), frame.WithAllocator(mem), frame.WithBatchSize(4096), frame.WithParallelism(2))
	if err != nil {
		t.Fatal(err)
	}
	if tbl.NumRows() != 13 { // k in [-2, 9] plus NULL
		t.Errorf("got %d groups, want 13", tbl.NumRows())
	}
	tbl.Release()
	const decoded = 400000 * (8 + 4 + 8 + 8 + 8 + 4 + 1)
	if peak := mem.peak.Load(); peak > decoded/4 {
		t.Errorf("peak Arrow memory %d bytes for %d bytes of data: the query is not streaming", peak, decoded)
	}
}

func TestProgressCallbackSeesRows(t *testing.T) {
	dir := t.TempDir()
	writeDiffData(t, dir, 2, 3000, 11)
	var mu sync.Mutex
	var last []frame.Progress
	calls := 0
	tbl, err := frame.ReadParquet(dir).Where(expr.Col("k").IsNotNull()).Collect(context.Background(),
		frame.WithProgress(time.Millisecond, func(p []frame.Progress) {
			mu.Lock()
			defer mu.Unlock()
			last, calls = p, calls+1
		}))
	if err != nil {
		t.Fatal(err)
	}
	defer tbl.Release()
	mu.Lock()
	defer mu.Unlock()
	if calls == 0 {
		t.Fatal("progress callback never called")
	}
	var scanRows, filterRows int64
	for _, op := range last {
		switch {
		case strings.HasPrefix(op.Name, "scan"):
			scanRows += op.RowsOut
		case op.Name == "filter":
			filterRows += op.RowsOut
		}
	}
	if scanRows != 6000 {
		t.Errorf("scan rows in the last report = %d, want 6000", scanRows)
	}
	if filterRows != tbl.NumRows() {
		t.Errorf("filter rows in the last report = %d, want %d (the result)", filterRows, tbl.NumRows())
	}
}

func TestStreamReturnsEOF(t *testing.T) {
	dir := t.TempDir()
	writeDiffData(t, dir, 1, 10, 12)
	ctx := context.Background()
	st, err := frame.ReadParquet(dir).Limit(3).Stream(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	rows := 0
	for {
		rec, err := st.Next(ctx)
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		rows += int(rec.NumRows())
		rec.Release()
	}
	if rows != 3 {
		t.Errorf("got %d rows, want 3", rows)
	}
}

func TestScanReportCountsPrunedRowGroups(t *testing.T) {
	dir := t.TempDir()
	writeDiffData(t, dir, 3, 3000, 13) // ids 0..8999, 3 row groups per file
	var reports []frame.ScanReport
	tbl, err := frame.ReadParquet(dir).Where(expr.Col("id").Lt(1500)).Collect(context.Background(),
		frame.WithScanReport(func(r frame.ScanReport) { reports = append(reports, r) }))
	if err != nil {
		t.Fatal(err)
	}
	defer tbl.Release()
	if tbl.NumRows() != 1500 {
		t.Errorf("got %d rows, want 1500", tbl.NumRows())
	}
	if len(reports) != 1 {
		t.Fatalf("got %d scan reports, want 1", len(reports))
	}
	st := reports[0].Stats
	// ids are written in order: only the first file's first two row groups
	// (1001 rows each) can hold ids below 1500.
	if st.FilesKept != 1 || st.FilesTotal != 3 || st.RowGroupsKept != 2 {
		t.Errorf("stats %+v, want files 1/3 and 2 row groups kept", st)
	}
}

func TestCountFromParquetFootersMatchesDuckDB(t *testing.T) {
	dir := t.TempDir()
	tbl := func() *frame.DataFrame { return frame.ReadParquet(dir) }
	writeDiffData(t, dir, 2, 2500, 14)
	part := filepath.Join(t.TempDir(), "by_k")
	if err := tbl().WriteParquet(context.Background(), part, frame.PartitionBy("k")); err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	for _, c := range []struct {
		name     string
		df       *frame.DataFrame
		metadata bool // answered without reading rows
		sql      string
	}{
		{"all rows", frame.ReadParquet(part).Count(), true, "SELECT count(*) FROM read_parquet('" + part + "/*/*.parquet', hive_partitioning=true)"},
		{"partition filter", frame.ReadParquet(part).Where(expr.Col("k").IsIn(1, 2)).Count(), true, "SELECT count(*) FROM read_parquet('" + part + "/*/*.parquet', hive_partitioning=true) WHERE k IN (1, 2)"},
		{"row filter needs rows", frame.ReadParquet(part).Where(expr.Col("x").Gt(0)).Count(), false, "SELECT count(*) FROM read_parquet('" + part + "/*/*.parquet', hive_partitioning=true) WHERE x > 0"},
	} {
		t.Run(c.name, func(t *testing.T) {
			plan, err := c.df.Explain(ctx)
			if err != nil {
				t.Fatal(err)
			}
			if got := strings.Contains(plan, "count from parquet metadata"); got != c.metadata {
				t.Errorf("answered from metadata = %v, want %v:\n%s", got, c.metadata, plan)
			}
			res, err := c.df.Collect(ctx)
			if err != nil {
				t.Fatal(err)
			}
			got := tableRows(t, res)
			res.Release()
			db := openDuck(t)
			want := duckRows(t, db, c.sql)
			if msg := diffRows(got, want); msg != "" {
				t.Error(msg)
			}
		})
	}
}

func TestJoinUnderSmallMemoryBudgetSpillsAndAgrees(t *testing.T) {
	dir := t.TempDir()
	writeDiffData(t, dir, 2, 5000, 21)
	spill := t.TempDir()
	ctx := context.Background()
	left := frame.ReadParquet(dir)
	right := frame.ReadParquet(dir).Select(expr.Col("k").Alias("rk"), expr.Col("x").Alias("rx"))
	df := left.Join(right, frame.Inner, frame.LeftOn("k"), frame.RightOn("rk")).
		GroupBy("k").Agg(expr.CountAll().Alias("n"), expr.Col("rx").Sum().Alias("s"))
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	small, err := df.Collect(ctx, frame.WithMemoryBudget(64<<10), frame.WithSpillDir(spill), frame.WithAllocator(mem))
	if err != nil {
		t.Fatal(err)
	}
	got := tableRows(t, small)
	small.Release()
	mem.AssertSize(t, 0)
	db := openDuck(t)
	want := duckRows(t, db, "WITH t AS (SELECT * FROM read_parquet('"+dir+"/*.parquet')) "+
		"SELECT l.k, count(*), sum(r.x) FROM t l JOIN t r ON l.k = r.k GROUP BY l.k")
	slices.Sort(got)
	slices.Sort(want)
	if msg := diffRows(got, want); msg != "" {
		t.Error(msg)
	}
	if left, _ := os.ReadDir(spill); len(left) != 0 {
		t.Errorf("spill directory not cleaned up: %d entries", len(left))
	}
	// The budget and the directory reach the join: spilling into a
	// directory that does not exist fails and names it.
	missing := filepath.Join(spill, "missing")
	_, err = df.Collect(ctx, frame.WithMemoryBudget(64<<10), frame.WithSpillDir(missing))
	if err == nil || !strings.Contains(err.Error(), missing) {
		t.Errorf("spilling into %s: error %v, want one naming the directory", missing, err)
	}
}

func TestCacheComputesOnceAndAgrees(t *testing.T) {
	dir := t.TempDir()
	writeDiffData(t, dir, 2, 4000, 23)
	ctx := context.Background()
	perK := frame.ReadParquet(dir).Where(expr.Col("x").IsNotNull()).
		GroupBy("k").Agg(expr.Col("x").Sum().Alias("total")).Cache()
	best := perK.Agg(expr.Col("total").Max().Alias("total"))
	df := perK.Join(best, frame.Semi, frame.On("total"))

	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	var last []frame.Progress
	tbl, err := df.Collect(ctx, frame.WithAllocator(mem), frame.WithProgress(time.Hour, func(p []frame.Progress) { last = p }))
	if err != nil {
		t.Fatal(err)
	}
	got := tableRows(t, tbl)
	tbl.Release()
	mem.AssertSize(t, 0)

	db := openDuck(t)
	want := duckRows(t, db, "WITH p AS (SELECT k, sum(x) AS total FROM read_parquet('"+dir+"/*.parquet') WHERE x IS NOT NULL GROUP BY k) "+
		"SELECT * FROM p WHERE total = (SELECT max(total) FROM p)")
	if msg := diffRows(got, want); msg != "" {
		t.Error(msg)
	}
	var scanned int64
	for _, op := range last {
		if strings.HasPrefix(op.Name, "scan") {
			scanned += op.RowsOut
		}
	}
	if scanned != 8000 {
		t.Errorf("scans produced %d rows, want 8000: the cached frame ran more than once", scanned)
	}
	plan, err := df.Explain(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(plan, "consumers=2") {
		t.Errorf("no shared node with two consumers in:\n%s", plan)
	}
}
