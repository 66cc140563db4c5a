package iceberg

import (
	"context"
	"fmt"

	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"
	"github.com/apache/arrow-go/v18/parquet/file"
	"github.com/apache/arrow-go/v18/parquet/pqarrow"
	iceberg "github.com/apache/iceberg-go"
	"github.com/apache/iceberg-go/table"

	"lakeframe/errs"
)

// renamedFile is a data file known under the path its positional delete
// files use.
type renamedFile struct {
	iceberg.DataFile
	path string
}

func (r renamedFile) FilePath() string { return r.path }

// fixDeletePaths handles tables whose positional delete files name data
// files differently from the manifests (for instance with a file system
// authority the manifests lack), which location remaps make equal. iceberg-go
// matches the two as plain strings and would apply no deletes; the task's
// data file is given the delete files' spelling instead, which the remaps
// resolve to the same file.
func (s *Source) fixDeletePaths(ctx context.Context, ft table.FileScanTask) (table.FileScanTask, error) {
	if len(ft.DeleteFiles) == 0 {
		return ft, nil
	}
	loc := s.tio.locations()
	if loc == nil {
		return ft, nil
	}
	path := ft.File.FilePath()
	want := loc.resolve(path)
	for _, d := range ft.DeleteFiles {
		if d.ContentType() != iceberg.EntryContentPosDeletes {
			continue
		}
		refs, err := s.deleteTargets(ctx, d.FilePath())
		if err != nil {
			return ft, err
		}
		if refs[path] {
			return ft, nil
		}
		for r := range refs {
			if loc.resolve(r) == want {
				ft.File = renamedFile{DataFile: ft.File, path: r}
				return ft, nil
			}
		}
	}
	return ft, nil
}

// deleteTargets returns the distinct file_path values of a positional
// delete file, read once per source.
func (s *Source) deleteTargets(ctx context.Context, path string) (map[string]bool, error) {
	s.mu.Lock()
	if s.targets == nil {
		s.targets = map[string]map[string]bool{}
	}
	refs, ok := s.targets[path]
	s.mu.Unlock()
	if ok {
		return refs, nil
	}
	f, err := s.tio.Open(path)
	if err != nil {
		return nil, fmt.Errorf("%w: open delete file %s: %w", errs.ErrExec, path, err)
	}
	defer f.Close()
	rdr, err := file.NewParquetReader(f)
	if err != nil {
		return nil, fmt.Errorf("%w: delete file %s: %w", errs.ErrExec, path, err)
	}
	defer rdr.Close()
	col := rdr.MetaData().Schema.ColumnIndexByName("file_path")
	if col < 0 {
		return nil, fmt.Errorf("%w: delete file %s has no file_path column", errs.ErrExec, path)
	}
	fr, err := pqarrow.NewFileReader(rdr, pqarrow.ArrowReadProperties{}, memory.DefaultAllocator)
	if err != nil {
		return nil, fmt.Errorf("%w: delete file %s: %w", errs.ErrExec, path, err)
	}
	tbl, err := fr.ReadTable(ctx)
	if err != nil {
		return nil, fmt.Errorf("%w: delete file %s: %w", errs.ErrExec, path, err)
	}
	defer tbl.Release()
	refs = map[string]bool{}
	idx := tbl.Schema().FieldIndices("file_path")
	if len(idx) > 0 {
		for _, chunk := range tbl.Column(idx[0]).Data().Chunks() {
			switch a := chunk.(type) {
			case *array.String:
				for i := 0; i < a.Len(); i++ {
					if a.IsValid(i) {
						refs[a.Value(i)] = true
					}
				}
			case *array.Binary:
				for i := 0; i < a.Len(); i++ {
					if a.IsValid(i) {
						refs[string(a.Value(i))] = true
					}
				}
			}
		}
	}
	s.mu.Lock()
	s.targets[path] = refs
	s.mu.Unlock()
	return refs, nil
}
