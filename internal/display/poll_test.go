package display

import (
	"context"
	"errors"
	"runtime"
	"testing"
	"time"

	"lakeframe/errs"
	"lakeframe/exec"
)

// checkGoroutines fails the test if more than want goroutines remain. A
// goroutine that has signalled its end may take a moment to disappear.
func checkGoroutines(t *testing.T, want int) {
	t.Helper()
	deadline := time.Now().Add(time.Second)
	for runtime.NumGoroutine() > want && time.Now().Before(deadline) {
		time.Sleep(time.Millisecond)
	}
	if got := runtime.NumGoroutine(); got > want {
		buf := make([]byte, 1<<16)
		t.Errorf("%d goroutines left, want %d:\n%s", got, want, buf[:runtime.Stack(buf, true)])
	}
}

func TestPollCallsUntilStopped(t *testing.T) {
	before := runtime.NumGoroutine()
	var m exec.Metrics
	scan := m.Register("scan")

	var calls [][]exec.OpSnapshot
	third := make(chan struct{})
	stop := Poll(context.Background(), m.Snapshot, time.Millisecond, func(ops []exec.OpSnapshot) {
		calls = append(calls, ops)
		if len(calls) == 3 {
			close(third)
		}
	})
	<-third
	scan.RowsOut.Store(42)
	scan.BytesOut.Store(336)
	if err := stop(); err != nil {
		t.Fatal(err)
	}
	if err := stop(); err != nil {
		t.Fatalf("second stop: %v", err)
	}
	checkGoroutines(t, before)

	n := len(calls)
	if n < 4 {
		t.Fatalf("%d calls, want at least 3 ticks and a final call", n)
	}
	final := calls[n-1]
	if len(final) != 1 || final[0] != (exec.OpSnapshot{Name: "scan", RowsOut: 42, BytesOut: 336}) {
		t.Errorf("final call got %+v, want scan with 42 rows and 336 bytes", final)
	}
	if calls[0][0].RowsOut != 0 {
		t.Errorf("first call got %+v, want 0 rows", calls[0])
	}
}

func TestPollEndsWithContext(t *testing.T) {
	before := runtime.NumGoroutine()
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{}, 1)
	stop := Poll(ctx, func() []exec.OpSnapshot { return nil }, time.Hour, func([]exec.OpSnapshot) {
		done <- struct{}{}
	})
	cancel()
	select {
	case <-done:
	case <-time.After(5 * time.Second):
		t.Fatal("no final call after the context ended")
	}
	checkGoroutines(t, before)
	if err := stop(); err != nil {
		t.Fatal(err)
	}
}

func TestPollReportsPanic(t *testing.T) {
	before := runtime.NumGoroutine()
	stop := Poll(context.Background(), func() []exec.OpSnapshot { return nil }, time.Millisecond, func([]exec.OpSnapshot) {
		panic("callback bug")
	})
	time.Sleep(5 * time.Millisecond)
	if err := stop(); !errors.Is(err, errs.ErrInternal) {
		t.Errorf("stop returned %v, want ErrInternal", err)
	}
	checkGoroutines(t, before)
}

func TestPollWithoutCallback(t *testing.T) {
	before := runtime.NumGoroutine()
	stop := Poll(context.Background(), func() []exec.OpSnapshot { return nil }, 0, nil)
	if got := runtime.NumGoroutine(); got != before {
		t.Errorf("%d goroutines, want %d", got, before)
	}
	if err := stop(); err != nil {
		t.Fatal(err)
	}
}
