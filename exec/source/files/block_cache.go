package files

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"golang.org/x/sync/errgroup"

	"lakeframe/errs"
)

// BlockCache keeps fixed-size blocks of remote objects on local disk, so
// that a second read of the same bytes costs no request. A block is named
// by the object's path, version (ETag) and size and by its index, so a
// rewritten object is never served from the old one's blocks. Blocks are
// written to temporary names and renamed into place, so readers in other
// processes on the host (executors) never see half a block and share what
// any of them fetched. When the blocks on disk would pass MaxBytes, the
// least recently used ones (by modification time, which a hit refreshes)
// are removed.
type BlockCache struct {
	dir       string
	maxBytes  int64
	blockSize int64
	parallel  int

	mu   sync.Mutex // serialises eviction and the size accounting
	used int64      // bytes of blocks on disk, as last counted plus own writes

	hits, misses, requests, fetched, evicted atomic.Int64
}

// BlockCacheConfig configures a BlockCache.
type BlockCacheConfig struct {
	// Dir holds the blocks; it is created if needed.
	Dir string
	// MaxBytes bounds the blocks on disk; 0 means 8 GiB.
	MaxBytes int64
	// BlockSize is the unit of caching and the alignment of fetches; 0
	// means 1 MiB.
	BlockSize int64
	// Parallel bounds the ranged requests one read makes at once; 0
	// means 4.
	Parallel int
}

// CacheStats count what a cache did since it was opened.
type CacheStats struct {
	// Hits and Misses count blocks found on disk and blocks fetched.
	Hits, Misses int64
	// Requests is the number of ranged requests made to fill misses, and
	// BytesFetched what they returned.
	Requests, BytesFetched int64
	// Evicted counts blocks removed to stay under the size bound.
	Evicted int64
}

var (
	blockCachesMu sync.Mutex
	blockCaches   = map[string]*BlockCache{}
)

// OpenBlockCache returns the process's cache for cfg.Dir, opening it on
// first use: every reader of the process shares one per directory.
func OpenBlockCache(cfg BlockCacheConfig) (*BlockCache, error) {
	if cfg.Dir == "" {
		return nil, fmt.Errorf("%w: block cache: no directory", errs.ErrPlan)
	}
	dir, err := filepath.Abs(cfg.Dir)
	if err != nil {
		return nil, fmt.Errorf("%w: block cache %s: %w", errs.ErrPlan, cfg.Dir, err)
	}
	blockCachesMu.Lock()
	defer blockCachesMu.Unlock()
	if c, ok := blockCaches[dir]; ok {
		return c, nil
	}
	c, err := newBlockCache(dir, cfg)
	if err != nil {
		return nil, err
	}
	blockCaches[dir] = c
	return c, nil
}

// newBlockCache opens a cache on dir without sharing it in the process;
// two of them on one directory behave as two processes would.
func newBlockCache(dir string, cfg BlockCacheConfig) (*BlockCache, error) {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, fmt.Errorf("%w: block cache: create %s: %w", errs.ErrExec, dir, err)
	}
	c := &BlockCache{dir: dir, maxBytes: cfg.MaxBytes, blockSize: cfg.BlockSize, parallel: cfg.Parallel}
	if c.maxBytes <= 0 {
		c.maxBytes = 8 << 30
	}
	if c.blockSize <= 0 {
		c.blockSize = 1 << 20
	}
	if c.parallel <= 0 {
		c.parallel = 4
	}
	if c.maxBytes < c.blockSize {
		return nil, fmt.Errorf("%w: block cache %s: the size bound %d is below one block (%d bytes)", errs.ErrPlan, dir, c.maxBytes, c.blockSize)
	}
	blocks, err := c.scan()
	if err != nil {
		return nil, err
	}
	for _, b := range blocks {
		c.used += b.size
	}
	return c, nil
}

// Dir is the directory the blocks live in.
func (c *BlockCache) Dir() string { return c.dir }

