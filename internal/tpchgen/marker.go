package tpchgen

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"

	"lakeframe/errs"
)

// marker is the content of a directory's _SUCCESS file: the tables that
// are complete, all at scale factor sf.
type marker struct {
	sf     int
	tables []string
}

// readMarker returns the directory's marker, or the zero marker when there
// is none or it cannot be understood (which makes Generate start over).
func readMarker(dir string) (marker, error) {
	b, err := os.ReadFile(filepath.Join(dir, SuccessFile))
	if errors.Is(err, fs.ErrNotExist) {
		return marker{}, nil
	}
	if err != nil {
		return marker{}, fmt.Errorf("%w: read marker: %w", errs.ErrExec, err)
	}
	var m marker
	sc := bufio.NewScanner(bytes.NewReader(b))
	for sc.Scan() {
		key, val, _ := strings.Cut(sc.Text(), "=")
		switch key {
		case "sf":
			if m.sf, err = strconv.Atoi(val); err != nil {
				return marker{}, nil
			}
		case "tables":
			for t := range strings.SplitSeq(val, ",") {
				if _, ok := tableColumns[t]; !ok {
					return marker{}, nil
				}
				m.tables = append(m.tables, t)
			}
		}
	}
	if checkScale(m.sf) != nil {
		return marker{}, nil
	}
	return m, nil
}

// writeMarker replaces the directory's marker through a rename, so that a
// reader sees the old marker, no marker or the new one, never a torn file.
func writeMarker(dir string, m marker) error {
	tables := slices.Sorted(slices.Values(m.tables))
	body := fmt.Sprintf("sf=%d\ntables=%s\n", m.sf, strings.Join(tables, ","))
	tmp := filepath.Join(dir, tmpPrefix+SuccessFile)
	if err := os.WriteFile(tmp, []byte(body), 0o644); err != nil {
		return fmt.Errorf("%w: write marker: %w", errs.ErrExec, err)
	}
	if err := os.Rename(tmp, filepath.Join(dir, SuccessFile)); err != nil {
		return fmt.Errorf("%w: write marker: %w", errs.ErrExec, err)
	}
	return nil
}

func removeMarker(dir string) error {
	err := os.Remove(filepath.Join(dir, SuccessFile))
	if err != nil && !errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("%w: remove marker: %w", errs.ErrExec, err)
	}
	return nil
}
