package iceberg

import (
	"context"
	"fmt"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"
	iceberg "github.com/apache/iceberg-go"
	"github.com/apache/iceberg-go/catalog"
	iceio "github.com/apache/iceberg-go/io"
	"github.com/apache/iceberg-go/table"

	"lakeframe/exec/bufpool"
	"lakeframe/expr"
	"lakeframe/plan"
)

// readRegions reads the planned tasks of a generated table and returns
// the region of every row, with mem as the query's allocator.
func readRegions(t *testing.T, src *Source, p *plan.ScanPlan, mem memory.Allocator) []string {
	t.Helper()
	var out []string
	scanTasks(context.Background(), t, src, p.Tasks, mem, func(rec arrow.RecordBatch) {
		regions := rec.Column(rec.Schema().FieldIndices("region")[0]).(*array.String)
		for i := 0; i < regions.Len(); i++ {
			out = append(out, regions.Value(i))
		}
	})
	return out
}

// TestLimit plans scans with a limit (as the optimizer pushes one when
// every filter is exact) on a table of 10-row files: planning keeps the
// files whose rows reach the limit and tasks stop reading there.
func TestLimit(t *testing.T) {
	l := layout{days: 4, regions: 5, ids: 10, buckets: 1} // 20 files of 10 rows
	tbl := createGenerated(t, l)
	src, err := NewSource(tbl, ScanOptions{})
	if err != nil {
		t.Fatal(err)
	}
	r1, err := expr.Resolve(expr.Col("region").Eq("r1").Node(), src.Schema())
	if err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		name    string
		filters []expr.Node
		limit   int64
		files   int // hand-computed: ceil(limit / 10) files of 10 rows
		rows    int
	}{
		{"no limit", nil, -1, 20, 200},
		{"limit", nil, 25, 3, 25},
		{"limit at a file boundary", nil, 30, 3, 30},
		{"limit over the table", nil, 5000, 20, 200},
		{"limit zero", nil, 0, 0, 0},
		{"exact filter", []expr.Node{r1}, 15, 2, 15},
		{"exact filter over its rows", []expr.Node{r1}, 1000, 4, 40},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			p, err := src.Plan(context.Background(), plan.Pushdown{Filters: c.filters, Limit: c.limit})
			if err != nil {
				t.Fatal(err)
			}
			if p.Stats.FilesKept != c.files {
				t.Errorf("kept %d files, want %d", p.Stats.FilesKept, c.files)
			}
			mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
			defer mem.AssertSize(t, 0)
			regions := readRegions(t, src, p, mem)
			// Each task stops at the limit; what is above the scan stops
			// at it overall.
			if c.limit >= 0 && len(p.Tasks) == 1 && len(regions) != c.rows {
				t.Errorf("read %d rows, want %d", len(regions), c.rows)
			}
			if c.limit < 0 && len(regions) != c.rows {
				t.Errorf("read %d rows, want %d", len(regions), c.rows)
			}
			if len(regions) < c.rows {
				t.Errorf("read %d rows, fewer than %d", len(regions), c.rows)
			}
			for _, r := range regions {
				if c.filters != nil && r != "r1" {
					t.Fatalf("exact filter region = r1 read a row of %s", r)
				}
			}
		})
	}
}

// countingIO counts the manifest files a table's FileIO opens.
type countingIO struct {
	iceio.IO
	manifests *atomic.Int32
}

func (c countingIO) Open(name string) (iceio.File, error) {
	if strings.HasSuffix(name, ".avro") && !strings.Contains(name, "snap-") {
		c.manifests.Add(1)
	}
	return c.IO.Open(name)
}

// TestLimitReadsFewManifests: without a filter, a limit stops planning
// after the manifests whose row counts reach it.
func TestLimitReadsFewManifests(t *testing.T) {
	l := layout{days: 1, regions: 1, ids: 10, buckets: 1}
	tbl := createGenerated(t, l)
	ctx := context.Background()
	for range 5 { // five more appends: six manifests of 10 rows
		sc, err := table.SchemaToArrowSchema(tbl.Schema(), nil, false, false)
		if err != nil {
			t.Fatal(err)
		}
		b := array.NewRecordBuilder(memory.DefaultAllocator, sc)
		for i := range l.rows() {
			id, region, ts := l.genRow(i)
			b.Field(0).(*array.Int64Builder).Append(id)
			b.Field(1).(*array.StringBuilder).Append(region)
			b.Field(2).(*array.TimestampBuilder).Append(arrow.Timestamp(ts.UnixMicro()))
			b.Field(3).AppendNull()
		}
		rec := b.NewRecordBatch()
		b.Release()
		rdr, _ := array.NewRecordReader(sc, []arrow.RecordBatch{rec})
		tbl, err = tbl.Append(ctx, rdr, nil)
		rdr.Release()
		rec.Release()
		if err != nil {
			t.Fatal(err)
		}
	}
	if n := len(tbl.CurrentSnapshot().Summary.Properties); n == 0 {
		t.Fatal("no snapshot summary")
	}
	var opened atomic.Int32
	fs, err := tbl.FS(ctx)
	if err != nil {
		t.Fatal(err)
	}
	counted := table.New(tbl.Identifier(), tbl.Metadata(), tbl.MetadataLocation(),
		func(context.Context) (iceio.IO, error) { return countingIO{fs, &opened}, nil }, nil)
	src, err := NewSource(counted, ScanOptions{})
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		limit            int64
		manifests, files int
	}{
		{-1, 6, 6},
		{5, 1, 1},
		{15, 2, 2},
	} {
		opened.Store(0)
		p, err := src.Plan(ctx, plan.Pushdown{Limit: c.limit})
		if err != nil {
			t.Fatal(err)
		}
		if got := int(opened.Load()); got != c.manifests || p.Stats.FilesKept != c.files {
			t.Errorf("limit %d: opened %d manifests and kept %d files, want %d and %d", c.limit, got, p.Stats.FilesKept, c.manifests, c.files)
		}
	}
}

