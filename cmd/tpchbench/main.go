//go:build cgo

// Command tpchbench runs TPC-H queries with lakeframe and with DuckDB on the
// same Parquet files, with the same number of threads, and prints each
// engine's best time, the ratio, and each engine's peak memory (the peak
// resident set of a child process that runs only that engine).
//
//	go run ./cmd/tpchbench -sf 1 -data /tmp/tpch-sf1 -queries q1,q6
//
// With -executors n it compares lakeframe with itself instead: each query
// on the local pool and on n executor processes (this program started
// again), started once before any timing.
//
//	go run ./cmd/tpchbench -sf 1 -executors 2 -queries q1,q3
//
// -shuffle repartitions every join, aggregation and sort across the
// executors too (by default only large ones are), -compression picks how
// fragment results travel, and TPCHBENCH_EXECUTOR_CPUPROFILE=path makes
// each executor write a CPU profile.
//
// All 22 queries run by default; they are those of
// lakeframe/examples/tpch/queries. The data is generated first when the
// directory does not hold it.
package main

import (
	"context"
	"database/sql"
	"flag"
	"fmt"
	"log"
	"math"
	"os"
	"os/exec"
	"runtime"
	"runtime/pprof"
	"slices"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"

	_ "github.com/duckdb/duckdb-go/v2"

	"lakeframe/examples/tpch/queries"
	"lakeframe/exec/remote"
	"lakeframe/frame"
	"lakeframe/internal/tpchgen"
)

func main() {
	profileExecutor()
	remote.ServeIfExecutor()
	defer remote.Cleanup()
	sf := flag.Int("sf", 1, "TPC-H scale factor")
	dir := flag.String("data", "", "data directory (default /tmp/lakeframe-tpch-sf<sf>)")
	names := flag.String("queries", allQueryNames(), "comma-separated queries to run")
	threads := flag.Int("threads", runtime.GOMAXPROCS(0), "threads for both engines")
	runs := flag.Int("runs", 5, "runs per query; the best time counts")
	engine := flag.String("engine", "", "run only this engine (lakeframe or duckdb) on one query, in this process")
	cpuProfile := flag.String("cpuprofile", "", "with -engine or -executors: write the coordinator's CPU profile here")
	executors := flag.Int("executors", 0, "compare the local pool with this many executor processes instead of DuckDB")
	compression := flag.String("compression", "", "with -executors: compression of fragment results (lz4, zstd or none)")
	shuffle := flag.Bool("shuffle", false, "with -executors: shuffle every join, aggregation and sort across the executors")
	flag.Parse()
	if *dir == "" {
		*dir = fmt.Sprintf("/tmp/lakeframe-tpch-sf%d", *sf)
	}
	ctx := context.Background()

	if *engine != "" {
		q, err := findQuery(*names)
		if err != nil {
			log.Fatal(err)
		}
		if *cpuProfile != "" {
			stop, err := startProfile(*cpuProfile)
			if err != nil {
				log.Fatal(err)
			}
			defer stop()
		}
		best, answer, err := runEngine(ctx, *engine, q, *dir, *threads, *runs)
		if err != nil {
			log.Fatalf("%s %s: %v", *engine, q.Name, err)
		}
		fmt.Printf("%d\n%d\n%s", best.Nanoseconds(), peakRSS(), answer)
		return // after the deferred profile stop
	}

	list := strings.Split(*names, ",")
	for _, name := range list {
		if _, err := findQuery(name); err != nil {
			log.Fatal(err)
		}
	}
	if err := tpchgen.Generate(ctx, *dir, *sf); err != nil {
		log.Fatalf("generate TPC-H data: %v", err)
	}
	if *executors > 0 {
		fmt.Printf("TPC-H SF%d in %s\n", *sf, *dir)
		if *cpuProfile != "" {
			stop, err := startProfile(*cpuProfile)
			if err != nil {
				log.Fatal(err)
			}
			defer stop()
		}
		if err := benchExecutors(ctx, list, *dir, *executors, *threads, *runs, *compression, *shuffle); err != nil {
			log.Print(err)
			remote.Cleanup()
			os.Exit(1)
		}
		return
	}
	fmt.Printf("TPC-H SF%d in %s, %d threads, best of %d runs\n\n", *sf, *dir, *threads, *runs)
	tw := tabwriter.NewWriter(os.Stdout, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "query\tlakeframe ms\tduckdb ms\tratio\tlakeframe peak MiB\tduckdb peak MiB\tanswers\t")
	var ratios []float64
	failed := 0
	for _, name := range list {
		var dk result
		lf, err := child(name, "lakeframe", *dir, *threads, *runs)
		if err == nil {
			dk, err = child(name, "duckdb", *dir, *threads, *runs)
		}
		if err != nil {
			// One failing query does not hide the others' figures.
			failed++
			fmt.Fprintln(os.Stderr, err)
			fmt.Fprintf(tw, "%s\t-\t-\t-\t-\t-\tFAILED\t\n", name)
			continue
		}
		ratio := float64(lf.best) / float64(dk.best)
		ratios = append(ratios, ratio)
		same := "same"
		if !sameAnswer(lf.answer, dk.answer) {
			same = "DIFFER"
			fmt.Fprintf(os.Stderr, "%s answers differ:\nlakeframe:\n%s\nduckdb:\n%s\n", name, lf.answer, dk.answer)
		}
		fmt.Fprintf(tw, "%s\t%.1f\t%.1f\t%.2fx\t%.0f\t%.0f\t%s\t\n", name, ms(lf.best), ms(dk.best), ratio, mib(lf.peak), mib(dk.peak), same)
	}
	tw.Flush()
	fmt.Printf("\ngeometric mean of ratios: %.2fx\n", geomean(ratios))
	if failed > 0 {
		fmt.Printf("%d of %d queries failed (left out of the mean)\n", failed, len(list))
		os.Exit(1)
	}
}

