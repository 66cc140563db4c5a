package exec

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"math/bits"
	"os"
	"sync"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/ipc"
	"github.com/apache/arrow-go/v18/arrow/memory"

	"lakeframe/errs"
	"lakeframe/exec/join"
)

// joinSpill holds both sides of a grace hash join, split by key hash into
// partitions, each an Arrow IPC stream in a temporary directory: build
// partition k joins probe partition k alone. A spilled batch holds the
// side's kept columns, then its join keys.
type joinSpill struct {
	mem                      memory.Allocator
	dir                      string
	buildSchema, probeSchema *arrow.Schema
	buildCols, probeCols     int
	build, probe             []*spillFile
	part                     partitioner // for the build side, read by one goroutine
}

func newJoinSpill(tc *TaskContext, op *hashJoinOp) (*joinSpill, error) {
	mem := tc.Mem
	dir, err := os.MkdirTemp(tc.SpillDir, "lakeframe-join-")
	if err != nil {
		return nil, fmt.Errorf("%w: hash join spill: %w", errs.ErrExec, err)
	}
	s := &joinSpill{
		mem:         mem,
		dir:         dir,
		buildSchema: spillSchema(op.layout.buildFields, op.keyTypes),
		probeSchema: spillSchema(op.layout.probeFields, op.keyTypes),
		buildCols:   len(op.layout.buildFields),
		probeCols:   len(op.layout.probeFields),
	}
	s.build, s.probe = s.newFiles(), s.newFiles()
	return s, nil
}

func spillSchema(fields []arrow.Field, keyTypes []arrow.DataType) *arrow.Schema {
	out := append([]arrow.Field(nil), fields...)
	for i, t := range keyTypes {
		out = append(out, arrow.Field{Name: fmt.Sprintf("__join_key%d", i), Type: t, Nullable: true})
	}
	return arrow.NewSchema(out, nil)
}

func (s *joinSpill) newFiles() []*spillFile {
	files := make([]*spillFile, joinSpillFanout)
	for i := range files {
		files[i] = &spillFile{dir: s.dir}
	}
	return files
}

// spillSeed is the hash seed of a partitioning level: each level splits
// independently of the ones above it.
func spillSeed(level int) uint64 { return uint64(level+1) * 0x9E3779B97F4A7C15 }

func (s *joinSpill) writeBuild(kb *keyedBatch) error {
	return s.write(&s.part, s.build, s.buildSchema, kb, 0)
}

// write splits a batch by key hash among files.
func (s *joinSpill) write(p *partitioner, files []*spillFile, schema *arrow.Schema, kb *keyedBatch, level int) error {
	idx, starts, err := p.split(kb, spillSeed(level), len(files))
	if err != nil {
		return fmt.Errorf("hash join spill: %w", err)
	}
	arrs := append(append([]arrow.Array(nil), kb.cols...), kb.keys...)
	for k, f := range files {
		lo, hi := starts[k], starts[k+1]
		if lo == hi {
			continue
		}
		cols := make([]arrow.Array, len(arrs))
		for c, a := range arrs {
			if cols[c], err = join.Take(s.mem, a, idx[lo:hi]); err != nil {
				releaseAll(cols)
				return fmt.Errorf("hash join spill: %w", err)
			}
		}
		rec := array.NewRecordBatch(schema, cols, int64(hi-lo))
		releaseAll(cols)
		err = f.append(s.mem, schema, rec)
		rec.Release()
		if err != nil {
			return err
		}
	}
	return nil
}

// finish ends the writing of files.
func (s *joinSpill) finish(files []*spillFile) error {
	var errs []error
	for _, f := range files {
		errs = append(errs, f.close())
	}
	return errors.Join(errs...)
}

// remove closes every file and deletes the directory.
func (s *joinSpill) remove() {
	for _, f := range append(s.build, s.probe...) {
		_ = f.close()
	}
	_ = os.RemoveAll(s.dir)
}

// spillTask is a pair of partitions to join.
type spillTask struct {
	build, probe *spillFile
	level        int
}

// split partitions a task's two files again, one level down, and deletes
// them.
func (s *joinSpill) split(ctx context.Context, t spillTask) ([]spillTask, error) {
	build, probe := s.newFiles(), s.newFiles()
	var p partitioner
	for _, side := range []struct {
		from   *spillFile
		to     []*spillFile
		schema *arrow.Schema
		ncols  int
	}{{t.build, build, s.buildSchema, s.buildCols}, {t.probe, probe, s.probeSchema, s.probeCols}} {
		err := func() error {
			src, err := side.from.open(s.mem, side.ncols)
			if err != nil {
				return err
			}
			defer src.close()
			for {
				kb, err := src.next(ctx)
				if errors.Is(err, io.EOF) {
					return s.finish(side.to)
				}
				if err != nil {
					return err
				}
				err = s.write(&p, side.to, side.schema, &kb, t.level+1)
				kb.release()
				if err != nil {
					return err
				}
			}
		}()
		if err != nil {
			for _, f := range append(build, probe...) {
				f.remove()
			}
			return nil, err
		}
	}
	t.build.remove()
	t.probe.remove()
	tasks := make([]spillTask, len(build))
	for k := range tasks {
		tasks[k] = spillTask{build: build[k], probe: probe[k], level: t.level + 1}
	}
	return tasks, nil
}

// partitioner splits batches by key hash; its buffers are reused.
type partitioner struct {
	hasher join.Hasher
	hashes []uint64
	idx    []int32
	starts []int
}