// TestPooledAllocator reads a table with positional deletes through
// lakeframe's default pooling allocator; iceberg-go applies the deletes
// with arrow's take kernel on the allocator lakeframe passes it, which
// fails on buffers with spare capacity (bufpool hands out none). The rows kept hold longer strings
// than the rows deleted, so the kernel outgrows its first estimate.
func TestPooledAllocator(t *testing.T) {
	ctx := context.Background()
	cat, err := OpenCatalog(ctx, "sqlite://"+filepath.Join(t.TempDir(), "catalog.db"), nil)
	if err != nil {
		t.Fatal(err)
	}
	if err := cat.CreateNamespace(ctx, table.Identifier{"db"}, nil); err != nil {
		t.Fatal(err)
	}
	sc := iceberg.NewSchema(0,
		iceberg.NestedField{ID: 1, Name: "id", Type: iceberg.PrimitiveTypes.Int64},
		iceberg.NestedField{ID: 2, Name: "s", Type: iceberg.PrimitiveTypes.String},
	)
	tbl, err := cat.CreateTable(ctx, table.Identifier{"db", "strings"}, sc,
		catalog.WithProperties(iceberg.Properties{table.WriteDeleteModeKey: table.WriteModeMergeOnRead}))
	if err != nil {
		t.Fatal(err)
	}
	const n = 4000
	long := strings.Repeat("x", 100)
	asc, err := table.SchemaToArrowSchema(sc, nil, false, false)
	if err != nil {
		t.Fatal(err)
	}
	b := array.NewRecordBuilder(memory.DefaultAllocator, asc)
	for id := range n {
		b.Field(0).(*array.Int64Builder).Append(int64(id))
		if id%2 == 1 {
			b.Field(1).(*array.StringBuilder).Append("y")
		} else {
			b.Field(1).(*array.StringBuilder).Append(fmt.Sprintf("%s%d", long, id))
		}
	}
	rec := b.NewRecordBatch()
	b.Release()
	rdr, _ := array.NewRecordReader(asc, []arrow.RecordBatch{rec})
	tbl, err = tbl.Append(ctx, rdr, nil)
	rdr.Release()
	rec.Release()
	if err != nil {
		t.Fatal(err)
	}
	var odd []int64
	for id := int64(1); id < n; id += 2 {
		odd = append(odd, id)
	}
	tx := tbl.NewTransaction()
	if err := tx.Delete(ctx, iceberg.IsIn(iceberg.Reference("id"), odd...), nil); err != nil {
		t.Fatal(err)
	}
	if tbl, err = tx.Commit(ctx); err != nil {
		t.Fatal(err)
	}
	src, err := NewSource(tbl, ScanOptions{})
	if err != nil {
		t.Fatal(err)
	}
	p, err := src.Plan(ctx, plan.Pushdown{Limit: -1})
	if err != nil {
		t.Fatal(err)
	}
	if d := strings.Join(p.Stats.Details, " "); !strings.Contains(d, "delete_files=1") {
		t.Fatalf("want one delete file planned: %s", d)
	}
	mem := &peakAllocator{CheckedAllocator: memory.NewCheckedAllocator(bufpool.New())}
	defer mem.AssertSize(t, 0)
	got := 0
	scanTasks(ctx, t, src, p.Tasks, mem, func(rec arrow.RecordBatch) {
		ids := rec.Column(0).(*array.Int64)
		ss := rec.Column(1).(*array.String)
		for i := 0; i < ids.Len(); i++ {
			if want := fmt.Sprintf("%s%d", long, ids.Value(i)); ids.Value(i)%2 == 1 || ss.Value(i) != want {
				t.Fatalf("row id %d s %q", ids.Value(i), ss.Value(i))
			}
			got++
		}
	})
	if got != n/2 {
		t.Errorf("read %d rows, want %d", got, n/2)
	}
	// iceberg-go's reads allocated from mem: at least the kept strings.
	if peak := mem.peak.Load(); peak < int64(n/2*len(long)) {
		t.Errorf("peak allocation from the query's allocator %d bytes, want at least %d", peak, n/2*len(long))
	}
}

// peakAllocator records the most bytes allocated at once.
type peakAllocator struct {
	*memory.CheckedAllocator
	peak atomic.Int64
}

func (p *peakAllocator) Allocate(n int) []byte {
	b := p.CheckedAllocator.Allocate(n)
	p.note()
	return b
}

func (p *peakAllocator) Reallocate(n int, b []byte) []byte {
	out := p.CheckedAllocator.Reallocate(n, b)
	p.note()
	return out
}

func (p *peakAllocator) note() {
	cur := int64(p.CurrentAlloc())
	for {
		old := p.peak.Load()
		if cur <= old || p.peak.CompareAndSwap(old, cur) {
			return
		}
	}
}
