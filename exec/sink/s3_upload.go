package sink

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"strings"

	"lakeframe/errs"
	"lakeframe/exec"
	"lakeframe/exec/source/files"
)

// writeS3 writes to an s3:// path: write produces the output in a local
// temporary directory, exactly as for a local path, and each finished file
// is then uploaded under final. Object stores have no rename, so the
// output is not replaced in one step: each object appears whole, a failed
// write deletes the objects it uploaded, and Overwrite deletes the old
// objects once all new ones are in place.
func writeS3(ctx context.Context, in exec.Stream, final string, cfg *files.S3Config, overwrite bool,
	write func(local string) (*Result, error)) (*Result, error) {
	fail := func(err error) (*Result, error) {
		in.Close()
		return nil, err
	}
	var c files.S3Config
	if cfg != nil {
		c = *cfg
	}
	fsys, err := files.NewS3(c)
	if err != nil {
		return fail(err)
	}
	final = strings.TrimSuffix(final, "/")
	var old []files.Info
	switch st, err := fsys.Stat(ctx, final); {
	case err == nil && !overwrite:
		return fail(fmt.Errorf("%w: %s already exists", errs.ErrPlan, final))
	case err == nil && st.IsDir:
		if old, err = fsys.List(ctx, final); err != nil {
			return fail(fmt.Errorf("%w: list %s: %w", errs.ErrExec, final, err))
		}
	case err == nil:
		old = []files.Info{st}
	case !errors.Is(err, fs.ErrNotExist):
		return fail(fmt.Errorf("%w: %w", errs.ErrExec, err))
	}
	tmp, err := os.MkdirTemp("", "lakeframe-s3-write-")
	if err != nil {
		return fail(fmt.Errorf("%w: local staging for %s: %w", errs.ErrExec, final, err))
	}
	defer os.RemoveAll(tmp)
	local := filepath.Join(tmp, path.Base(final))
	res, err := write(local) // closes in
	if err != nil {
		return nil, err
	}
	written := map[string]bool{}
	var uploaded []string
	for i, f := range res.Files {
		rel, err := filepath.Rel(local, f)
		if err != nil {
			return nil, fmt.Errorf("%w: %s is outside %s", errs.ErrInternal, f, local)
		}
		dest := final
		if rel != "." {
			dest += "/" + filepath.ToSlash(rel)
		}
		if err := upload(ctx, fsys, f, dest); err != nil {
			for _, u := range uploaded {
				fsys.Delete(ctx, u)
			}
			return nil, err
		}
		uploaded = append(uploaded, dest)
		written[dest] = true
		res.Files[i] = dest
	}
	for _, o := range old {
		if !written[o.Path] {
			if err := fsys.Delete(ctx, o.Path); err != nil {
				return nil, fmt.Errorf("%w: remove old output: %w", errs.ErrExec, err)
			}
		}
	}
	return res, nil
}

func upload(ctx context.Context, fsys *files.S3, local, dest string) error {
	f, err := os.Open(local)
	if err != nil {
		return fmt.Errorf("%w: %w", errs.ErrExec, err)
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		return fmt.Errorf("%w: %w", errs.ErrExec, err)
	}
	if err := fsys.Put(ctx, dest, f, st.Size()); err != nil {
		return fmt.Errorf("%w: upload %s: %w", errs.ErrExec, dest, err)
	}
	return nil
}
