package frame_test

import (
	"fmt"
	"strings"
	"sync"
	"testing"

	"lakeframe/exec/remote"
	"lakeframe/expr"
	"lakeframe/frame"
)

// logRecorder keeps a runner's log lines for assertions.
type logRecorder struct {
	t     *testing.T
	mu    sync.Mutex
	lines []string
}

func (l *logRecorder) logf(format string, args ...any) {
	l.t.Helper()
	l.t.Logf(format, args...)
	l.mu.Lock()
	defer l.mu.Unlock()
	l.lines = append(l.lines, fmt.Sprintf(format, args...))
}

func (l *logRecorder) contains(s string) bool {
	l.mu.Lock()
	defer l.mu.Unlock()
	for _, line := range l.lines {
		if strings.Contains(line, s) {
			return true
		}
	}
	return false
}

func TestBroadcastJoinsMatchLocalPool(t *testing.T) {
	// The probe side has several files of several tasks; the build side is
	// small, with duplicate and NULL keys on both sides.
	probe := writeJoinSide(t, 4, 6000, 700, 31, "lv")
	build := writeJoinSide(t, 2, 800, 900, 37, "rv")
	l, r := readSmallTasks(probe), readSmallTasks(build)
	small := r.Where(expr.Col("rv").Gt(10))
	cases := []struct {
		name string
		df   *frame.DataFrame
	}{
		{"inner", l.Join(r, frame.Inner, frame.LeftOn("id"), frame.RightOn("id"))},
		{"left", l.Join(r, frame.Left, frame.LeftOn("id"), frame.RightOn("id"))},
		{"semi", l.Join(r, frame.Semi, frame.LeftOn("id"), frame.RightOn("id"))},
		{"anti", l.Join(r, frame.Anti, frame.LeftOn("id"), frame.RightOn("id"))},
		{"inner on two keys with condition", l.Join(small, frame.Inner, frame.On("id", "s"),
			frame.JoinWhere(expr.Col("lv").Gt(expr.Col("rv"))))},
		{"left on a string key, then aggregated", l.Where(expr.Col("lv").Gt(100)).
			Join(small, frame.Left, frame.LeftOn("s"), frame.RightOn("s")).
			GroupBy(expr.Col("s")).
			Agg(expr.Col("rv").Sum().Alias("sr"), expr.Col("lv").Count().Alias("c"))},
		{"two joins on the probe side", l.
			Join(small, frame.Inner, frame.LeftOn("id"), frame.RightOn("id")).
			Join(r.Select(expr.Col("s").Alias("s2")), frame.Semi, frame.LeftOn("s"), frame.RightOn("s2"))},
	}
	run := remote.NewRunner(remote.Options{Executors: 2})
	run.Logf = t.Logf
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			before := run.Stats.Fragments()
			want := collectRows(t, tc.df, frame.WithParallelism(4))
			got := checkedCollect(t, tc.df, frame.WithParallelism(4), frame.WithRunner(run))
			sameRows(t, got, want)
			if n := run.Stats.Fragments() - before; n < 2 {
				t.Fatalf("%d fragments ran on executors, want one per probe partition", n)
			}
			if n := run.Stats.Exchanges(); n != 0 {
				t.Fatalf("%d exchanges ran, want none", n)
			}
		})
	}
}

// A right or full join building on its outer side emits the unmatched
// build rows after every probe row: it has one partition, so no gathering
// sits above it to ship, and it runs on the coordinator.
// TestBroadcastableJoinTypes in exec/remote checks the rule itself.
func TestBroadcastLeavesBuildOuterJoinsLocal(t *testing.T) {
	probe := writeJoinSide(t, 3, 3000, 700, 31, "lv")
	build := writeJoinSide(t, 1, 500, 900, 37, "rv")
	l, r := readSmallTasks(probe), readSmallTasks(build)
	for _, how := range []frame.JoinType{frame.Right, frame.Full} {
		df := l.Join(r, how, frame.LeftOn("id"), frame.RightOn("id"))
		run := remote.NewRunner(remote.Options{Executors: 2})
		rec := &logRecorder{t: t}
		run.Logf = rec.logf
		want := collectRows(t, df, frame.WithParallelism(4))
		got := checkedCollect(t, df, frame.WithParallelism(4), frame.WithRunner(run))
		sameRows(t, got, want)
		if run.Stats.Fragments() != 0 || run.Stats.LocalPlans() != 1 || !rec.contains("HashJoinExec "+how.String()+" build=right") {
			t.Fatalf("join type %v: %d fragments and %d local plans, want the build=right join run locally", how, run.Stats.Fragments(), run.Stats.LocalPlans())
		}
	}
}

func TestBroadcastBytesLimit(t *testing.T) {
	probe := writeJoinSide(t, 3, 3000, 700, 31, "lv")
	build := writeJoinSide(t, 1, 500, 900, 37, "rv")
	df := readSmallTasks(probe).Join(readSmallTasks(build), frame.Inner, frame.LeftOn("id"), frame.RightOn("id"))
	want := collectRows(t, df, frame.WithParallelism(4))
	run := remote.NewRunner(remote.Options{Executors: 2})
	run.Shuffle.BroadcastBytes = -1
	rec := &logRecorder{t: t}
	run.Logf = rec.logf
	sameRows(t, checkedCollect(t, df, frame.WithParallelism(4), frame.WithRunner(run)), want)
	if run.Stats.Fragments() != 0 || !rec.contains("broadcast joins are off") {
		t.Fatalf("with broadcasts off: %d fragments ran, or no log line says why", run.Stats.Fragments())
	}
}
