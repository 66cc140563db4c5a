package frame_test

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/apache/arrow-go/v18/arrow"

	"lakeframe/exec/remote"
	"lakeframe/frame"
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
