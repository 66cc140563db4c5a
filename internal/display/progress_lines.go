package display

import (
	"io"
	"math"
	"sync/atomic"
	"time"

	"github.com/jedib0t/go-pretty/v6/text"
	"github.com/vbauerster/mpb/v8"
	"github.com/vbauerster/mpb/v8/decor"

	"lakeframe/exec"
)

// rateWindow is the span over which rows per second are measured: long
// enough to smooth out batch boundaries, short enough to show a stall.
const rateWindow = time.Second

// maxOpNameWidth bounds operator names so that a line fits a terminal.
const maxOpNameWidth = 40

// progressLines draws one mpb line per operator. update runs on the
// polling goroutine; mpb's renderer reads each line's figures through
// atomics.
type progressLines struct {
	p *mpb.Progress
	// reveal is closed once the query has run for the delay; until then
	// mpb renders to nowhere. nil once closed.
	reveal   chan any
	revealAt time.Time
	lines    []*opLine
}

type opLine struct {
	bar   *mpb.Bar
	rows  atomic.Int64
	bytes atomic.Int64
	rate  atomic.Uint64 // rows per second, as float64 bits
	// samples are the recent (time, rows) pairs the rate comes from;
	// only update touches them.
	samples []rowSample
}

type rowSample struct {
	at   time.Time
	rows int64
}

func newProgressLines(w io.Writer, every, delay time.Duration, opts ...mpb.ContainerOption) *progressLines {
	reveal := make(chan any)
	opts = append([]mpb.ContainerOption{
		mpb.WithOutput(w),
		mpb.WithRefreshRate(every),
		mpb.WithRenderDelay(reveal),
	}, opts...)
	return &progressLines{
		p:        mpb.New(opts...),
		reveal:   reveal,
		revealAt: time.Now().Add(delay),
	}
}

// update takes a new snapshot. Operators register as they start, so a
// snapshot extends the previous one: new operators are appended.
func (v *progressLines) update(ops []exec.OpSnapshot) {
	now := time.Now()
	for i, op := range ops {
		if i == len(v.lines) && !v.add(op.Name) {
			return
		}
		v.lines[i].record(now, op)
	}
	if v.reveal != nil && !now.Before(v.revealAt) {
		close(v.reveal)
		v.reveal = nil
	}
}

// add starts a line; it fails only once the container has shut down.
func (v *progressLines) add(name string) bool {
	l := &opLine{}
	name = text.Snip(escape(name), maxOpNameWidth, ellipsis)
	bar, err := v.p.Add(0, mpb.NopStyle().Build(),
		mpb.PrependDecorators(
			decor.Spinner(nil, decor.WC{W: 2, C: decor.DindentRight}),
			decor.Name(name, decor.WCSyncSpaceR),
		),
		mpb.AppendDecorators(
			decor.Any(func(decor.Statistics) string {
				return formatGrouped(l.rows.Load()) + " rows"
			}, decor.WCSyncSpace),
			decor.Any(func(decor.Statistics) string {
				return formatBytes(l.bytes.Load())
			}, decor.WCSyncSpace),
			decor.Any(func(decor.Statistics) string {
				return formatScaled(math.Float64frombits(l.rate.Load())) + " rows/s"
			}, decor.WCSyncSpace),
		),
	)
	if err != nil {
		return false
	}
	l.bar = bar
	v.lines = append(v.lines, l)
	return true
}

// record stores an operator's figures and its rate over the last
// rateWindow.
func (l *opLine) record(now time.Time, op exec.OpSnapshot) {
	l.rows.Store(op.RowsOut)
	l.bytes.Store(op.BytesOut)
	l.samples = append(l.samples, rowSample{at: now, rows: op.RowsOut})
	// Keep the newest sample older than the window as the baseline.
	drop := 0
	for drop+1 < len(l.samples) && now.Sub(l.samples[drop+1].at) >= rateWindow {
		drop++
	}
	l.samples = append(l.samples[:0], l.samples[drop:]...)
	first := l.samples[0]
	if secs := now.Sub(first.at).Seconds(); secs > 0 {
		l.rate.Store(math.Float64bits(float64(op.RowsOut-first.rows) / secs))
	}
}

// close removes every line from the screen and waits for mpb's goroutines.
func (v *progressLines) close() {
	for _, l := range v.lines {
		l.bar.Abort(true)
	}
	v.p.Wait()
}
