package files

import (
	"context"
	"fmt"
	"strings"
	"sync"

	"lakeframe/errs"
)

// Auto returns the file system sources use when none is given: s3://
// paths go to an S3 file system made from cfg (nil: from the
// environment) on first use, every other path to the local one.
func Auto(cfg *S3Config) FS {
	a := &autoFS{}
	if cfg != nil {
		a.cfg = *cfg
	}
	return a
}

type autoFS struct {
	cfg S3Config

	once  sync.Once
	s3    *S3
	s3Err error
}

func (a *autoFS) pick(p string) (FS, error) {
	if !IsS3Path(p) {
		if scheme, _, ok := strings.Cut(p, "://"); ok && !strings.ContainsAny(scheme, "/*?[") {
			return nil, fmt.Errorf("%w: %s: %s:// paths; files are read from local paths and s3://bucket/key", errs.ErrNotImplemented, p, scheme)
		}
		return Local{}, nil
	}
	a.once.Do(func() { a.s3, a.s3Err = NewS3(a.cfg) })
	return a.s3, a.s3Err
}

func (a *autoFS) Stat(ctx context.Context, p string) (Info, error) {
	fsys, err := a.pick(p)
	if err != nil {
		return Info{}, err
	}
	return fsys.Stat(ctx, p)
}

func (a *autoFS) List(ctx context.Context, dir string) ([]Info, error) {
	fsys, err := a.pick(dir)
	if err != nil {
		return nil, err
	}
	return fsys.List(ctx, dir)
}

func (a *autoFS) Open(ctx context.Context, p string) (File, error) {
	fsys, err := a.pick(p)
	if err != nil {
		return nil, err
	}
	return fsys.Open(ctx, p)
}

// String keeps the config's redaction when the file system is printed.
func (a *autoFS) String() string { return "auto(" + a.cfg.String() + ")" }

// GoString is String, so that %#v redacts too.
func (a *autoFS) GoString() string { return a.String() }

// Format prints String for every verb.
func (a *autoFS) Format(f fmt.State, verb rune) { fmt.Fprint(f, a.String()) }
