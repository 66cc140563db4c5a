package tpchgen

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"

	"github.com/pingcap/go-tpc/tpch/dbgen"
	"golang.org/x/sync/errgroup"

	"lakeframe/errs"
)

// Generate writes the TPC-H tables at scale factor sf (an integer, 1 or
// more) into dir as <dir>/<table>/part-N.parquet, then records them in
// <dir>/_SUCCESS.
//
// Tables that the marker already lists at sf are kept, unless WithOverwrite
// is given; when all requested tables are there, Generate returns at once,
// so benchmarks can call it every time. Each table is written into a
// temporary directory and renamed into place when complete, and the marker
// is removed while Generate works, so an interrupted run never leaves data
// that looks complete. Concurrent calls on one directory take turns.
//
// See the package documentation for the limits go-tpc imposes within one
// process. dbgen prints a line to standard output as each pass starts and
// ends.
func Generate(ctx context.Context, dir string, sf int, opts ...Option) error {
	cfg, err := newConfig(sf, opts)
	if err != nil {
		return err
	}
	if err := ctx.Err(); err != nil {
		return err
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return fmt.Errorf("%w: %w", errs.ErrExec, err)
	}
	unlock, err := lockDir(ctx, dir)
	if err != nil {
		return err
	}
	defer unlock()

	complete, todo, err := pending(dir, sf, cfg)
	if err != nil {
		return err
	}
	if len(todo) == 0 {
		return nil
	}
	for _, t := range todo {
		if err := checkReplaceable(filepath.Join(dir, t)); err != nil {
			return err
		}
	}

	generator.Lock()
	defer generator.Unlock()
	var ps []pass
	for _, p := range passes {
		if slices.ContainsFunc(p.outs, func(o output) bool { return slices.Contains(todo, o.name) }) {
			ps = append(ps, p)
		}
	}
	if err := claimable(sf, ps); err != nil {
		return err
	}
	if err := removeMarker(dir); err != nil {
		return err
	}
	if err := removeTemps(dir); err != nil {
		return err
	}
	if cfg.progress != nil {
		var mu sync.Mutex
		fn := cfg.progress
		cfg.progress = func(p Progress) {
			mu.Lock()
			defer mu.Unlock()
			fn(p)
		}
	}
	initOnce(sf)
	for _, p := range ps {
		if err := ctx.Err(); err != nil {
			return err
		}
		if err := generatePass(ctx, dir, sf, p, todo, cfg); err != nil {
			return err
		}
	}
	for _, t := range todo {
		complete[t] = true
	}
	var tables []string
	for t := range complete {
		tables = append(tables, t)
	}
	return writeMarker(dir, marker{sf: sf, tables: tables})
}

// pending reads the directory's marker and returns the tables complete at
// sf and those of cfg's tables still to generate.
func pending(dir string, sf int, cfg *config) (complete map[string]bool, todo []string, err error) {
	have, err := readMarker(dir)
	if err != nil {
		return nil, nil, err
	}
	complete = make(map[string]bool)
	if have.sf == sf {
		for _, t := range have.tables {
			// A table removed by hand since is not complete any more.
			if info, err := os.Stat(filepath.Join(dir, t)); err == nil && info.IsDir() {
				complete[t] = true
			}
		}
	}
	for _, t := range cfg.tables {
		if cfg.overwrite || !complete[t] {
			todo = append(todo, t)
		}
	}
	return complete, todo, nil
}

