package iceberg

import (
	"context"
	"testing"

	"lakeframe/expr"
	"lakeframe/plan"
)

// BenchmarkPlanSelective plans a query that keeps 25 of 10,000 data
// files (one region on one day). Building the table takes a while; only
// planning is timed.
func BenchmarkPlanSelective(b *testing.B) {
	l := layout{days: 80, regions: 5, ids: 100, buckets: 25}
	tbl := createGenerated(b, l)
	src, err := NewSource(tbl, ScanOptions{})
	if err != nil {
		b.Fatal(err)
	}
	pred, err := expr.Resolve(expr.Col("region").Eq("r1").And(
		expr.Col("ts").Ge(day0.AddDate(0, 0, 7))).And(expr.Col("ts").Lt(day0.AddDate(0, 0, 8))).Node(), src.Schema())
	if err != nil {
		b.Fatal(err)
	}
	push := plan.Pushdown{Filters: []expr.Node{pred}, Limit: -1}
	ctx := context.Background()
	b.ResetTimer()
	for b.Loop() {
		p, err := src.Plan(ctx, push)
		if err != nil {
			b.Fatal(err)
		}
		if p.Stats.FilesKept != 25 || p.Stats.FilesTotal != 10000 {
			b.Fatalf("kept %d of %d files, want 25 of 10000", p.Stats.FilesKept, p.Stats.FilesTotal)
		}
	}
}
