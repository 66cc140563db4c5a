package iceberg

import (
	iceberg "github.com/apache/iceberg-go"

	"lakeframe/exec/source/prune"
)

// pruner decides with the pushed filters which manifests and data files
// may hold matching rows, from three summaries of the same rows: manifest
// partition summaries, a file's partition values, and its column metrics.
// Each summary is a sound over-approximation of the rows, so a predicate
// that no row summarised by any one of them can satisfy prunes; the rules
// are exec/source/prune's, shared with Parquet row groups.
type pruner struct {
	src   *Source
	preds []*prune.Predicate
	views map[int][]partitionView
	// metricCols are the scan columns some predicate reads, with their
	// field ids and types, for column metrics.
	metricCols map[int]metricColumn
}

type metricColumn struct {
	id  int
	typ iceberg.Type
}

func (s *Source) newPruner(preds []*prune.Predicate) *pruner {
	pr := &pruner{src: s, preds: preds, views: s.partitionViews(), metricCols: map[int]metricColumn{}}
	for _, p := range preds {
		for _, col := range p.Columns() {
			f, ok := s.ischema.FindFieldByName(s.schema.Field(col).Name)
			if ok {
				pr.metricCols[col] = metricColumn{id: f.ID, typ: f.Type}
			}
		}
	}
	return pr
}

// mayMatch evaluates every predicate with stats.
func (pr *pruner) mayMatch(stats prune.StatsFunc) bool {
	for _, p := range pr.preds {
		if !p.MayMatch(stats) {
			return false
		}
	}
	return true
}

// manifestMayMatch tests the manifest's partition summaries, one field at
// a time (a column may have several partition fields).
func (pr *pruner) manifestMayMatch(mf iceberg.ManifestFile) bool {
	if len(pr.preds) == 0 {
		return true
	}
	summaries := mf.Partitions()
	for i := range pr.views[int(mf.PartitionSpecID())] {
		v := &pr.views[int(mf.PartitionSpecID())][i]
		if v.pos >= len(summaries) {
			continue
		}
		st, ok := v.summaryStats(summaries[v.pos])
		if !ok {
			continue
		}
		if !pr.mayMatch(only(v.col, st)) {
			return false
		}
	}
	return true
}

// fileMayMatch tests a data file's partition values, one field at a time,
// then its column metrics.
func (pr *pruner) fileMayMatch(df iceberg.DataFile) bool {
	if len(pr.preds) == 0 {
		return true
	}
	if views := pr.views[int(df.SpecID())]; len(views) > 0 {
		part := df.Partition()
		for i := range views {
			v := &views[i]
			val, ok := part[v.fieldID]
			if !ok {
				continue
			}
			st, ok := v.valueStats(val, df.Count())
			if ok && !pr.mayMatch(only(v.col, st)) {
				return false
			}
		}
	}
	if len(pr.metricCols) == 0 {
		return true
	}
	m := newMetricSummary(df)
	return pr.mayMatch(func(col int) (prune.Stats, bool) {
		mc, ok := pr.metricCols[col]
		if !ok {
			return prune.Stats{}, false
		}
		return m.stats(mc.id, mc.typ, pr.src.schema.Field(col).Type)
	})
}

// only is statistics for one column and none for the others.
func only(col int, st prune.Stats) prune.StatsFunc {
	return func(c int) (prune.Stats, bool) {
		if c != col {
			return prune.Stats{}, false
		}
		return st, true
	}
}
