package exec

import (
	"context"
	"fmt"
	"runtime/debug"

	"golang.org/x/sync/errgroup"

	"lakeframe/errs"
)

// Group supervises goroutines: the first error cancels the others, a panic
// becomes an errs.ErrInternal error, and Wait returns once all have exited.
// Every goroutine lakeframe starts runs through a Group.
type Group struct {
	g *errgroup.Group
}

// NewGroup returns a group and a context cancelled when any of its
// goroutines fails. limit bounds how many run at once (<= 0: no bound).
func NewGroup(ctx context.Context, limit int) (*Group, context.Context) {
	g, gctx := errgroup.WithContext(ctx)
	if limit > 0 {
		g.SetLimit(limit)
	}
	return &Group{g: g}, gctx
}

// Go runs fn on a new goroutine, blocking while the group is at its limit.
func (g *Group) Go(fn func() error) {
	g.g.Go(func() (err error) {
		defer func() {
			if r := recover(); r != nil {
				err = fmt.Errorf("%w: panic: %v\n%s", errs.ErrInternal, r, debug.Stack())
			}
		}()
		return fn()
	})
}

// Wait waits for every goroutine and returns the first error.
func (g *Group) Wait() error { return g.g.Wait() }
