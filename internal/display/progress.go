package display

import (
	"context"
	"io"
	"os"
	"sync"
	"time"

	"golang.org/x/term"

	"lakeframe/exec"
)

// progressDelay is how long a query runs before its progress shows: quick
// queries print nothing rather than flash lines on the screen.
const progressDelay = 500 * time.Millisecond

// IsTerminal reports whether w is an interactive terminal that can redraw
// lines in place.
func IsTerminal(w io.Writer) bool {
	f, ok := w.(interface{ Fd() uintptr })
	if !ok || os.Getenv("TERM") == "dumb" {
		return false
	}
	return term.IsTerminal(int(f.Fd()))
}

// StartProgress shows one live line per operator on w — rows and bytes
// out and rows per second — refreshed every interval
// (DefaultProgressInterval if every <= 0), from the figures of snapshot.
// Nothing shows when w is not a terminal, nor when the query ends within
// half a second. stop erases the lines and waits for every goroutine to
// exit; call it when the query ends, before printing anything else to w.
// stop may be called more than once.
func StartProgress(ctx context.Context, w io.Writer, snapshot func() []exec.OpSnapshot, every time.Duration) (stop func()) {
	if snapshot == nil || !IsTerminal(w) {
		return func() {}
	}
	if every <= 0 {
		every = DefaultProgressInterval
	}
	lines := newProgressLines(w, every, progressDelay)
	stopPoll := Poll(ctx, snapshot, every, lines.update)
	var once sync.Once
	return func() {
		once.Do(func() {
			// A panic while updating the lines costs only the lines; the
			// query and its result are unaffected, so it is not reported.
			_ = stopPoll()
			lines.close()
		})
	}
}
