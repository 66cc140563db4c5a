package files

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"path"
	"slices"
	"strings"

	"lakeframe/errs"
)

// Expand turns the paths a user gave into the files to read, sorted per
// pattern and without duplicates. A path may be:
//   - a file, read whatever its extension;
//   - a directory, whose files ending in one of exts are read at any depth;
//   - a glob: * ? and [...] match within one path segment, ** matches any
//     number of segments.
//
// Files and directories whose names start with "." or "_" below a
// directory or the fixed part of a glob are skipped (_SUCCESS markers,
// hidden temporary output). A path that matches nothing is an
// errs.ErrPlan error naming it.
func Expand(ctx context.Context, fsys FS, patterns []string, exts []string) ([]Info, error) {
	if len(patterns) == 0 {
		return nil, fmt.Errorf("%w: no paths given", errs.ErrPlan)
	}
	var out []Info
	seen := map[string]bool{}
	for _, p := range patterns {
		found, err := expandOne(ctx, fsys, p, exts)
		if err != nil {
			return nil, err
		}
		if len(found) == 0 {
			return nil, fmt.Errorf("%w: no files match %q", errs.ErrPlan, p)
		}
		slices.SortFunc(found, func(a, b Info) int { return strings.Compare(a.Path, b.Path) })
		for _, f := range found {
			if !seen[f.Path] {
				seen[f.Path] = true
				out = append(out, f)
			}
		}
	}
	return out, nil
}

func expandOne(ctx context.Context, fsys FS, pattern string, exts []string) ([]Info, error) {
	pattern = strings.ReplaceAll(pattern, `\`, "/")
	if !hasMeta(pattern) {
		st, err := fsys.Stat(ctx, pattern)
		if err != nil {
			return nil, statError(pattern, err)
		}
		if !st.IsDir {
			return []Info{st}, nil
		}
		return listDir(ctx, fsys, pattern, nil, exts)
	}
	segs := strings.Split(pattern, "/")
	fixed := 0
	for fixed < len(segs) && !hasMeta(segs[fixed]) {
		fixed++
	}
	root := strings.Join(segs[:fixed], "/")
	switch {
	case root == "" && fixed > 0:
		root = "/" // an absolute pattern such as /*.csv
	case root == "":
		root = "."
	}
	st, err := fsys.Stat(ctx, root)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil // reported as "no files match"
	}
	if err != nil {
		return nil, statError(root, err)
	}
	if !st.IsDir {
		return nil, nil
	}
	rest := segs[fixed:]
	var want []string
	if rest[len(rest)-1] == "**" {
		want = exts // "dir/**" means every data file below dir
	}
	return listDir(ctx, fsys, root, rest, want)
}

// listDir lists dir recursively, keeping files whose path below dir
// matches the glob segments (all files when segs is nil), has no hidden
// component and ends in one of exts (any name when exts is nil).
func listDir(ctx context.Context, fsys FS, dir string, segs []string, exts []string) ([]Info, error) {
	all, err := fsys.List(ctx, dir)
	if err != nil {
		return nil, fmt.Errorf("%w: list %s: %w", errs.ErrExec, dir, err)
	}
	prefix := strings.TrimSuffix(dir, "/") + "/"
	if dir == "." {
		prefix = ""
	}
	var out []Info
	for _, f := range all {
		rel, ok := strings.CutPrefix(f.Path, prefix)
		if !ok {
			rel = f.Path
		}
		parts := strings.Split(rel, "/")
		if hidden(parts) {
			continue
		}
		if segs != nil && !matchSegments(segs, parts) {
			continue
		}
		if exts != nil && !hasExt(rel, exts) {
			continue
		}
		out = append(out, f)
	}
	return out, nil
}

func statError(p string, err error) error {
	if errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("%w: path %q does not exist: %w", errs.ErrPlan, p, fs.ErrNotExist)
	}
	if errors.Is(err, errs.ErrPlan) || errors.Is(err, errs.ErrNotImplemented) {
		return fmt.Errorf("stat %s: %w", p, err) // already classified: a configuration mistake
	}
	return fmt.Errorf("%w: stat %s: %w", errs.ErrExec, p, err)
}

func hasMeta(s string) bool { return strings.ContainsAny(s, "*?[") }

func hidden(parts []string) bool {
	for _, p := range parts {
		if strings.HasPrefix(p, ".") || strings.HasPrefix(p, "_") {
			return true
		}
	}
	return false
}

func hasExt(name string, exts []string) bool {
	lower := strings.ToLower(name)
	for _, e := range exts {
		if strings.HasSuffix(lower, e) {
			return true
		}
	}
	return false
}

// matchSegments matches path segments against glob segments, where "**"
// stands for zero or more whole segments.
func matchSegments(pat, parts []string) bool {
	for len(pat) > 0 {
		if pat[0] == "**" {
			rest := pat[1:]
			for i := 0; i <= len(parts); i++ {
				if matchSegments(rest, parts[i:]) {
					return true
				}
			}
			return false
		}
		if len(parts) == 0 {
			return false
		}
		if ok, err := path.Match(pat[0], parts[0]); err != nil || !ok {
			return false
		}
		pat, parts = pat[1:], parts[1:]
	}
	return len(parts) == 0
}
