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
// and packs them into tasks.
func (s *Source) Plan(ctx context.Context, p plan.Pushdown) (*plan.ScanPlan, error) {
	cols := p.Columns
	if cols == nil {
		cols = make([]string, s.schema.NumFields())
		for i, f := range s.schema.Fields() {
			cols[i] = f.Name
		}
	}
	pushed, readFilter, residual := s.filters(p.Filters)
	m := &ScanMetrics{Residual: residual}
	if pushed != nil {
		m.Pushed = pushed.String()
	}
	if s.snap == nil {
		s.setMetrics(m)
		return &plan.ScanPlan{}, nil
	}
	m.SnapshotID = s.snap.SnapshotID
	if err := s.markDeleteManifests(); err != nil {
		return nil, err
	}

	rep := &reportCapture{}
	scan, err := s.scan(cols, pushed, table.WithReporter(rep))
	if err != nil {
		return nil, err
	}
	defer scan.Close()
	files, err := scan.PlanFiles(ctx)
	if err != nil {
		return nil, fmt.Errorf("%w: plan iceberg scan of %s: %w", errs.ErrExec, name(s.tbl), err)
	}

	deletes := map[string]bool{}
	seen := map[string]bool{}
	for i := range files {
		f := files[i].File
		if f.FileFormat() != iceberg.ParquetFile {
			return nil, fmt.Errorf("%w: iceberg table %s: data file %s is %s; lakeframe reads Parquet data files only",
				errs.ErrNotImplemented, name(s.tbl), f.FilePath(), f.FileFormat())
		}
		if !seen[f.FilePath()] {
			seen[f.FilePath()] = true
			m.DataFilesKept++
			m.BytesToRead += f.FileSizeBytes()
		}
		for _, group := range [][]iceberg.DataFile{files[i].DeleteFiles, files[i].EqualityDeleteFiles, files[i].DeletionVectorFiles} {
			for _, d := range group {
				deletes[d.FilePath()] = true
			}
		}
	}
	m.DeleteFiles = len(deletes)
	if r := rep.report(); r != nil {
		m.DataManifestsTotal = int(counter(r.Metrics.TotalDataManifests))
		m.DataManifestsKept = int(counter(r.Metrics.ScannedDataManifests))
		m.DataFilesTotal = int(counter(r.Metrics.ResultDataFiles) + counter(r.Metrics.SkippedDataFiles))
	}
	if n, err := strconv.Atoi(s.snap.Summary.Properties["total-data-files"]); s.snap.Summary != nil && err == nil && n > 0 {
		m.DataFilesTotal = n
	}

	tasks := s.pack(files, cols, readFilter)
	m.Tasks = len(tasks)
	s.setMetrics(m)
	var rows int64
	for i := range files {
		rows += files[i].File.Count()
	}
	stats := plan.ScanStats{
		FilesTotal:   m.DataFilesTotal,
		FilesKept:    m.DataFilesKept,
		BytesToRead:  m.BytesToRead,
		RowsEstimate: rows,
	}
	return &plan.ScanPlan{Tasks: tasks, Stats: stats}, nil
}

func (s *Source) setMetrics(m *ScanMetrics) {
	s.mu.Lock()
	s.last = m
	s.mu.Unlock()
}

// filters translates the pushed conjuncts. pushed prunes planning;
// readFilter is what iceberg-go may also evaluate on rows: no StartsWith
// (it has no kernel for it) and no identity-partition column (lakeframe
// fills those from the partition values, as files may not hold them).
// residual lists the conjuncts that could not be translated.
func (s *Source) filters(preds []expr.Node) (pushed, readFilter iceberg.BooleanExpression, residual []string) {
	t := translator{schema: s.ischema}
	var all, read []iceberg.BooleanExpression
	for _, p := range preds {
		tr, ok := t.translate(p, true)
		if !ok {
			residual = append(residual, p.String())
			continue
		}
		all = append(all, tr.expr)
		if tr.startsWith || s.usesIdentityColumn(p) {
			continue
		}
		read = append(read, tr.expr)
	}
	return and(all), and(read), residual
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

// markDeleteManifests tells the table's FileIO which manifests the
// snapshot's manifest list lists as delete manifests.
func (s *Source) markDeleteManifests() error {
	manifests, err := s.snap.Manifests(s.tio)
	if err != nil {
		return fmt.Errorf("%w: read manifest list of %s: %w", errs.ErrExec, name(s.tbl), err)
	}
	for _, mf := range manifests {
		if mf.ManifestContent() == iceberg.ManifestContentDeletes {
			s.tio.markDeleteManifest(mf.FilePath())
		}
	}
	return nil
}

// pack combines file scan tasks into lakeframe tasks of about the target
// size: small files share a task, and large files come already split at
// row groups by iceberg-go.
func (s *Source) pack(files []table.FileScanTask, cols []string, filter iceberg.BooleanExpression) []plan.Task {
	var total int64
	for i := range files {
		total += files[i].Length
	}
	limit := s.taskBytes()
	target := max(min(total/int64(2*runtime.GOMAXPROCS(0)), limit), min(minTaskBytes, limit))
	var tasks []plan.Task
	var cur *Task
	for i := range files {
		n := files[i].Length
		if cur != nil && cur.Bytes+n > target {
			tasks = append(tasks, cur)
			cur = nil
		}
		if cur == nil {
			cur = &Task{Columns: cols, Filter: filter}
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
