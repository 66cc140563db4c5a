package exec

import (
	"context"
	"errors"
	"fmt"
	"io"
	"runtime/debug"
	"sync"
	"sync/atomic"

	"lakeframe/errs"
)

// joinRowOverhead estimates the table's bytes per build row, counted with
// the build columns against joinMemoryBudget.
const joinRowOverhead = 32

// joinShared is what the probe partitions of one run of a hash join share:
// the build side, read once by whichever partition needs it first, and in
// grace mode the spilled partitions of both sides. It is released when the
// last stream closes: after every partition has run, or once the run's
// context is done and no stream is open (partitions that never started
// will not start then).
type joinShared struct {
	op *hashJoinOp

	mu       sync.Mutex
	streams  int // open streams
	closed   int // closed streams
	ctxDone  bool
	released bool
	stops    []func() bool

	build onceGate
	// After build: side holds the build side in memory, or spill holds it
	// partitioned on disk.
	side  *builtSide
	spill *joinSpill

	// In grace mode the probe side is spilled once too, and the streams
	// then claim spilled partitions one at a time.
	probe    onceGate
	nextPart atomic.Int64
}

func newJoinShared(op *hashJoinOp) *joinShared { return &joinShared{op: op} }

// tryOpen counts a new stream, unless the state is already released.
func (s *joinShared) tryOpen(ctx context.Context) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.released {
		return false
	}
	s.streams++
	s.stops = append(s.stops, context.AfterFunc(ctx, s.contextDone))
	return true
}

func (s *joinShared) contextDone() {
	s.mu.Lock()
	s.ctxDone = true
	free := s.shouldFree()
	s.mu.Unlock()
	if free {
		s.free()
	}
}

func (s *joinShared) closeStream() {
	s.mu.Lock()
	s.streams--
	s.closed++
	free := s.shouldFree()
	s.mu.Unlock()
	if free {
		s.free()
	}
}

// shouldFree marks the state released when no stream can use it anymore;
// s.mu is held.
func (s *joinShared) shouldFree() bool {
	if s.released || s.streams > 0 || (s.closed < s.op.Partitions() && !s.ctxDone) {
		return false
	}
	s.released = true
	return true
}

func (s *joinShared) free() {
	for _, stop := range s.stops {
		stop()
	}
	if s.side != nil {
		s.side.release()
		s.side = nil
	}
	if s.spill != nil {
		s.spill.remove()
		s.spill = nil
	}
}

// buildSide reads the build side, once for all streams.
func (s *joinShared) buildSide(ctx context.Context, tc *TaskContext) error {
	return s.build.do(ctx, func() error { return s.readBuild(ctx, tc) })
}

// readBuild keeps the build side in memory while it fits the budget, and
// spills it in partitions from the batch that passes it.
func (s *joinShared) readBuild(ctx context.Context, tc *TaskContext) error {
	op := s.op
	in, err := op.build.Execute(ctx, tc, 0)
	if err != nil {
		return err
	}
	defer in.Close()
	var batches []keyedBatch
	defer func() {
		for i := range batches {
			batches[i].release()
		}
	}()
	var bytes int64
	for {
		rec, err := in.Next(ctx)
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return err
		}
		kb, err := keyBatch(ctx, tc, op.node.BuildKeys, op.layout.buildCols, rec)
		rec.Release()
		if err != nil {
			return fmt.Errorf("hash join build keys: %w", err)
		}
		if kb.n == 0 {
			kb.release()
			continue
		}
		if s.spill == nil {
			bytes += kb.bytes() + joinRowOverhead*int64(kb.n)
			// A join without keys cannot be partitioned: it stays in memory.
			if bytes > tc.joinBudget() && op.hasKeys() {
				if s.spill, err = newJoinSpill(tc, op); err != nil {
					kb.release()
					return err
				}
				for i := range batches {
					err = s.spill.writeBuild(&batches[i])
					batches[i].release()
					if err != nil {
						kb.release()
						return err
					}
				}
				batches = nil
			}
		}
		if s.spill == nil {
			batches = append(batches, kb)
			continue
		}
		err = s.spill.writeBuild(&kb)
		kb.release()
		if err != nil {
			return err
		}
	}
	if err := in.Close(); err != nil {
		return err
	}
	if s.spill != nil {
		return s.spill.finish(s.spill.build)
	}
	s.side, err = newBuiltSide(tc.Mem, op.keyTypes, &op.layout, batches, op.probe.Partitions())
	if err != nil {
		return fmt.Errorf("hash join build: %w", err)
	}
	return nil
}

// spillProbe partitions every probe partition to disk, once for all
// streams, reading the probe partitions in parallel.
func (s *joinShared) spillProbe(ctx context.Context, tc *TaskContext) error {
	return s.probe.do(ctx, func() error {
		g, gctx := NewGroup(ctx, tc.parallelism())
		for p := range s.op.probeRaw.Partitions() {
			g.Go(func() error { return s.spillProbePartition(gctx, tc, p) })
		}
		err := g.Wait()
		if ferr := s.spill.finish(s.spill.probe); err == nil {
			err = ferr
		}
		return err
	})
}

func (s *joinShared) spillProbePartition(ctx context.Context, tc *TaskContext, p int) error {
	op := s.op
	in, err := op.probeRaw.Execute(ctx, tc, p)
	if err != nil {
		return err
	}
	defer in.Close()
	var part partitioner
	for {
		rec, err := in.Next(ctx)
		if errors.Is(err, io.EOF) {
			return in.Close()
		}
		if err != nil {
			return err
		}
		kb, err := keyBatch(ctx, tc, op.node.ProbeKeys, op.layout.probeCols, rec)
		rec.Release()
		if err != nil {
			return fmt.Errorf("hash join probe keys: %w", err)
		}
		err = s.spill.write(&part, s.spill.probe, s.spill.probeSchema, &kb, 0)
		kb.release()
		if err != nil {
			return err
		}
	}
}

// claim returns the next spilled partition no stream has taken, or -1.
func (s *joinShared) claim() int {
	k := int(s.nextPart.Add(1) - 1)
	if k >= len(s.spill.build) {
		return -1
	}
	return k
}

// onceGate runs a step once for all the streams that need it: the first
// caller runs it, the others wait for it to finish (or for their own ctx)
// and share its error.
type onceGate struct {
	mu      sync.Mutex
	started bool
	done    chan struct{}
	err     error
}

func (g *onceGate) do(ctx context.Context, fn func() error) error {
	g.mu.Lock()
	if g.done == nil {
		g.done = make(chan struct{})
	}
	done := g.done
	if !g.started {
		g.started = true
		g.mu.Unlock()
		func() {
			defer func() {
				if r := recover(); r != nil {
					g.err = fmt.Errorf("%w: panic: %v\n%s", errs.ErrInternal, r, debug.Stack())
				}
				close(done)
			}()
			g.err = fn()
		}()
		return g.err
	}
	g.mu.Unlock()
	select {
	case <-done:
		return g.err
	case <-ctx.Done():
		return ctx.Err()
	}
}