type result struct {
	best   time.Duration
	peak   int64 // bytes
	answer string
}

// child runs one engine on one query in a fresh process, so that its peak
// resident memory is that engine's alone.
func child(query, engine, dir string, threads, runs int) (result, error) {
	self, err := os.Executable()
	if err != nil {
		return result{}, err
	}
	cmd := exec.Command(self, "-engine", engine, "-queries", query, "-data", dir,
		"-threads", strconv.Itoa(threads), "-runs", strconv.Itoa(runs))
	cmd.Stderr = os.Stderr
	out, err := cmd.Output()
	if err != nil {
		return result{}, fmt.Errorf("%s %s: %w", engine, query, err)
	}
	lines := strings.SplitN(string(out), "\n", 3)
	if len(lines) < 3 {
		return result{}, fmt.Errorf("%s %s: bad output %q", engine, query, out)
	}
	ns, err1 := strconv.ParseInt(lines[0], 10, 64)
	peak, err2 := strconv.ParseInt(lines[1], 10, 64)
	if err1 != nil || err2 != nil {
		return result{}, fmt.Errorf("%s %s: bad output %q", engine, query, out)
	}
	return result{best: time.Duration(ns), peak: peak, answer: lines[2]}, nil
}

func runEngine(ctx context.Context, engine string, q queries.Query, dir string, threads, runs int) (time.Duration, string, error) {
	var run func() (string, error)
	switch engine {
	case "lakeframe":
		run = func() (string, error) {
			tbl, err := q.DataFrame(dir).Collect(ctx, frame.WithParallelism(threads), frame.WithoutProgressDisplay())
			if err != nil {
				return "", err
			}
			defer tbl.Release()
			return tableText(tbl), nil
		}
	case "duckdb":
		db, err := sql.Open("duckdb", "")
		if err != nil {
			return 0, "", err
		}
		defer db.Close()
		db.SetMaxOpenConns(1)
		stmts := []string{fmt.Sprintf("SET threads = %d", threads)}
		for _, table := range queries.Tables() {
			stmts = append(stmts, fmt.Sprintf("CREATE VIEW %s AS SELECT * FROM read_parquet('%s')", table, tpchgen.Glob(dir, table)))
		}
		for _, s := range stmts {
			if _, err := db.ExecContext(ctx, s); err != nil {
				return 0, "", fmt.Errorf("%s: %w", s, err)
			}
		}
		run = func() (string, error) { return sqlText(ctx, db, q.SQL) }
	default:
		return 0, "", fmt.Errorf("unknown engine %q", engine)
	}
	best := time.Duration(math.MaxInt64)
	var answer string
	for range runs {
		start := time.Now()
		a, err := run()
		if err != nil {
			return 0, "", err
		}
		best = min(best, time.Since(start))
		answer = a
	}
	return best, answer, nil
}

func ms(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }
func mib(b int64) float64        { return float64(b) / (1 << 20) }

func geomean(xs []float64) float64 {
	if len(xs) == 0 {
		return math.NaN()
	}
	s := 0.0
	for _, x := range xs {
		s += math.Log(x)
	}
	return math.Exp(s / float64(len(xs)))
}

// sameAnswer compares two answers cell by cell; numbers within 1e-9
// relative.
func sameAnswer(a, b string) bool {
	ra, rb := strings.Split(strings.TrimSpace(a), "\n"), strings.Split(strings.TrimSpace(b), "\n")
	if len(ra) != len(rb) {
		return false
	}
	for i := range ra {
		ca, cb := strings.Split(ra[i], "|"), strings.Split(rb[i], "|")
		if len(ca) != len(cb) {
			return false
		}
		if !slices.EqualFunc(ca, cb, sameCell) {
			return false
		}
	}
	return true
}

func sameCell(a, b string) bool {
	if a == b {
		return true
	}
	fa, ea := strconv.ParseFloat(a, 64)
	fb, eb := strconv.ParseFloat(b, 64)
	if ea != nil || eb != nil {
		return false
	}
	return math.Abs(fa-fb) <= 1e-9*math.Max(math.Abs(fa), math.Abs(fb))
}

// peakRSS is this process's peak resident set size in bytes (VmHWM, which a
// new program image starts afresh, unlike getrusage's maxrss that a child
// inherits across exec).
func peakRSS() int64 {
	data, err := os.ReadFile("/proc/self/status")
	if err != nil {
		return -1
	}
	for _, line := range strings.Split(string(data), "\n") {
		if rest, ok := strings.CutPrefix(line, "VmHWM:"); ok {
			kb, err := strconv.ParseInt(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(rest), "kB")), 10, 64)
			if err != nil {
				return -1
			}
			return kb * 1024
		}
	}
	return -1
}

// startProfile starts a CPU profile written to path; stop ends it.
func startProfile(path string) (stop func(), err error) {
	f, err := os.Create(path)
	if err != nil {
		return nil, err
	}
	if err := pprof.StartCPUProfile(f); err != nil {
		f.Close()
		return nil, err
	}
	return func() { pprof.StopCPUProfile(); f.Close() }, nil
}
