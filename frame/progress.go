package frame

import (
	"context"
	"os"

	"lakeframe/exec"
	"lakeframe/internal/display"
)

// startProgress reports a running query's figures: to the callback given
// with WithProgress, and as live lines on stderr when it is a terminal. The
// returned function stops both and waits for them.
func startProgress(ctx context.Context, cfg *runConfig, m *exec.Metrics) func() {
	var stops []func()
	if cfg.progress != nil {
		stop := display.Poll(ctx, m.Snapshot, cfg.every, display.ProgressFunc(cfg.progress))
		stops = append(stops, func() { _ = stop() })
	}
	if !cfg.quiet {
		stops = append(stops, display.StartProgress(ctx, os.Stderr, m.Snapshot, cfg.every))
	}
	return func() {
		for _, s := range stops {
			s()
		}
	}
}
