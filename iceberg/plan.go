package iceberg

import (
	"context"
	"fmt"
	"runtime"
	"strconv"
	"sync"

	iceberg "github.com/apache/iceberg-go"
	"github.com/apache/iceberg-go/metrics"
	"github.com/apache/iceberg-go/table"

	"lakeframe/errs"
	"lakeframe/expr"
	"lakeframe/plan"
)

// Plan reads the snapshot's manifest list and the manifests that the
// pushed filters cannot rule out, keeps the data files that may match,
// and packs them into tasks. With a limit (set only when every filter is
// exact), files stop being kept once those without deletes hold enough
// rows, and each task stops reading after that many rows.
func (s *Source) Plan(ctx context.Context, p plan.Pushdown) (*plan.ScanPlan, error) {
	cols := s.columns(p.Columns)
	pl, err := s.planFiles(ctx, cols, p.Filters, p.Limit)
	if err != nil {
		return nil, err
	}
	tasks := s.pack(pl.files, cols, pl.readFilter, p.Limit)
	return &plan.ScanPlan{Tasks: tasks, Stats: pl.metrics.stats()}, nil
}

func (s *Source) columns(cols []string) []string {
	if cols != nil {
		return cols
	}
	cols = make([]string, s.schema.NumFields())
	for i, f := range s.schema.Fields() {
		cols[i] = f.Name
	}
	return cols
}

// planned is the outcome of planning: the file scan tasks to read (a
// large file may come as several row-group ranges) and the figures.
type planned struct {
	files      []table.FileScanTask
	readFilter iceberg.BooleanExpression
	metrics    scanMetrics
}

// planFiles plans the scan with iceberg-go, then drops the files whose
// partition values fail an exact filter, and with a limit (>= 0) the
// files not needed to reach it.
func (s *Source) planFiles(ctx context.Context, cols []string, preds []expr.Node, limit int64) (*planned, error) {
	f := s.filters(preds)
	pl := &planned{readFilter: f.read, metrics: scanMetrics{snapshot: s.snap, residual: f.residual}}
	if f.pushed != nil {
		pl.metrics.pushed = f.pushed.String()
	}
	if s.snap == nil || limit == 0 {
		return pl, nil
	}
	manifests, err := s.manifestList()
	if err != nil {
		return nil, err
	}

	rep := &reportCapture{}
	scan, err := s.scan(cols, f.pushed, table.WithReporter(rep))
	if err != nil {
		return nil, err
	}
	defer scan.Close()
	if limit > 0 && (f.pushed == nil || f.pushed.Equals(iceberg.AlwaysTrue{})) {
		// Without a filter iceberg-go reads only the manifests whose row
		// counts reach the limit (when there are no delete manifests).
		scan = scan.UseRowLimit(limit)
		defer scan.Close()
	}
	files, err := scan.PlanFiles(ctx)
	if err != nil {
		return nil, fmt.Errorf("%w: plan iceberg scan of %s: %w", errs.ErrExec, name(s.tbl), err)
	}
	if files, err = s.keepByPartition(ctx, files, f.exact); err != nil {
		return nil, err
	}
	if limit > 0 {
		files = limitFiles(files, limit)
	}
	pl.files = files

	m := &pl.metrics
	deletes := map[string]bool{}
	seen := map[string]bool{}
	for i := range files {
		df := files[i].File
		if df.FileFormat() != iceberg.ParquetFile {
			return nil, fmt.Errorf("%w: iceberg table %s: data file %s is %s; lakeframe reads Parquet data files only",
				errs.ErrNotImplemented, name(s.tbl), df.FilePath(), df.FileFormat())
		}
		if !seen[df.FilePath()] {
			seen[df.FilePath()] = true
			m.filesKept++
			m.bytes += df.FileSizeBytes()
			m.rows += df.Count()
		}
		for _, d := range deleteFiles(&files[i]) {
			deletes[d.FilePath()] = true
		}
	}
	m.deleteFiles = len(deletes)
	for _, mf := range manifests {
		if !isDeleteManifest(mf) {
			m.manifestsTotal++
		}
	}
	if r := rep.report(); r != nil {
		m.manifestsKept = int(counter(r.Metrics.ScannedDataManifests))
		m.filesTotal = int(counter(r.Metrics.ResultDataFiles) + counter(r.Metrics.SkippedDataFiles))
	}
	if s.snap.Summary != nil {
		if n, err := strconv.Atoi(s.snap.Summary.Properties["total-data-files"]); err == nil && n > 0 {
			m.filesTotal = n
		}
	}
	return pl, nil
}

// deleteFiles lists every delete file (positional, equality, deletion
// vector) that applies to a file scan task.
func deleteFiles(ft *table.FileScanTask) []iceberg.DataFile {
	n := len(ft.DeleteFiles) + len(ft.EqualityDeleteFiles) + len(ft.DeletionVectorFiles)
	if n == 0 {
		return nil
	}
	out := make([]iceberg.DataFile, 0, n)
	out = append(out, ft.DeleteFiles...)
	out = append(out, ft.EqualityDeleteFiles...)
	return append(out, ft.DeletionVectorFiles...)
}

// limitFiles keeps the files, in planning order, until those without
// delete files hold at least limit rows by their record counts: only the
// rows of such files are certain to come out. A file split into several
// row-group ranges is kept or dropped whole.
func limitFiles(files []table.FileScanTask, limit int64) []table.FileScanTask {
	var have int64
	kept := map[string]bool{}
	out := files[:0:0]
	for i := range files {
		path := files[i].File.FilePath()
		keep, seen := kept[path]
		if !seen {
			keep = have < limit
			kept[path] = keep
			if keep && len(deleteFiles(&files[i])) == 0 {
				have += files[i].File.Count()
			}
		}
		if keep {
			out = append(out, files[i])
		}
	}
	return out
}

