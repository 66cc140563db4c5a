package display

import (
	"bytes"
	"context"
	"math"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/vbauerster/mpb/v8"

	"lakeframe/exec"
)

func TestStartProgressOffWithoutTerminal(t *testing.T) {
	f, err := os.Create(filepath.Join(t.TempDir(), "out.txt"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	r, w, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	defer w.Close()

	tests := []struct {
		name string
		out  interface {
			Write([]byte) (int, error)
		}
		written func() int64
	}{
		{"buffer", new(bytes.Buffer), nil},
		{"file", f, func() int64 { st, _ := f.Stat(); return st.Size() }},
		{"pipe", w, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if IsTerminal(tt.out) {
				t.Fatal("IsTerminal = true")
			}
			var m exec.Metrics
			m.Register("scan").RowsOut.Store(10)
			before := runtime.NumGoroutine()
			stop := StartProgress(context.Background(), tt.out, m.Snapshot, time.Millisecond)
			if got := runtime.NumGoroutine(); got != before {
				t.Errorf("%d goroutines while running, want %d", got, before)
			}
			time.Sleep(5 * time.Millisecond)
			stop()
			stop()
			if b, ok := tt.out.(*bytes.Buffer); ok && b.Len() != 0 {
				t.Errorf("wrote %q", b.String())
			}
			if tt.written != nil && tt.written() != 0 {
				t.Errorf("wrote %d bytes", tt.written())
			}
		})
	}
}

// The terminal path, drawn with mpb's renderer forced on for a buffer.
func TestProgressLinesDraw(t *testing.T) {
	before := runtime.NumGoroutine()
	var out bytes.Buffer
	lines := newProgressLines(&out, time.Millisecond, 0, mpb.WithAutoRefresh(), mpb.WithWidth(100))
	lines.update([]exec.OpSnapshot{{Name: "Scan lineitem", RowsOut: 1234567, BytesOut: 3 << 20}})
	lines.update([]exec.OpSnapshot{
		{Name: "Scan lineitem", RowsOut: 1234567, BytesOut: 3 << 20},
		{Name: "Filter\nx", RowsOut: 5, BytesOut: 40},
	})
	time.Sleep(20 * time.Millisecond)
	lines.close()
	checkGoroutines(t, before)

	got := out.String()
	for _, want := range []string{"Scan lineitem", "1,234,567 rows", "3.0 MiB", `Filter\nx`, "5 rows", "40 B", "rows/s"} {
		if !strings.Contains(got, want) {
			t.Errorf("output lacks %q:\n%s", want, got)
		}
	}
}

func TestProgressLinesHiddenForQuickQueries(t *testing.T) {
	var out bytes.Buffer
	lines := newProgressLines(&out, time.Millisecond, time.Hour, mpb.WithAutoRefresh())
	lines.update([]exec.OpSnapshot{{Name: "scan", RowsOut: 1}})
	time.Sleep(10 * time.Millisecond)
	lines.close()
	if out.Len() != 0 {
		t.Errorf("wrote %q before the delay", out.String())
	}
}

func TestOpLineRate(t *testing.T) {
	t0 := time.Unix(1000, 0)
	var l opLine
	steps := []struct {
		after time.Duration
		rows  int64
		want  float64
	}{
		{0, 0, 0},
		{500 * time.Millisecond, 1000, 2000},  // 1000 rows in 0.5 s
		{time.Second, 1500, 1500},             // 1500 rows in the 1 s window
		{1500 * time.Millisecond, 1500, 500},  // baseline moves to 0.5 s: 500 rows in 1 s
		{2600 * time.Millisecond, 1500, 0},    // stalled for 1.1 s
		{3600 * time.Millisecond, 2500, 1000}, // baseline moves to 2.6 s: 1000 rows in 1 s
	}
	for _, s := range steps {
		l.record(t0.Add(s.after), exec.OpSnapshot{RowsOut: s.rows})
		if got := math.Float64frombits(l.rate.Load()); got != s.want {
			t.Errorf("after %v: rate %v, want %v", s.after, got, s.want)
		}
		if l.rows.Load() != s.rows {
			t.Errorf("after %v: rows %d, want %d", s.after, l.rows.Load(), s.rows)
		}
	}
	if len(l.samples) > 3 {
		t.Errorf("%d samples kept, want the window's only", len(l.samples))
	}
}