// MaxBytes is the bound on the blocks on disk.
func (c *BlockCache) MaxBytes() int64 { return c.maxBytes }

// Stats returns the counters so far.
func (c *BlockCache) Stats() CacheStats {
	return CacheStats{Hits: c.hits.Load(), Misses: c.misses.Load(), Requests: c.requests.Load(),
		BytesFetched: c.fetched.Load(), Evicted: c.evicted.Load()}
}

// ObjectVersion identifies one version of an object: its path, an ETag
// or modification time that changes when it is rewritten, and its size.
type ObjectVersion struct {
	Path    string
	Version string
	Size    int64
}

// FetchRange reads n bytes at off of the object, in one request.
type FetchRange func(ctx context.Context, off, n int64) ([]byte, error)

// ReadAt reads len(p) bytes of the object at off: blocks on disk are
// copied, the missing ones fetched, a run of adjacent missing blocks in
// one request and up to the cache's Parallel runs at once, and stored.
func (c *BlockCache) ReadAt(ctx context.Context, obj ObjectVersion, fetch FetchRange, p []byte, off int64) (int, error) {
	if off >= obj.Size {
		return 0, io.EOF
	}
	want := p
	if rem := obj.Size - off; int64(len(want)) > rem {
		want = want[:rem]
	}
	if len(want) == 0 {
		return 0, nil
	}
	first, last := off/c.blockSize, (off+int64(len(want))-1)/c.blockSize
	prefix := c.objectPrefix(obj)
	// part returns the bytes of want that block b covers, and where they
	// start within the block.
	part := func(b int64) ([]byte, int64) {
		blockStart := b * c.blockSize
		from := max(off-blockStart, 0)
		lo := max(blockStart-off, 0)
		hi := min(blockStart+c.blockLen(obj, b)-off, int64(len(want)))
		return want[lo:hi], from
	}
	var missing []int64
	for b := first; b <= last; b++ {
		dst, from := part(b)
		if c.load(prefix, b, c.blockLen(obj, b), dst, from) {
			c.hits.Add(1)
		} else {
			missing = append(missing, b)
			c.misses.Add(1)
		}
	}
	if len(missing) > 0 {
		g, gctx := errgroup.WithContext(ctx)
		g.SetLimit(c.parallel)
		for _, run := range adjacentRuns(missing) {
			g.Go(func() error {
				start := run[0] * c.blockSize
				end := min((run[1]+1)*c.blockSize, obj.Size)
				data, err := fetch(gctx, start, end-start)
				if err != nil {
					return err
				}
				if int64(len(data)) != end-start {
					return fmt.Errorf("%w: %s: asked for %d bytes at %d, got %d", errs.ErrExec, obj.Path, end-start, start, len(data))
				}
				c.requests.Add(1)
				c.fetched.Add(int64(len(data)))
				for b := run[0]; b <= run[1]; b++ {
					blk := data[(b-run[0])*c.blockSize : min((b-run[0]+1)*c.blockSize, int64(len(data)))]
					dst, from := part(b)
					copy(dst, blk[from:])
					c.store(prefix, b, blk)
				}
				return nil
			})
		}
		if err := g.Wait(); err != nil {
			return 0, err
		}
	}
	n := len(want)
	if len(want) < len(p) {
		return n, io.EOF
	}
	return n, nil
}

// blockLen is the length of block b of the object (the last may be
// short).
func (c *BlockCache) blockLen(obj ObjectVersion, b int64) int64 {
	return min(c.blockSize, obj.Size-b*c.blockSize)
}

// adjacentRuns groups sorted block numbers into [first, last] runs.
func adjacentRuns(blocks []int64) [][2]int64 {
	var runs [][2]int64
	for _, b := range blocks {
		if n := len(runs); n > 0 && runs[n-1][1] == b-1 {
			runs[n-1][1] = b
			continue
		}
		runs = append(runs, [2]int64{b, b})
	}
	return runs
}