// pushedFilters are the pushed conjuncts sorted by what uses them.
type pushedFilters struct {
	// pushed prunes manifests, partitions and files in iceberg-go.
	pushed iceberg.BooleanExpression
	// read is what iceberg-go may also evaluate on rows: no StartsWith (it
	// has no kernel for it) and no identity-partition column (lakeframe
	// fills those from the partition values, as files may not hold them).
	read iceberg.BooleanExpression
	// exact are the conjuncts planning applies exactly, to each file's
	// partition values.
	exact []expr.Node
	// residual lists the other conjuncts: they prune what their Iceberg
	// form allows, and lakeframe evaluates them on the rows read.
	residual []string
}

func (s *Source) filters(preds []expr.Node) pushedFilters {
	t := translator{schema: s.ischema}
	var out pushedFilters
	var all, read []iceberg.BooleanExpression
	for _, p := range preds {
		if s.exact(p) {
			out.exact = append(out.exact, p)
		} else {
			out.residual = append(out.residual, p.String())
		}
		tr, ok := t.translate(p, true)
		if !ok {
			continue
		}
		all = append(all, tr.expr)
		if tr.startsWith || s.usesIdentityColumn(p) {
			continue
		}
		read = append(read, tr.expr)
	}
	out.pushed, out.read = and(all), and(read)
	return out
}

func (s *Source) usesIdentityColumn(p expr.Node) bool {
	for _, c := range expr.Columns(p) {
		if s.identityCols[c] {
			return true
		}
	}
	return false
}

func and(es []iceberg.BooleanExpression) iceberg.BooleanExpression {
	switch len(es) {
	case 0:
		return nil
	case 1:
		return es[0]
	case 2:
		return iceberg.NewAnd(es[0], es[1])
	}
	return iceberg.NewAnd(es[0], es[1], es[2:]...)
}

// scan builds an iceberg-go scan of the source's snapshot.
func (s *Source) scan(cols []string, filter iceberg.BooleanExpression, extra ...table.ScanOption) (*table.Scan, error) {
	opts := []table.ScanOption{
		table.WithSelectedFields(cols...),
		table.WithOptions(iceberg.Properties{
			table.ReadSplitTargetSizeKey: strconv.FormatInt(s.taskBytes(), 10),
		}),
	}
	if filter != nil {
		opts = append(opts, table.WithRowFilter(filter))
	}
	if s.opts.SnapshotID != nil {
		opts = append(opts, table.WithSnapshotID(*s.opts.SnapshotID))
	}
	opts = append(opts, extra...)
	scan := s.tbl.Scan(opts...)
	if s.opts.Ref != "" {
		ref, err := scan.UseRef(s.opts.Ref)
		scan.Close()
		if err != nil {
			return nil, fmt.Errorf("%w: table %s: %w", errs.ErrPlan, name(s.tbl), err)
		}
		scan = ref
	}
	return scan, nil
}

func (s *Source) taskBytes() int64 {
	if s.opts.TaskBytes > 0 {
		return s.opts.TaskBytes
	}
	return defaultTaskBytes
}

// manifestList reads the snapshot's manifest list once, and tells the
// table's FileIO which manifests it lists as delete manifests.
func (s *Source) manifestList() ([]iceberg.ManifestFile, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.manifests != nil {
		return s.manifests, nil
	}
	manifests, err := s.snap.Manifests(s.tio)
	if err != nil {
		return nil, fmt.Errorf("%w: read manifest list of %s: %w", errs.ErrExec, name(s.tbl), err)
	}
	for _, mf := range manifests {
		if isDeleteManifest(mf) {
			s.tio.markDeleteManifest(mf.FilePath())
		}
	}
	if manifests == nil {
		manifests = []iceberg.ManifestFile{}
	}
	s.manifests = manifests
	return manifests, nil
}

func isDeleteManifest(mf iceberg.ManifestFile) bool {
	return mf.ManifestContent() == iceberg.ManifestContentDeletes
}

// pack combines file scan tasks into lakeframe tasks of about the target
// size: small files share a task, and large files come already split at
// row groups by iceberg-go. Each task reads at most limit rows when it is
// positive.
func (s *Source) pack(files []table.FileScanTask, cols []string, filter iceberg.BooleanExpression, limit int64) []plan.Task {
	var total int64
	for i := range files {
		total += files[i].Length
	}
	most := s.taskBytes()
	target := max(min(total/int64(2*runtime.GOMAXPROCS(0)), most), min(minTaskBytes, most))
	var tasks []plan.Task
	var cur *Task
	for i := range files {
		n := files[i].Length
		if cur != nil && cur.Bytes+n > target {
			tasks = append(tasks, cur)
			cur = nil
		}
		if cur == nil {
			cur = &Task{Columns: cols, Filter: filter, Limit: limit}
		}
		cur.Files = append(cur.Files, files[i])
		cur.Bytes += n
	}
	if cur != nil {
		tasks = append(tasks, cur)
	}
	return tasks
}

// reportCapture keeps the scan report iceberg-go emits after planning.
type reportCapture struct {
	mu sync.Mutex
	r  *metrics.ScanReport
}

func (c *reportCapture) Report(_ context.Context, r metrics.MetricsReport) {
	c.mu.Lock()
	defer c.mu.Unlock()
	switch x := r.(type) {
	case metrics.ScanReport:
		c.r = &x
	case *metrics.ScanReport:
		c.r = x
	}
}

func (c *reportCapture) Close() error { return nil }

func (c *reportCapture) report() *metrics.ScanReport {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.r
}

func counter(c *metrics.CounterResult) int64 {
	if c == nil {
		return 0
	}
	return c.Value
}
