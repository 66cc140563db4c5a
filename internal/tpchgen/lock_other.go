//go:build !(linux || darwin || freebsd || netbsd || openbsd || dragonfly)

package tpchgen

import "context"

// lockDir does nothing where flock is unavailable: concurrent Generate
// calls on one directory from different processes are then unsafe.
func lockDir(ctx context.Context, dir string) (unlock func(), err error) {
	return func() {}, ctx.Err()
}