// generatePass runs one dbgen pass, writing the tables of it listed in want,
// and moves them into place once all are written.
func generatePass(ctx context.Context, dir string, sf int, p pass, want []string, cfg *config) (err error) {
	g, gctx := errgroup.WithContext(ctx)
	loaders := make(map[dbgen.Table]dbgen.Loader, len(p.outs))
	var (
		sinks []*sink
		tmps  = make(map[string]string) // table → temporary directory
	)
	defer func() {
		for _, s := range sinks {
			s.done()
		}
		werr := g.Wait()
		for _, s := range sinks {
			s.release()
		}
		switch {
		case err == nil:
			err = werr
		case errors.Is(err, errStopped):
			// A loader stopped by a failed writer or the context says
			// only that; the writer's error or the context's is the cause.
			err = cmpOr(werr, ctx.Err(), err)
		}
		for _, tmp := range tmps {
			if err != nil {
				_ = os.RemoveAll(tmp)
			}
		}
		if err != nil {
			err = fmt.Errorf("generate %s: %w", outNames(p), err)
		}
	}()

	for _, o := range p.outs {
		if !slices.Contains(want, o.name) {
			loaders[o.slot] = discard{}
			continue
		}
		schema, err := Schema(o.name)
		if err != nil {
			return err
		}
		expected, _, err := RowCount(o.name, sf)
		if err != nil {
			return err
		}
		perFile := rowsPerFile(expected, cfg.maxRowsPerFile, cfg.rowGroupSize)
		s := newSink(cfg.mem, schema, cfg.batchSize, perFile, gctx.Done())
		sinks = append(sinks, s)
		if loaders[o.slot], err = o.newLoader(s); err != nil {
			return err
		}
		tmp, err := os.MkdirTemp(dir, tmpPrefix+o.name+"-")
		if err != nil {
			return fmt.Errorf("%w: %w", errs.ErrExec, err)
		}
		tmps[o.name] = tmp
		// MkdirTemp makes the directory private; the data are meant to be
		// shared like the files in it.
		if err := os.Chmod(tmp, 0o755); err != nil {
			return fmt.Errorf("%w: %w", errs.ErrExec, err)
		}
		files := newTableFiles(o.name, tmp, schema, cfg)
		g.Go(func() (err error) {
			defer func() {
				if r := recover(); r != nil {
					err = fmt.Errorf("%w: writing %s panicked: %v", errs.ErrInternal, o.name, r)
				}
			}()
			return files.write(gctx, s.out)
		})
	}

	if err := p.run(loaders); err != nil {
		for _, s := range sinks {
			if s.err != nil {
				return s.err
			}
		}
		return err
	}
	for _, s := range sinks {
		if err := s.flush(true); err != nil {
			return err
		}
		s.done()
	}
	if err := g.Wait(); err != nil {
		return err
	}
	for _, o := range p.outs {
		if tmp, ok := tmps[o.name]; ok {
			if err := replaceDir(tmp, filepath.Join(dir, o.name)); err != nil {
				return err
			}
			delete(tmps, o.name)
		}
	}
	return nil
}

func outNames(p pass) string {
	names := make([]string, len(p.outs))
	for i, o := range p.outs {
		names[i] = o.name
	}
	return strings.Join(names, "+")
}

// cmpOr returns the first non-nil error.
func cmpOr(errs ...error) error {
	for _, err := range errs {
		if err != nil {
			return err
		}
	}
	return nil
}

// checkReplaceable refuses to replace a directory that holds anything but
// part files, so a mistyped output path cannot delete someone's data.
func checkReplaceable(path string) error {
	entries, err := os.ReadDir(path)
	if errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("%w: %w", errs.ErrExec, err)
	}
	for _, e := range entries {
		if name := e.Name(); e.IsDir() || !strings.HasPrefix(name, "part-") || !strings.HasSuffix(name, ".parquet") {
			return fmt.Errorf("%w: refusing to replace %s: it holds %q, which tpchgen did not write", errs.ErrPlan, path, name)
		}
	}
	return nil
}

// replaceDir moves the complete table directory tmp to final, replacing
// what final held.
func replaceDir(tmp, final string) error {
	old := tmp + "-old"
	err := os.Rename(final, old)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		old = ""
	case err != nil:
		return fmt.Errorf("%w: %w", errs.ErrExec, err)
	}
	if err := os.Rename(tmp, final); err != nil {
		return fmt.Errorf("%w: %w", errs.ErrExec, err)
	}
	if old != "" {
		if err := os.RemoveAll(old); err != nil {
			return fmt.Errorf("%w: %w", errs.ErrExec, err)
		}
	}
	return nil
}

// removeTemps deletes what interrupted runs left behind. The caller holds
// the directory's lock, so no other run is using them.
func removeTemps(dir string) error {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return fmt.Errorf("%w: %w", errs.ErrExec, err)
	}
	for _, e := range entries {
		if strings.HasPrefix(e.Name(), tmpPrefix) {
			if err := os.RemoveAll(filepath.Join(dir, e.Name())); err != nil {
				return fmt.Errorf("%w: %w", errs.ErrExec, err)
			}
		}
	}
	return nil
}
