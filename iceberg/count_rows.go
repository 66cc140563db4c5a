package iceberg

import (
	"context"

	"lakeframe/plan"
)

var _ plan.RowCounter = (*Source)(nil)

// CountRows answers count(*) from manifests: when every filter is exact
// (decided by identity partition values) and no kept data file has
// delete files, the kept files' record counts add up to the rows the
// query selects. Otherwise ok is false and the rows must be read.
func (s *Source) CountRows(ctx context.Context, p plan.Pushdown) (int64, bool, error) {
	for _, f := range p.Filters {
		if !s.exact(f) {
			return 0, false, nil
		}
	}
	pl, err := s.planFiles(ctx, p.Filters, -1)
	if err != nil {
		return 0, false, err
	}
	var n int64
	seen := map[string]bool{}
	for i := range pl.files {
		if len(deleteFiles(&pl.files[i])) > 0 {
			return 0, false, nil
		}
		if path := pl.files[i].File.FilePath(); !seen[path] {
			seen[path] = true
			n += pl.files[i].File.Count()
		}
	}
	return n, true, nil
}
