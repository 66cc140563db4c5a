//go:build cgo

package main

import (
	"context"
	"fmt"
	"math"
	"os"
	"runtime/pprof"
	"strconv"
	"strings"
	"syscall"
	"text/tabwriter"
	"time"

	"lakeframe/exec/remote"
	"lakeframe/frame"
)

// executorProfileEnv names a file an executor writes a CPU profile of its
// first executorProfileSecondsEnv seconds (default 30) to, with its pid
// appended, for -executors runs: executors are this program started
// again, and are killed rather than stopped, so the profile is cut at a
// fixed time.
const (
	executorProfileEnv        = "TPCHBENCH_EXECUTOR_CPUPROFILE"
	executorProfileSecondsEnv = "TPCHBENCH_EXECUTOR_CPUPROFILE_SECONDS"
)

// profileExecutor starts the CPU profile of an executor process when
// asked to; it is called before remote.ServeIfExecutor.
func profileExecutor() {
	path := os.Getenv(executorProfileEnv)
	if path == "" || !remote.IsExecutor() {
		return
	}
	f, err := os.Create(fmt.Sprintf("%s.%d", path, os.Getpid()))
	if err != nil {
		return
	}
	if err := pprof.StartCPUProfile(f); err != nil {
		f.Close()
		return
	}
	seconds, err := strconv.Atoi(os.Getenv(executorProfileSecondsEnv))
	if err != nil || seconds <= 0 {
		seconds = 30
	}
	time.AfterFunc(time.Duration(seconds)*time.Second, func() {
		pprof.StopCPUProfile()
		f.Close()
	})
}

// benchExecutors runs each query on the local pool and on n executors
// started once, before any timing, and prints the best times and the
// overhead of the executors over the local pool.
// With shuffle every join, aggregation and sort is repartitioned across
// the executors, whatever its size.
func benchExecutors(ctx context.Context, list []string, dir string, n, threads, runs int, compression string, shuffle bool) error {
	pool, err := remote.NewPool(ctx, remote.Options{Executors: n, Compression: compression})
	if err != nil {
		return err
	}
	defer pool.Close()
	r := pool.Runner()
	mode := "scans shipped"
	if shuffle {
		r.Shuffle = remote.ShuffleOptions{JoinBytes: 1, AggBytes: 1, SortBytes: 1}
		mode = "every join, aggregation and sort shuffled"
	}
	fmt.Printf("%d executors (%s, compression %s), coordinator with %d threads, best of %d runs after a warm-up run\n\n", n, mode, orNone(compression), threads, runs)
	tw := tabwriter.NewWriter(os.Stdout, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "query\tlocal ms\texecutors ms\toverhead\tlocal cpu ms\texecutors cpu ms\tcpu overhead\tfragments\tmap tasks\tanswers\t")
	failed := 0
	for _, name := range list {
		q, _ := findQuery(name)
		local := func() (string, error) { return collectText(ctx, q.DataFrame(dir), frame.WithParallelism(threads)) }
		before, maps := r.Stats.Fragments(), r.Stats.MapTasks()
		onExecutors := func() (string, error) {
			return collectText(ctx, q.DataFrame(dir), frame.WithParallelism(threads), frame.WithRunner(r))
		}
		lt, lcpu, la, err := best(local, runs, nil)
		var et, ecpu time.Duration
		var ea string
		if err == nil {
			et, ecpu, ea, err = best(onExecutors, runs, pool.Executors)
		}
		if err != nil {
			failed++
			fmt.Fprintf(os.Stderr, "%s: %v\n", name, err)
			fmt.Fprintf(tw, "%s\t-\t-\t-\t-\t-\t-\t-\t-\tFAILED\t\n", name)
			continue
		}
		same := "same"
		if !sameAnswer(la, ea) {
			same = "DIFFER"
			fmt.Fprintf(os.Stderr, "%s answers differ:\nlocal:\n%s\nexecutors:\n%s\n", name, la, ea)
		}
		frags := (r.Stats.Fragments() - before) / int64(runs+1)
		mapTasks := (r.Stats.MapTasks() - maps) / int64(runs+1)
		fmt.Fprintf(tw, "%s\t%.1f\t%.1f\t%.2fx\t%.0f\t%.0f\t%.2fx\t%d\t%d\t%s\t\n", name, ms(lt), ms(et), float64(et)/float64(lt),
			ms(lcpu), ms(ecpu), float64(ecpu)/float64(lcpu), frags, mapTasks, same)
	}
	tw.Flush()
	if failed > 0 {
		return fmt.Errorf("%d of %d queries failed", failed, len(list))
	}
	return nil
}

func collectText(ctx context.Context, df *frame.DataFrame, opts ...frame.Option) (string, error) {
	tbl, err := df.Collect(ctx, append(opts, frame.WithoutProgressDisplay())...)
	if err != nil {
		return "", err
	}
	defer tbl.Release()
	return tableText(tbl), nil
}

// best runs once to warm up, then runs times, and returns the best time
// and the mean CPU time per run of this process and of the processes
// others lists (the executors): on a busy machine wall times wander, the
// CPU a query costs much less.
func best(run func() (string, error), runs int, others func() []int) (fastest, cpu time.Duration, answer string, err error) {
	if answer, err = run(); err != nil {
		return 0, 0, "", err
	}
	var pids []int
	if others != nil {
		pids = others()
	}
	cpu0 := cpuTime(pids)
	fastest = time.Duration(math.MaxInt64)
	for range runs {
		start := time.Now()
		if answer, err = run(); err != nil {
			return 0, 0, "", err
		}
		fastest = min(fastest, time.Since(start))
	}
	return fastest, (cpuTime(pids) - cpu0) / time.Duration(runs), answer, nil
}

// cpuTime is the user and system CPU time of this process and of pids so
// far.
func cpuTime(pids []int) time.Duration {
	var ru syscall.Rusage
	var total time.Duration
	if syscall.Getrusage(syscall.RUSAGE_SELF, &ru) == nil {
		total = time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
	}
	for _, pid := range pids {
		b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
		if err != nil {
			continue
		}
		// Fields after the parenthesized command name; utime and stime
		// are the 14th and 15th fields, in clock ticks (100 a second).
		rest := string(b[strings.LastIndexByte(string(b), ')')+2:])
		f := strings.Fields(rest)
		if len(f) < 13 {
			continue
		}
		u, _ := strconv.ParseInt(f[11], 10, 64)
		st, _ := strconv.ParseInt(f[12], 10, 64)
		total += time.Duration(u+st) * 10 * time.Millisecond
	}
	return total
}

func orNone(s string) string {
	if s == "" {
		return "lz4"
	}
	return strings.ToLower(s)
}