// split returns the rows of each of parts partitions (a power of two):
// those of partition k are idx[starts[k]:starts[k+1]].
func (p *partitioner) split(kb *keyedBatch, seed uint64, parts int) ([]int32, []int, error) {
	n := kb.n
	if cap(p.hashes) < n {
		p.hashes, p.idx = make([]uint64, n), make([]int32, n)
	}
	hashes, idx := p.hashes[:n], p.idx[:n]
	if err := p.hasher.Hash(kb.keys, n, seed, hashes); err != nil {
		return nil, nil, err
	}
	shift := uint(64 - bits.Len(uint(parts-1)))
	if cap(p.starts) < parts+1 {
		p.starts = make([]int, parts+1)
	}
	starts := p.starts[:parts+1]
	clear(starts)
	for i, h := range hashes {
		hashes[i] = h >> shift
		starts[hashes[i]+1]++
	}
	for k := 1; k <= parts; k++ {
		starts[k] += starts[k-1]
	}
	// Place each row at the end of its partition's filled range; starts[k]
	// walks up to the next partition's start and is restored after.
	for i, k := range hashes {
		idx[starts[k]] = int32(i)
		starts[k]++
	}
	copy(starts[1:], starts[:parts])
	starts[0] = 0
	return idx, starts, nil
}

// spillBufferSize is the write and read buffer of a spill file: a
// partitioned side has many files open at once.
const spillBufferSize = 64 << 10

// spillFile is one partition of one side: an Arrow IPC stream written by
// any number of goroutines, then read back once. The file is created with
// the first batch; a partition that never got one has none.
type spillFile struct {
	dir  string
	mu   sync.Mutex
	path string
	f    *os.File
	bw   *bufio.Writer
	w    *ipc.Writer
	rows int64
	// bytes counts the Arrow buffers written, what reading it back holds.
	bytes int64
}

func (f *spillFile) append(mem memory.Allocator, schema *arrow.Schema, rec arrow.RecordBatch) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.w == nil {
		if f.path != "" {
			return fmt.Errorf("%w: hash join spill file written after it was closed", errs.ErrInternal)
		}
		file, err := os.CreateTemp(f.dir, "part-*.arrows")
		if err != nil {
			return fmt.Errorf("%w: hash join spill: %w", errs.ErrExec, err)
		}
		f.f, f.path = file, file.Name()
		f.bw = bufio.NewWriterSize(file, spillBufferSize)
		f.w = ipc.NewWriter(f.bw, ipc.WithSchema(schema), ipc.WithAllocator(mem))
	}
	if err := f.w.Write(rec); err != nil {
		return fmt.Errorf("%w: hash join spill: %w", errs.ErrExec, err)
	}
	f.rows += rec.NumRows()
	for _, c := range rec.Columns() {
		f.bytes += arrayBytes(c.Data())
	}
	return nil
}

// close finishes writing; a closed or never written file is left alone.
func (f *spillFile) close() error {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.w == nil {
		return nil
	}
	err := f.w.Close()
	if ferr := f.bw.Flush(); err == nil {
		err = ferr
	}
	if cerr := f.f.Close(); err == nil {
		err = cerr
	}
	f.w, f.bw, f.f = nil, nil, nil
	if err != nil {
		return fmt.Errorf("%w: hash join spill: %w", errs.ErrExec, err)
	}
	return nil
}

func (f *spillFile) remove() {
	_ = f.close()
	if f.path != "" {
		_ = os.Remove(f.path)
	}
}

// open reads the file back; ncols of each batch's columns are the side's
// kept columns, the rest its keys.
func (f *spillFile) open(mem memory.Allocator, ncols int) (keyedSource, error) {
	if f.path == "" {
		return emptySource{}, nil
	}
	file, err := os.Open(f.path)
	if err != nil {
		return nil, fmt.Errorf("%w: hash join spill: %w", errs.ErrExec, err)
	}
	r, err := ipc.NewReader(bufio.NewReaderSize(file, spillBufferSize), ipc.WithAllocator(mem))
	if err != nil {
		file.Close()
		return nil, fmt.Errorf("%w: hash join spill %s: %w", errs.ErrExec, f.path, err)
	}
	return &spillReader{f: file, r: r, ncols: ncols}, nil
}

// keyedSource yields keyed batches of one join input.
type keyedSource interface {
	// next returns io.EOF after the last batch; the caller releases the
	// batch.
	next(ctx context.Context) (keyedBatch, error)
	close() error
}

type spillReader struct {
	f     *os.File
	r     *ipc.Reader
	ncols int
}

func (s *spillReader) next(ctx context.Context) (keyedBatch, error) {
	if err := ctx.Err(); err != nil {
		return keyedBatch{}, err
	}
	if !s.r.Next() {
		if err := s.r.Err(); err != nil {
			return keyedBatch{}, fmt.Errorf("%w: hash join spill: %w", errs.ErrExec, err)
		}
		return keyedBatch{}, io.EOF
	}
	rec := s.r.RecordBatch()
	cols := rec.Columns()
	for _, c := range cols {
		c.Retain()
	}
	return keyedBatch{
		cols: append([]arrow.Array(nil), cols[:s.ncols]...),
		keys: append([]arrow.Array(nil), cols[s.ncols:]...),
		n:    int(rec.NumRows()),
	}, nil
}

func (s *spillReader) close() error {
	s.r.Release()
	return s.f.Close()
}

type emptySource struct{}

func (emptySource) next(context.Context) (keyedBatch, error) { return keyedBatch{}, io.EOF }
func (emptySource) close() error                             { return nil }