// objectPrefix names the object version's blocks: a hash, so that any
// path fits in a file name, under a directory of its first byte.
func (c *BlockCache) objectPrefix(obj ObjectVersion) string {
	h := sha256.Sum256([]byte(obj.Path + "\x00" + obj.Version + "\x00" + strconv.FormatInt(obj.Size, 10) + "\x00" + strconv.FormatInt(c.blockSize, 10)))
	name := hex.EncodeToString(h[:16])
	return filepath.Join(c.dir, name[:2], name)
}

func blockPath(prefix string, b int64) string { return prefix + "-" + strconv.FormatInt(b, 10) }

// load copies the bytes of block b from offset from into dst, reading only
// those. A block file of the wrong length (a torn write cannot happen, but
// a file changed by hand can) counts as missing.
func (c *BlockCache) load(prefix string, b, size int64, dst []byte, from int64) bool {
	p := blockPath(prefix, b)
	f, err := os.Open(p)
	if err != nil {
		return false
	}
	defer f.Close()
	if st, err := f.Stat(); err != nil || st.Size() != size {
		return false
	}
	if n, err := f.ReadAt(dst, from); n != len(dst) || (err != nil && err != io.EOF) {
		return false
	}
	// A hit makes the block the most recent for eviction.
	now := time.Now()
	os.Chtimes(p, now, now)
	return true
}

// store writes a block under a temporary name and renames it into place,
// first making room for it. Failing to store is not an error: the read
// already has its bytes.
func (c *BlockCache) store(prefix string, b int64, data []byte) {
	c.reserve(int64(len(data)))
	p := blockPath(prefix, b)
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		c.release(int64(len(data)))
		return
	}
	tmp := p + ".tmp-" + strconv.FormatUint(rand.Uint64(), 36)
	if err := os.WriteFile(tmp, data, 0o644); err != nil {
		os.Remove(tmp)
		c.release(int64(len(data)))
		return
	}
	if err := os.Rename(tmp, p); err != nil {
		os.Remove(tmp)
		c.release(int64(len(data)))
	}
}

// reserve counts n more bytes, evicting first if they would pass the bound.
func (c *BlockCache) reserve(n int64) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.used+n > c.maxBytes {
		c.evict(c.maxBytes - n - c.maxBytes/10)
	}
	c.used += n
}

func (c *BlockCache) release(n int64) {
	c.mu.Lock()
	c.used -= n
	c.mu.Unlock()
}

type cachedBlock struct {
	path string
	size int64
	mod  time.Time
}

// scan lists the blocks on disk; temporary files older than an hour
// (left by a crashed writer) are removed on the way.
func (c *BlockCache) scan() ([]cachedBlock, error) {
	var out []cachedBlock
	err := filepath.WalkDir(c.dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			if errors.Is(err, fs.ErrNotExist) {
				return nil
			}
			return err
		}
		if d.IsDir() {
			return nil
		}
		info, err := d.Info()
		if err != nil {
			return nil // removed by another process meanwhile
		}
		if filepath.Ext(p) != "" && time.Since(info.ModTime()) > time.Hour {
			os.Remove(p)
			return nil
		}
		out = append(out, cachedBlock{path: p, size: info.Size(), mod: info.ModTime()})
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("%w: block cache %s: %w", errs.ErrExec, c.dir, err)
	}
	return out, nil
}

// evict removes the least recently used blocks until at most target bytes
// remain, counting what is on disk now (other processes write too). Called
// with c.mu held.
func (c *BlockCache) evict(target int64) {
	blocks, err := c.scan()
	if err != nil {
		return
	}
	var total int64
	for _, b := range blocks {
		total += b.size
	}
	slices.SortFunc(blocks, func(a, b cachedBlock) int { return a.mod.Compare(b.mod) })
	for _, b := range blocks {
		if total <= max(target, 0) {
			break
		}
		if err := os.Remove(b.path); err == nil || errors.Is(err, fs.ErrNotExist) {
			total -= b.size
			c.evicted.Add(1)
		}
	}
	c.used = total
}
