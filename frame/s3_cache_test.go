package frame_test

import (
	"context"
	"fmt"
	"io/fs"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"sync/atomic"
	"testing"
	"time"

	"github.com/apache/arrow-go/v18/arrow/memory"

	"lakeframe/expr"
	"lakeframe/frame"
	"lakeframe/internal/miniotest"
)

// slowStore is a reverse proxy in front of MinIO that holds every request
// for a fixed time, as a distant object store does, and counts them.
type slowStore struct {
	url      string
	requests atomic.Int64
	gets     atomic.Int64
}

func newSlowStore(t *testing.T, target string, delay time.Duration) *slowStore {
	t.Helper()
	u, err := url.Parse(target)
	if err != nil {
		t.Fatal(err)
	}
	proxy := httputil.NewSingleHostReverseProxy(u)
	s := &slowStore{}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s.requests.Add(1)
		if r.Method == http.MethodGet && r.Header.Get("Range") != "" {
			s.gets.Add(1)
		}
		time.Sleep(delay)
		proxy.ServeHTTP(w, r) // the Host header stays the proxy's, which the client signed
	}))
	t.Cleanup(srv.Close)
	s.url = srv.URL
	return s
}

func cacheBytes(t *testing.T, dir string) int64 {
	t.Helper()
	var total int64
	filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err == nil && !d.IsDir() {
			if info, err := d.Info(); err == nil {
				total += info.Size()
			}
		}
		return nil
	})
	return total
}

// TestS3BlockCache runs an aggregate over eight Parquet objects behind a
// store that answers each request after 50 ms: cold, then warm from the
// block cache, then after one object is rewritten under the same key.
// Answers match lakeframe's reading of the local copies; the warm run
// reads no object bytes from the store, the rewritten object is read
// anew, and the cache stays under its bound.
func TestS3BlockCache(t *testing.T) {
	srv := miniotest.Start(t)
	bucket := srv.NewBucket(t)
	local := t.TempDir()
	ctx := context.Background()
	// LAKEFRAME_S3CACHE_ROWS sets the rows per object for a measurement at
	// a larger size (the cache is then allowed 1 GiB).
	rows := 20_000
	bound := int64(3 << 20)
	if v, err := strconv.Atoi(os.Getenv("LAKEFRAME_S3CACHE_ROWS")); err == nil && v > 0 {
		rows, bound = v, 1<<30
	}
	for i := range 8 {
		tbl := s3Rows(t, i*rows, rows)
		err := frame.FromArrow(tbl).WriteParquet(ctx, filepath.Join(local, fmt.Sprintf("part-%d.parquet", i)), frame.RowGroupSize(5000))
		tbl.Release()
		if err != nil {
			t.Fatal(err)
		}
	}
	srv.Upload(t, local, bucket, "sales/")
	store := newSlowStore(t, srv.Endpoint, 50*time.Millisecond)
	cacheDir := t.TempDir()
	cfg := frame.S3Config{Endpoint: store.url, Region: srv.Region, AccessKeyID: srv.AccessKey, SecretAccessKey: srv.SecretKey,
		CacheDir: cacheDir, CacheMaxBytes: bound}
	query := func(read *frame.DataFrame) *frame.DataFrame {
		return read.Where(expr.Col("amount").Gt(10)).GroupBy("region", "year").
			Agg(expr.Col("amount").Sum().Alias("total"), expr.CountAll().Alias("n")).Sort("region", "year")
	}
	localStart := time.Now()
	want := collectSorted(t, query(frame.ReadParquet(local)))
	t.Logf("the same query on the local files: %v", time.Since(localStart).Round(time.Millisecond))
	run := func(name string) (requests, gets int64) {
		r0, g0 := store.requests.Load(), store.gets.Load()
		start := time.Now()
		got := collectSorted(t, query(frame.ReadParquetWith(frame.ParquetOptions{S3: &cfg}, "s3://"+bucket+"/sales/")))
		elapsed := time.Since(start)
		if d := diffRows(got, want); d != "" {
			t.Fatalf("%s: %s", name, d)
		}
		requests, gets = store.requests.Load()-r0, store.gets.Load()-g0
		t.Logf("%s: %d requests (%d ranged GETs) in %v; cache holds %d bytes", name, requests, gets, elapsed.Round(time.Millisecond), cacheBytes(t, cacheDir))
		return requests, gets
	}
	_, coldGets := run("cold")
	if coldGets == 0 {
		t.Fatal("the cold run read nothing from the store")
	}
	// Eight objects of about 250 KiB fit the 3 MiB bound: the warm run only
	// lists them.
	if _, warmGets := run("warm"); warmGets != 0 {
		t.Fatalf("the warm run made %d ranged GETs", warmGets)
	}
	if got := cacheBytes(t, cacheDir); got > bound {
		t.Fatalf("the cache holds %d bytes, bound %d", got, bound)
	}

	// Rewrite one object under the same key with other rows.
	changed := s3Rows(t, 500_000, 7_000)
	rewritten := filepath.Join(t.TempDir(), "part-3.parquet")
	if err := frame.FromArrow(changed).WriteParquet(ctx, rewritten); err != nil {
		t.Fatal(err)
	}
	changed.Release()
	if err := os.Rename(rewritten, filepath.Join(local, "part-3.parquet")); err != nil {
		t.Fatal(err)
	}
	srv.Upload(t, local, bucket, "sales/")
	want = collectSorted(t, query(frame.ReadParquet(local)))
	if _, gets := run("after a rewrite"); gets == 0 {
		t.Fatal("the rewritten object was not read from the store")
	}
}

func collectSorted(t *testing.T, df *frame.DataFrame) []string {
	t.Helper()
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	tbl, err := df.Collect(context.Background(), frame.WithAllocator(mem))
	if err != nil {
		t.Fatal(err)
	}
	rows := tableRows(t, tbl)
	tbl.Release()
	mem.AssertSize(t, 0)
	slices.Sort(rows)
	return rows
}
