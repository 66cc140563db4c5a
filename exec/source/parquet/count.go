package parquet

import (
	"context"

	"lakeframe/plan"
)

var _ plan.RowCounter = (*Source)(nil)

// CountRows counts rows from the footers when every filter is exact (on
// hive partition columns): the row groups of the files that survive
// partition pruning hold exactly the selected rows.
func (s *Source) CountRows(ctx context.Context, p plan.Pushdown) (int64, bool, error) {
	for _, f := range p.Filters {
		if s.SupportsFilter(f) != plan.FilterExact {
			return 0, false, nil
		}
	}
	sp, err := s.Plan(ctx, p)
	if err != nil {
		return 0, false, err
	}
	return sp.Stats.RowsEstimate, true, nil
}
