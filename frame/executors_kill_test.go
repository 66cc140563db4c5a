package frame_test

import (
	"context"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"lakeframe/exec/remote"
	"lakeframe/expr"
	"lakeframe/frame"
)

// children lists this process's live child processes, from /proc.
func children(t *testing.T) []int {
	t.Helper()
	stats, err := filepath.Glob("/proc/[0-9]*/stat")
	if err != nil {
		t.Fatal(err)
	}
	self := strconv.Itoa(os.Getpid())
	var out []int
	for _, f := range stats {
		b, err := os.ReadFile(f)
		if err != nil {
			continue // exited meanwhile
		}
		// pid (comm) state ppid ...; comm may hold spaces.
		s := string(b)
		rest := strings.Fields(s[strings.LastIndexByte(s, ')')+1:])
		if len(rest) > 1 && rest[1] == self && rest[0] != "Z" {
			pid, _ := strconv.Atoi(strings.Fields(s)[0])
			out = append(out, pid)
		}
	}
	return out
}

// noneAlive waits a little for pids to exit and fails the test if any
// remains, or if this process still has children.
func noneAlive(t *testing.T, pids []int) {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for _, pid := range pids {
		for alive(pid) {
			if time.Now().After(deadline) {
				t.Fatalf("executor %d still running after Close", pid)
			}
			time.Sleep(10 * time.Millisecond)
		}
	}
	for kids := children(t); len(kids) > 0; kids = children(t) {
		if time.Now().After(deadline) {
			t.Fatalf("processes %v still running after Close", kids)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

func killQuery(dir string) *frame.DataFrame { return killQueryOn(readSmallTasks(dir)) }

func killQueryOn(df *frame.DataFrame) *frame.DataFrame {
	return df.
		Where(expr.Col("n").Ge(0)).
		GroupBy(expr.Col("k"), expr.Col("g")).
		Agg(expr.Col("v").Sum().Alias("s"), expr.Col("n").Count().Alias("c"), expr.Col("n").Max().Alias("hi"))
}

// TestExecutorKilledAtRandom kills (SIGKILL) a random executor of three at
// a random moment of a query of 24 small fragments, twenty times; every
// answer must equal the local pool's, and no executor may outlive its
// pool. The moment is after a random number of fragments (0 to 16) have
// completed, plus a random delay of up to half a fragment's time, so that
// the kill falls inside the query with several fragments still to run
// however fast the machine is.
func TestExecutorKilledAtRandom(t *testing.T) {
	if len(children(t)) > 0 {
		t.Skip("this process already has child processes; the leak check would not be sound")
	}
	dir := writeGroupData(t, 8, 20000)
	df := killQuery(dir)
	want := collectRows(t, df, frame.WithParallelism(4))
	opts := remote.Options{Executors: 3, PerExecutor: 1, Logf: t.Logf}

	// One run without a kill gives the time of a fragment.
	ctx := context.Background()
	pool, err := remote.NewPool(ctx, opts)
	if err != nil {
		t.Fatal(err)
	}
	start := time.Now()
	sameRows(t, collectRows(t, df, frame.WithParallelism(24), frame.WithRunner(pool.Runner())), want)
	span := time.Since(start)
	pool.Close()
	perFragment := span / 24 * time.Duration(opts.Executors)
	t.Logf("query span without a kill: %v", span)

	rng := rand.New(rand.NewPCG(uint64(time.Now().UnixNano()), 7))
	retried := 0
	for run := range 20 {
		t.Run(fmt.Sprint(run), func(t *testing.T) {
			runStart := time.Now()
			pool, err := remote.NewPool(ctx, opts)
			if err != nil {
				t.Fatal(err)
			}
			pids := pool.Executors()
			victim := pids[rng.IntN(len(pids))]
			after := rng.Int64N(17)
			delay := time.Duration(rng.Int64N(int64(perFragment/2) + 1))
			r := pool.Runner()
			killed := make(chan struct{})
			go func() {
				defer close(killed)
				for r.Stats.Fragments() < after {
					time.Sleep(100 * time.Microsecond)
				}
				time.Sleep(delay)
				syscall.Kill(victim, syscall.SIGKILL)
			}()
			got := collectRows(t, df, frame.WithParallelism(24), frame.WithRunner(r))
			<-killed
			all := append(pids, pool.Executors()...)
			pool.Close()
			sameRows(t, got, want)
			noneAlive(t, all)
			if r.Stats.Retries() > 0 {
				retried++
			}
			t.Logf("kill pid %d after %d fragments and %v: %d fragments, %d retried, run took %v",
				victim, after, delay, r.Stats.Fragments(), r.Stats.Retries(), time.Since(runStart))
		})
	}
	t.Logf("%d of 20 runs re-ran fragments of the killed executor", retried)
	if retried == 0 {
		t.Fatal("no kill landed while the killed executor had fragments to run")
	}
}

// TestExecutorStoppedMidQuery stops (SIGSTOP) an executor while it runs a
// fragment: its health check goes unanswered, the fragment runs on
// another executor, and the stopped process is killed.
func TestExecutorStoppedMidQuery(t *testing.T) {
	dir := writeGroupData(t, 8, 20000)
	df := killQuery(dir)
	want := collectRows(t, df, frame.WithParallelism(4))
	pool, err := remote.NewPool(context.Background(), remote.Options{
		Executors: 3, PerExecutor: 1, Logf: t.Logf,
		HealthInterval: 300 * time.Millisecond, HealthTimeout: 500 * time.Millisecond,
	})
	if err != nil {
		t.Fatal(err)
	}
	pids := pool.Executors()
	victim := pids[1]
	r := pool.Runner()
	stopped := stopAfterFragments(t, r, victim, 2)
	got := collectRows(t, df, frame.WithParallelism(24), frame.WithRunner(r))
	<-stopped
	sameRows(t, got, want)
	if r.Stats.Retries() == 0 {
		t.Errorf("no fragment ran again after executor %d stopped", victim)
	}
	live := pool.Executors()
	for _, pid := range live {
		if pid == victim {
			t.Errorf("stopped executor %d is still in the pool", victim)
		}
	}
	pool.Close()
	noneAlive(t, append(pids, live...))
	t.Logf("fragments %d, retried %d", r.Stats.Fragments(), r.Stats.Retries())
}

// TestOnlyExecutorStopped stops the one executor of a pool mid-query: the
// fragments wait for its replacement instead of failing.
func TestOnlyExecutorStopped(t *testing.T) {
	dir := writeGroupData(t, 4, 20000)
	df := killQuery(dir)
	want := collectRows(t, df, frame.WithParallelism(4))
	pool, err := remote.NewPool(context.Background(), remote.Options{
		Executors: 1, Logf: t.Logf,
		HealthInterval: 300 * time.Millisecond, HealthTimeout: 500 * time.Millisecond,
	})
	if err != nil {
		t.Fatal(err)
	}
	victim := pool.Executors()[0]
	r := pool.Runner()
	stopped := stopAfterFragments(t, r, victim, 1)
	got := collectRows(t, df, frame.WithParallelism(12), frame.WithRunner(r))
	<-stopped
	sameRows(t, got, want)
	live := pool.Executors()
	if len(live) != 1 || live[0] == victim {
		t.Errorf("executors after the query %v: want one replacement of %d", live, victim)
	}
	pool.Close()
	noneAlive(t, append(live, victim))
	t.Logf("fragments %d, retried %d", r.Stats.Fragments(), r.Stats.Retries())
}

// stopAfterFragments stops victim with SIGSTOP once r has completed n
// fragments; the channel closes when it is stopped. Whatever happens, the
// test's cleanup resumes and kills it, so nothing stopped is left behind.
func stopAfterFragments(t *testing.T, r *remote.Runner, victim int, n int64) <-chan struct{} {
	t.Cleanup(func() {
		syscall.Kill(victim, syscall.SIGCONT)
		syscall.Kill(victim, syscall.SIGKILL)
	})
	stopped := make(chan struct{})
	go func() {
		defer close(stopped)
		for r.Stats.Fragments() < n {
			time.Sleep(time.Millisecond)
		}
		syscall.Kill(victim, syscall.SIGSTOP)
	}()
	return stopped
}
