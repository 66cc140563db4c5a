// Package sink writes query results to files: Parquet (optionally as a
// hive-partitioned directory tree) and CSV. Input is pulled from an
// exec.Stream, so any result is written as it is produced. Output goes to
// hidden temporary names first and is renamed into place at the end, so a
// failed write leaves nothing that looks complete.
package sink

import (
	"errors"
	"fmt"
	"io/fs"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strconv"

	"lakeframe/errs"
)

// Result describes what a write produced.
type Result struct {
	// Files are the paths of the files written, in the order they were
	// first opened.
	Files []string
	// Rows is the number of rows written.
	Rows int64
}

// staging is a hidden temporary file or directory next to the final path.
type staging struct {
	final string
	temp  string
	dir   bool
}

// stage checks the final path and makes a temporary sibling for it.
func stage(final string, dir, overwrite bool) (*staging, error) {
	if final == "" {
		return nil, fmt.Errorf("%w: no output path", errs.ErrPlan)
	}
	final = filepath.Clean(final)
	st, err := os.Stat(final)
	switch {
	case err == nil && !overwrite:
		return nil, fmt.Errorf("%w: %s already exists", errs.ErrPlan, final)
	case err == nil && st.IsDir() != dir:
		return nil, fmt.Errorf("%w: %s exists and is not a %s", errs.ErrPlan, final, kindName(dir))
	case err != nil && !errors.Is(err, fs.ErrNotExist):
		return nil, fmt.Errorf("%w: %s: %w", errs.ErrExec, final, err)
	}
	parent, base := filepath.Split(final)
	if parent == "" {
		parent = "."
	}
	if err := os.MkdirAll(parent, 0o755); err != nil {
		return nil, fmt.Errorf("%w: create %s: %w", errs.ErrExec, parent, err)
	}
	s := &staging{final: final, dir: dir}
	if s.temp, err = tempSibling(parent, "."+base+".tmp-", dir); err != nil {
		return nil, fmt.Errorf("%w: create temporary output next to %s: %w", errs.ErrExec, final, err)
	}
	return s, nil
}

// tempSibling creates a new file or directory named prefix plus a random
// suffix in parent. Unlike os.CreateTemp (0600) and os.MkdirTemp (0700) it
// creates them as the umask allows (0666 and 0777 minus the umask), so that
// what is renamed into place is readable by others as files written by
// other tools are.
func tempSibling(parent, prefix string, dir bool) (string, error) {
	for range 100 {
		name := filepath.Join(parent, prefix+strconv.FormatUint(rand.Uint64(), 36))
		var err error
		if dir {
			err = os.Mkdir(name, 0o777)
		} else {
			var f *os.File
			if f, err = os.OpenFile(name, os.O_RDWR|os.O_CREATE|os.O_EXCL, 0o666); err == nil {
				err = f.Close()
			}
		}
		if errors.Is(err, fs.ErrExist) {
			continue
		}
		return name, err
	}
	return "", fmt.Errorf("no unused temporary name in %s", parent)
}

// abort removes the temporary output.
func (s *staging) abort() { os.RemoveAll(s.temp) }

// commit moves the temporary output into place. An existing directory is
// first moved aside, so the new one appears in a single rename.
func (s *staging) commit() error {
	var old string
	if s.dir {
		if _, err := os.Stat(s.final); err == nil {
			old = s.temp + ".old"
			if err := os.Rename(s.final, old); err != nil {
				s.abort()
				return fmt.Errorf("%w: replace %s: %w", errs.ErrExec, s.final, err)
			}
		}
	}
	if err := os.Rename(s.temp, s.final); err != nil {
		if old != "" {
			os.Rename(old, s.final)
		}
		s.abort()
		return fmt.Errorf("%w: rename output to %s: %w", errs.ErrExec, s.final, err)
	}
	if old != "" {
		os.RemoveAll(old)
	}
	return nil
}

// finalPath maps a path inside the temporary directory to its final name.
func (s *staging) finalPath(temp string) string {
	rel, err := filepath.Rel(s.temp, temp)
	if err != nil || !s.dir {
		return s.final
	}
	return filepath.Join(s.final, rel)
}

func kindName(dir bool) string {
	if dir {
		return "directory"
	}
	return "file"
}
