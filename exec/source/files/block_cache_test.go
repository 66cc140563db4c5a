package files

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"io/fs"
	"math/rand/v2"
	"path/filepath"
	"sync"
	"sync/atomic"
	"testing"
)

// memObject is an object in memory whose fetches are counted.
type memObject struct {
	data     []byte
	requests atomic.Int64
}

func (m *memObject) fetch(_ context.Context, off, n int64) ([]byte, error) {
	m.requests.Add(1)
	if off < 0 || off+n > int64(len(m.data)) {
		return nil, fmt.Errorf("fetch %d+%d past %d", off, n, len(m.data))
	}
	return bytes.Clone(m.data[off : off+n]), nil
}

func randomBytes(n int, seed uint64) []byte {
	rng := rand.New(rand.NewPCG(seed, 1))
	b := make([]byte, n)
	for i := range b {
		b[i] = byte(rng.Uint32())
	}
	return b
}

func dirBytes(t *testing.T, dir string) int64 {
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

// TestBlockCacheServesExactBytes reads random ranges cold and warm: the
// bytes are the object's, a warm read makes no request, and a cold read
// of adjacent missing blocks makes one.
func TestBlockCacheServesExactBytes(t *testing.T) {
	c, err := newBlockCache(t.TempDir(), BlockCacheConfig{BlockSize: 1000, MaxBytes: 1 << 30})
	if err != nil {
		t.Fatal(err)
	}
	obj := &memObject{data: randomBytes(10_500, 1)}
	v := ObjectVersion{Path: "s3://b/k", Version: "e1", Size: int64(len(obj.data))}
	ctx := context.Background()

	// One read over blocks 2..6, all missing: one request.
	p := make([]byte, 4200)
	if n, err := c.ReadAt(ctx, v, obj.fetch, p, 2100); err != nil || n != 4200 || !bytes.Equal(p, obj.data[2100:6300]) {
		t.Fatalf("cold read: n=%d err=%v, bytes equal %v", n, err, bytes.Equal(p, obj.data[2100:6300]))
	}
	if r := obj.requests.Load(); r != 1 {
		t.Fatalf("a cold read of 5 adjacent blocks made %d requests", r)
	}
	rng := rand.New(rand.NewPCG(2, 3))
	for range 200 {
		off := rng.Int64N(int64(len(obj.data)) + 50)
		p := make([]byte, rng.IntN(3000))
		n, err := c.ReadAt(ctx, v, obj.fetch, p, off)
		if off >= int64(len(obj.data)) {
			if err != io.EOF || n != 0 {
				t.Fatalf("read past the end at %d: n=%d err=%v", off, n, err)
			}
			continue
		}
		want := obj.data[off:min(off+int64(len(p)), int64(len(obj.data)))]
		if n != len(want) || !bytes.Equal(p[:n], want) {
			t.Fatalf("read %d bytes at %d: got %d, bytes differ", len(p), off, n)
		}
		if len(want) < len(p) && err != io.EOF {
			t.Fatalf("short read at the end without io.EOF: %v", err)
		}
	}
	before := obj.requests.Load()
	all := make([]byte, len(obj.data))
	if _, err := c.ReadAt(ctx, v, obj.fetch, all, 0); err != nil || !bytes.Equal(all, obj.data) {
		t.Fatalf("warm full read: %v", err)
	}
	// Blocks 0..10 were all read by now: nothing more is fetched.
	if r := obj.requests.Load(); r != before {
		t.Fatalf("a warm read made %d requests", r-before)
	}
	st := c.Stats()
	if st.Hits == 0 || st.Misses != 11 || st.BytesFetched != int64(len(obj.data)) {
		t.Fatalf("stats %+v: want 11 misses and every byte fetched once", st)
	}
}

// TestBlockCacheNeverServesAnOldVersion rewrites an object under the same
// path: reads of the new version return its bytes.
func TestBlockCacheNeverServesAnOldVersion(t *testing.T) {
	c, err := newBlockCache(t.TempDir(), BlockCacheConfig{BlockSize: 512, MaxBytes: 1 << 20})
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	old := &memObject{data: randomBytes(3000, 4)}
	p := make([]byte, 3000)
	if _, err := c.ReadAt(ctx, ObjectVersion{"s3://b/k", "v1", 3000}, old.fetch, p, 0); err != nil {
		t.Fatal(err)
	}
	for i, size := range []int{3000, 2999, 4000} {
		nu := &memObject{data: randomBytes(size, uint64(10+i))}
		v := ObjectVersion{"s3://b/k", fmt.Sprintf("v%d", i+2), int64(size)}
		got := make([]byte, size)
		if _, err := c.ReadAt(ctx, v, nu.fetch, got, 0); err != nil && err != io.EOF {
			t.Fatal(err)
		}
		if !bytes.Equal(got, nu.data) {
			t.Fatalf("version %s read the old bytes", v.Version)
		}
	}
}

// TestBlockCacheStaysUnderItsBound reads far more blocks than fit, from
// two caches on one directory as two processes would: the directory never
// holds more than the bound, and a block read again and again survives.
func TestBlockCacheStaysUnderItsBound(t *testing.T) {
	dir := t.TempDir()
	const block, bound = 1000, 20_000
	a, err := newBlockCache(dir, BlockCacheConfig{BlockSize: block, MaxBytes: bound})
	if err != nil {
		t.Fatal(err)
	}
	b, err := newBlockCache(dir, BlockCacheConfig{BlockSize: block, MaxBytes: bound})
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	hot := &memObject{data: randomBytes(block, 5)}
	hotV := ObjectVersion{"s3://b/hot", "1", block}
	p := make([]byte, block)
	for i := range 200 {
		c := a
		if i%2 == 1 {
			c = b
		}
		obj := &memObject{data: randomBytes(block, uint64(100+i))}
		if _, err := c.ReadAt(ctx, ObjectVersion{fmt.Sprintf("s3://b/%d", i), "1", block}, obj.fetch, p, 0); err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(p, obj.data) {
			t.Fatalf("object %d: wrong bytes", i)
		}
		if i%5 == 0 {
			if _, err := a.ReadAt(ctx, hotV, hot.fetch, p, 0); err != nil || !bytes.Equal(p, hot.data) {
				t.Fatalf("hot block: %v", err)
			}
		}
		// Two caches each keep their own account: each stays under the
		// bound, so the directory stays under twice it at most, and under
		// it once either evicts.
		if got := dirBytes(t, dir); got > 2*bound {
			t.Fatalf("after %d objects the cache holds %d bytes, bound %d", i+1, got, bound)
		}
	}
	if got := dirBytes(t, dir); got > bound+block {
		t.Fatalf("the cache holds %d bytes at the end, bound %d", got, bound)
	}
	if a.Stats().Evicted+b.Stats().Evicted == 0 {
		t.Fatal("nothing was evicted")
	}
	// The hot block was used every five reads, so it was never the oldest.
	if r := hot.requests.Load(); r > 2 {
		t.Fatalf("the hot block was fetched %d times", r)
	}
}

// TestBlockCacheConcurrentReaders: 16 goroutines over one object, each
// byte right.
func TestBlockCacheConcurrentReaders(t *testing.T) {
	c, err := newBlockCache(t.TempDir(), BlockCacheConfig{BlockSize: 700, MaxBytes: 1 << 20, Parallel: 3})
	if err != nil {
		t.Fatal(err)
	}
	obj := &memObject{data: randomBytes(50_000, 6)}
	v := ObjectVersion{"s3://b/k", "e", int64(len(obj.data))}
	var wg sync.WaitGroup
	errc := make(chan error, 16)
	for g := range 16 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			rng := rand.New(rand.NewPCG(uint64(g), 9))
			for range 50 {
				off := rng.Int64N(int64(len(obj.data)))
				p := make([]byte, rng.IntN(5000)+1)
				n, err := c.ReadAt(context.Background(), v, obj.fetch, p, off)
				if err != nil && err != io.EOF {
					errc <- err
					return
				}
				if !bytes.Equal(p[:n], obj.data[off:off+int64(n)]) {
					errc <- fmt.Errorf("goroutine %d: wrong bytes at %d", g, off)
					return
				}
			}
		}()
	}
	wg.Wait()
	close(errc)
	for err := range errc {
		t.Fatal(err)
	}
}
