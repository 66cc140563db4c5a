//go:build cgo

package frame_test

import (
	"context"
	"fmt"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"
	"github.com/apache/iceberg-go/table"

	"lakeframe/exec/remote"
	"lakeframe/expr"
	"lakeframe/frame"
	"lakeframe/iceberg"
	"lakeframe/internal/miniotest"
)

// TestExecutorsIcebergCases reads every case of iceberg_cases.json on the
// local pool and on three executors sharing one pool: the same rows (all
// columns of the case's snapshot), the same failures, and for the cases
// also run through the DataFrame API the same filtered counts. Each file
// is its own task (IcebergTaskBytes(1)), so that scans of tables with
// several files have several partitions; on the executors the rows are
// sorted by one column, which puts an exchange above the scan, and those
// scans must have run on the executors, which open the table and read its
// files themselves.
func TestExecutorsIcebergCases(t *testing.T) {
	root, tabs := loadIcebergCases(t)
	ctx := context.Background()
	pool, err := remote.NewPool(ctx, remote.Options{Executors: 3})
	if err != nil {
		t.Fatal(err)
	}
	defer pool.Close()
	r := pool.Runner()
	var why strings.Builder
	r.Logf = func(format string, args ...any) { fmt.Fprintf(&why, format+"\n", args...) }
	// Many partitions, so that even small tables make fragments.
	opts := []frame.Option{frame.WithParallelism(4)}
	remoteOpts := append(opts, frame.WithRunner(r))
	cases, shipped := 0, 0
	// Cases reading the same snapshot compare its rows once.
	compared := map[string]string{}
	for ti := range tabs {
		tab := &tabs[ti]
		for ci := range tab.Cases {
			c := &tab.Cases[ci]
			id := tab.Name + "/" + c.ID
			cases++
			t.Run(id, func(t *testing.T) {
				metadata := tab.Metadata
				if c.Metadata != "" {
					metadata = c.Metadata
				}
				tbl, err := openCaseTable(t, root, tab, metadata)
				if err != nil {
					t.Fatalf("open: %v", err)
				}
				read := append(caseOptions(c), frame.IcebergTaskBytes(1))
				df := frame.ReadIceberg(tbl, read...)
				if c.Expected.Error {
					if _, err := df.Collect(ctx, remoteOpts...); err == nil {
						t.Fatal("read on executors succeeded, want an error")
					} else {
						t.Logf("error as expected: %v", err)
					}
					return
				}
				key := fmt.Sprintf("%s|%s|%s|%s", tab.Name, metadata, ptr(c.SnapshotID), ptr(c.AsOfMs))
				if first, ok := compared[key]; ok {
					t.Logf("rows compared in %s", first)
				} else {
					compared[key] = id
					if compareRead(t, r, &why, df, opts, remoteOpts) {
						shipped++
					}
				}
				if build, ok := apiCases[id]; ok {
					q := build(frame.ReadIceberg(tbl, read...))
					if d := diffAnswers(collectAnswer(t, q, remoteOpts...), collectAnswer(t, q, opts...), nil); d != "" {
						t.Errorf("dataframe api on executors and local pool differ: %s", d)
					}
				}
			})
		}
	}
	t.Logf("%d cases, %d distinct reads, %d ran fragments on executors", cases, len(compared), shipped)
	if shipped == 0 {
		t.Fatal("no case ran a fragment on an executor")
	}
}

// compareRead reads df on the local pool and, sorted, on the executors,
// and compares the rows. It reports whether fragments ran on executors;
// a scan with several partitions must have.
func compareRead(t *testing.T, r *remote.Runner, why *strings.Builder, df *frame.DataFrame, opts, remoteOpts []frame.Option) bool {
	t.Helper()
	why.Reset()
	before := r.Stats.Fragments()
	want := collectAnswer(t, df, opts...)
	ordered := df
	if key := sortKey(t, df); key != "" {
		ordered = df.Sort(key)
	}
	got := collectAnswer(t, ordered, remoteOpts...)
	if d := diffAnswers(got, want, nil); d != "" {
		t.Errorf("executors and local pool differ: %s", d)
	}
	ran := r.Stats.Fragments() - before
	if ran == 0 && (!strings.Contains(why.String(), "no shippable fragment") || !strings.Contains(why.String(), " partitions=1 ")) {
		t.Errorf("no fragment ran on an executor, yet the scan has several partitions:\n%s", why.String())
	}
	t.Logf("%d rows, %d fragments on executors", len(want), ran)
	return ran > 0
}

