//go:build cgo

package tpchgen

import (
	"bytes"
	"context"
	"errors"
	"maps"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/apache/arrow-go/v18/arrow/memory"

	"lakeframe/errs"
)

// childEnv marks the child process TestGenerateSmallFiles runs in.
const childEnv = "TPCHGEN_TEST_CHILD"

// TestGenerateSmallFiles checks file splitting, row groups, buffer
// accounting, cancellation and the handling of the output directory on the
// smaller tables. dbgen can be initialized once per process and
// TestGenerateSF1 takes every table, so this test runs in a child process.
func TestGenerateSmallFiles(t *testing.T) {
	if testing.Short() {
		t.Skip("initializing the generator takes several seconds")
	}
	if os.Getenv(childEnv) == "" {
		t.Parallel()
		cmd := exec.Command(os.Args[0], "-test.run=^TestGenerateSmallFiles$", "-test.v", "-test.count=1")
		cmd.Env = append(os.Environ(), childEnv+"=1")
		out, err := cmd.CombinedOutput()
		if err != nil || !bytes.Contains(out, []byte("--- PASS: TestGenerateSmallFiles")) {
			t.Fatalf("child process: %v\n%s", err, out)
		}
		return
	}

	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)
	ctx := context.Background()
	dir := t.TempDir()

	t.Run("refuses to replace foreign files", func(t *testing.T) {
		notes := filepath.Join(dir, "region", "notes.txt")
		if err := os.MkdirAll(filepath.Dir(notes), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(notes, []byte("mine"), 0o644); err != nil {
			t.Fatal(err)
		}
		if err := Generate(ctx, dir, 1, WithTables("region")); !errors.Is(err, errs.ErrPlan) {
			t.Errorf("error = %v, want ErrPlan", err)
		}
		if _, err := os.Stat(notes); err != nil {
			t.Errorf("notes.txt: %v", err)
		}
		if err := os.RemoveAll(filepath.Dir(notes)); err != nil {
			t.Fatal(err)
		}
	})

	t.Run("split files", func(t *testing.T) {
		// What a killed run leaves: a half-written table in a temporary
		// directory, no marker.
		stale := filepath.Join(dir, tmpPrefix+"supplier-123")
		if err := os.MkdirAll(stale, 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(stale, "part-0.parquet"), []byte("PAR1"), 0o644); err != nil {
			t.Fatal(err)
		}
		err := Generate(ctx, dir, 1, WithTables("supplier", "nation"),
			WithMaxRowsPerFile(4000), WithRowGroupSize(1000), WithBatchSize(700), WithAllocator(mem))
		if err != nil {
			t.Fatal(err)
		}
		if tmp := tempEntries(t, dir); len(tmp) > 0 {
			t.Errorf("left behind %v", tmp)
		}
		for _, table := range []string{"supplier", "nation"} {
			if info, err := os.Stat(filepath.Join(dir, table)); err != nil || info.Mode().Perm() != 0o755 {
				t.Errorf("%s: %v, %v; want a directory with mode 0755", table, info, err)
			}
		}
		want := map[string][][]int64{
			"supplier": {{1000, 1000, 1000, 1000}, {1000, 1000, 1000, 1000}, {1000, 1000}},
			"nation":   {{25}},
		}
		for table, files := range want {
			facts := readFacts(t, dir, table)
			var got [][]int64
			for i, f := range facts {
				if f.name != partName(i) {
					t.Errorf("%s file %d is %s", table, i, f.name)
				}
				got = append(got, f.rowGroups)
			}
			if !slices.EqualFunc(got, files, slices.Equal) {
				t.Errorf("%s row groups = %v, want %v", table, got, files)
			}
		}
		db := openDuckDB(t, dir, "supplier", "nation")
		// Files follow key order: part-0 holds keys 1-4000 and so on.
		q := "SELECT string_agg(r, ',' ORDER BY f) FROM (SELECT filename AS f, concat_ws('-', min(s_suppkey), max(s_suppkey), count(*)) AS r FROM " +
			"read_parquet('" + Glob(dir, "supplier") + "', filename = true) GROUP BY filename)"
		if got := queryString(t, db, q); got != "1-4000-4000,4001-8000-4000,8001-10000-2000" {
			t.Errorf("supplier key ranges per file = %s", got)
		}
		// The reference dbgen's first supplier at SF 1.
		const first = "1|Supplier#000000001| N kD4on9OM Ipw3,gf0JBoQDd7tgrzrddZ|17|27-918-335-1736|5755.94|each slyly above the careful"
		if got := queryString(t, db, "SELECT concat_ws('|', *COLUMNS(*)) FROM supplier WHERE s_suppkey = 1"); got != first {
			t.Errorf("supplier 1 = %s\nwant %s", got, first)
		}
		// TPC-H specification 4.2.3: nations and their regions.
		const nations = "0 ALGERIA 0,1 ARGENTINA 1,2 BRAZIL 1,3 CANADA 1,4 EGYPT 4,5 ETHIOPIA 0,6 FRANCE 3,7 GERMANY 3,8 INDIA 2,9 INDONESIA 2," +
			"10 IRAN 4,11 IRAQ 4,12 JAPAN 2,13 JORDAN 4,14 KENYA 0,15 MOROCCO 0,16 MOZAMBIQUE 0,17 PERU 1,18 CHINA 2,19 ROMANIA 3," +
			"20 SAUDI ARABIA 4,21 VIETNAM 2,22 RUSSIA 3,23 UNITED KINGDOM 3,24 UNITED STATES 1"
		if got := queryString(t, db, "SELECT string_agg(concat_ws(' ', n_nationkey, n_name, n_regionkey), ',' ORDER BY n_nationkey) FROM nation"); got != nations {
			t.Errorf("nations = %s\nwant %s", got, nations)
		}
	})

	t.Run("adds to a complete directory", func(t *testing.T) {
		before := modTimes(t, dir)
		if err := Generate(ctx, dir, 1, WithTables("region"), WithAllocator(mem)); err != nil {
			t.Fatal(err)
		}
		b, err := os.ReadFile(filepath.Join(dir, SuccessFile))
		if want := "sf=1\ntables=nation,region,supplier\n"; err != nil || string(b) != want {
			t.Errorf("marker = %q, %v; want %q", b, err, want)
		}
		after := modTimes(t, dir)
		maps.DeleteFunc(after, func(path string, _ time.Time) bool {
			return filepath.Base(filepath.Dir(path)) == "region" || filepath.Base(path) == SuccessFile
		})
		delete(before, filepath.Join(dir, SuccessFile))
		if !maps.Equal(before, after) {
			t.Errorf("existing files changed:\nbefore %v\nafter  %v", before, after)
		}
		db := openDuckDB(t, dir, "region")
		const regions = "0 AFRICA,1 AMERICA,2 ASIA,3 EUROPE,4 MIDDLE EAST"
		if got := queryString(t, db, "SELECT string_agg(concat_ws(' ', r_regionkey, r_name), ',' ORDER BY r_regionkey) FROM region"); got != regions {
			t.Errorf("regions = %s, want %s", got, regions)
		}
	})

	t.Run("canceled run leaves nothing complete", func(t *testing.T) {
		dir := t.TempDir()
		ctx, cancel := context.WithCancel(ctx)
		defer cancel()
		err := Generate(ctx, dir, 1, WithTables("customer"), WithMaxRowsPerFile(20_000), WithAllocator(mem),
			WithProgress(func(Progress) { cancel() }))
		if !errors.Is(err, context.Canceled) {
			t.Fatalf("error = %v, want context.Canceled", err)
		}
		entries, err := os.ReadDir(dir)
		if err != nil {
			t.Fatal(err)
		}
		for _, e := range entries {
			if e.Name() != lockFile {
				t.Errorf("canceled run left %s", e.Name())
			}
		}
	})

	t.Run("concurrent calls take turns", func(t *testing.T) {
		dir := t.TempDir()
		var wg sync.WaitGroup
		errc := make(chan error, 2)
		for range 2 {
			wg.Go(func() { errc <- Generate(ctx, dir, 1, WithTables("part"), WithAllocator(mem)) })
		}
		wg.Wait()
		close(errc)
		for err := range errc {
			if err != nil {
				t.Error(err)
			}
		}
		db := openDuckDB(t, dir, "part")
		if n := queryInt(t, db, "SELECT count(DISTINCT p_partkey) FROM part"); n != 200_000 {
			t.Errorf("part has %d keys, want 200000", n)
		}
		if _, err := os.Stat(filepath.Join(dir, "partsupp")); !errors.Is(err, os.ErrNotExist) {
			t.Errorf("partsupp was written without being asked for (stat: %v)", err)
		}
	})
}