// sortKey is the first column of a type every sort handles, "" if none.
func sortKey(t *testing.T, df *frame.DataFrame) string {
	sch, err := df.Schema()
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range sch.Fields() {
		switch f.Type.ID() {
		case arrow.INT32, arrow.INT64, arrow.STRING, arrow.DATE32, arrow.FLOAT64, arrow.BOOL:
			return f.Name
		}
	}
	return ""
}

// TestExecutorsIcebergOnMinio reads an Iceberg table whose files are in
// MinIO on three executors. Opened with OpenMetadata and the S3
// properties, its scan runs on the executors, which get the properties
// (credentials included) in the source description and read the files
// from MinIO themselves. Loaded through a catalog, whose FileIO cannot be
// rebuilt elsewhere, it runs on the coordinator, with a reason that does
// not show the secret. Both give the local pool's answer.
func TestExecutorsIcebergOnMinio(t *testing.T) {
	s := miniotest.Start(t)
	bucket := s.NewBucket(t)
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	props := s.IcebergProps()
	props["warehouse"] = "s3://" + bucket + "/wh"
	cat, err := iceberg.OpenCatalog(ctx, "sqlite://"+filepath.Join(t.TempDir(), "cat.db"), props)
	if err != nil {
		t.Fatal(err)
	}
	schema := arrow.NewSchema([]arrow.Field{
		{Name: "id", Type: arrow.PrimitiveTypes.Int64, Nullable: true},
		{Name: "name", Type: arrow.BinaryTypes.String, Nullable: true},
		{Name: "v", Type: arrow.PrimitiveTypes.Float64, Nullable: true},
	}, nil)
	tbl, err := iceberg.CreateTable(ctx, cat, table.Identifier{"lake", "readings"}, schema)
	if err != nil {
		t.Fatal(err)
	}
	// Three appends, three data files, three tasks.
	for f := range 3 {
		b := array.NewRecordBuilder(memory.DefaultAllocator, schema)
		for i := range 500 {
			id := f*500 + i
			b.Field(0).(*array.Int64Builder).Append(int64(id))
			b.Field(1).(*array.StringBuilder).Append(fmt.Sprintf("sensor%d", id%7))
			b.Field(2).(*array.Float64Builder).Append(float64(id) / 3)
		}
		rec := b.NewRecordBatch()
		b.Release()
		in := array.NewTableFromRecords(schema, []arrow.RecordBatch{rec})
		rec.Release()
		tbl, err = frame.FromArrow(in).WriteIceberg(ctx, tbl)
		in.Release()
		if err != nil {
			t.Fatalf("append %d: %v", f, err)
		}
	}
	opened, err := iceberg.OpenMetadata(ctx, tbl.MetadataLocation(), iceberg.WithProperties(props))
	if err != nil {
		t.Fatal(err)
	}

	pool, err := remote.NewPool(ctx, remote.Options{Executors: 3})
	if err != nil {
		t.Fatal(err)
	}
	defer pool.Close()
	r := pool.Runner()
	var why strings.Builder
	r.Logf = func(format string, args ...any) { fmt.Fprintf(&why, format+"\n", args...) }
	query := func(tbl *table.Table) *frame.DataFrame {
		return frame.ReadIceberg(tbl, frame.IcebergTaskBytes(1)).
			Where(expr.Col("id").Ge(10)).
			GroupBy(expr.Col("name")).
			Agg(expr.Col("v").Sum().Alias("s"), expr.Col("id").Count().Alias("n"))
	}
	opts := []frame.Option{frame.WithParallelism(4)}
	want := collectAnswer(t, query(opened), opts...)

	got := collectAnswer(t, query(opened), append(opts, frame.WithRunner(r))...)
	if d := diffAnswers(got, want, nil); d != "" {
		t.Errorf("OpenMetadata table: executors and local pool differ: %s", d)
	}
	if r.Stats.Fragments() == 0 {
		t.Fatalf("no fragment ran on an executor:\n%s", why.String())
	}

	why.Reset()
	before := r.Stats.Fragments()
	got = collectAnswer(t, query(tbl), append(opts, frame.WithRunner(r))...)
	if d := diffAnswers(got, want, nil); d != "" {
		t.Errorf("catalog table: executors and local pool differ: %s", d)
	}
	if r.Stats.Fragments() != before {
		t.Errorf("a fragment of a catalog table on S3 ran on an executor")
	}
	if !strings.Contains(why.String(), "executors cannot rebuild") {
		t.Errorf("the runner gave no reason for keeping the catalog table's scan local:\n%s", why.String())
	}
	if strings.Contains(why.String(), s.SecretKey) {
		t.Errorf("the runner's log shows the secret key:\n%s", why.String())
	}
}
